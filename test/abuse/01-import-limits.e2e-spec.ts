import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { queueBackends } from '../support/queue-backends.js';
import { type ChildApi, startChildApi } from '../support/remote-api.js';

/**
 * Item 1 (the imports' part): an EDITOR's file with a header of 100,000 unknown column names crashed the API: the
 * import put the whole header into its error, aborted COPY with it, PostgreSQL dropped the connection and the
 * process exited. Every import now caps its header (1,000 columns, 64 K characters), aborts COPY with a short fixed
 * message, and its errors are bounded and quote no header. The API under test is a built child process running the
 * jobs itself (the embedded default): the one a bad file could kill.
 */
jest.setTimeout(180_000);

const WIDE_HEADER = Array.from({ length: 100_000 }, (_, i) => `col${i}`).join(',');
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;

for (const { backend, env, run } of queueBackends) {
  (run ? describe : describe.skip)(`an import's header and errors are bounded (${backend} queue)`, () => {
    let remote: ChildApi;
    let audienceId: string;

    beforeAll(async () => {
      remote = await startChildApi(env, 'Limites');
      audienceId = (
        await remote.api.ok<any>(remote.token, CREATE_AUDIENCE, { input: { name: 'Liste', kind: 'STATIC' } })
      ).createAudience.id;
    }, 120_000);
    afterAll(() => remote?.close());

    const importFile = (file: string, path?: string, options?: Record<string, string>) =>
      remote.importFile(file, path, options);
    /** The API process is alive and serves requests that use the database. */
    const apiAnswers = async () => {
      expect({ exitCode: remote.child.process.exitCode, signal: remote.child.process.signalCode }).toEqual({
        exitCode: null,
        signal: null,
      });
      expect(await remote.api.ok<any>(remote.token, '{ contacts(first: 1) { totalCount } }')).toMatchObject({
        contacts: { totalCount: expect.any(Number) },
      });
    };

    it.each([
      ['contacts', '/imports'],
      ['interactions', '/imports/interactions'],
      ['audience members', 'members'],
    ])(
      'fails an import of %s whose header has 100,000 columns with a short fixed message, and the API lives on',
      async (kind, path) => {
        const run = await importFile(
          `${WIDE_HEADER}\n${'x,'.repeat(10)}\n`,
          path === 'members' ? `/audiences/${audienceId}/members` : path,
          {},
        );
        expect(run).toMatchObject({ status: 'FAILED', attempts: 1 });
        expect(run.errors).toEqual([
          { line: null, column: null, message: expect.stringMatching(/^The header line has more than 1000 columns/) },
        ]);
        expect(run.errors[0].message.length).toBeLessThan(300);
        expect(run.errors[0].message).not.toContain('col1');
        await apiAnswers();
        // and imports still work on it
        const email = `vivant-${kind.replace(/ /g, '-')}@example.org`;
        expect(await importFile(`courriel,prénom\n${email},Vivant\n`)).toMatchObject({
          status: 'SUCCEEDED',
          counts: { rows: 1, created: 1 },
        });
      },
    );

    it('fails a header line longer than 64 K characters, and a first line of megabytes without a line break, the same way', async () => {
      const long = await importFile(`courriel,${'x'.repeat(70_000)}\nvivant@example.org,y\n`);
      expect(long).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        errors: [{ message: expect.stringMatching(/^The header line is longer than 65536 characters/) }],
      });
      const endless = await importFile(`courriel,${'x;'.repeat(1_500_000)}`);
      expect(endless).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        errors: [{ message: expect.stringMatching(/^The header line is longer than 65536 characters/) }],
      });
      await apiAnswers();
    });

    it('reports unknown columns by their names cut to 64 characters, with a fixed message, at most 100 errors', async () => {
      const unknown = Array.from({ length: 300 }, (_, i) => `Remarque ${i} ${'x'.repeat(200)}`);
      const run = await importFile(`courriel,${unknown.join(',')}\nnotes@example.org\n`);
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 1, created: 1, ignoredColumns: 300 } });
      expect(run.errors).toHaveLength(100);
      for (const error of run.errors) {
        expect(error).toEqual({
          line: 1,
          column: expect.stringMatching(/^Remarque \d+ x+…$/),
          message: expect.stringContaining('was not imported'),
        });
        expect(error.column.length).toBe(64);
        expect(error.message).not.toContain('Remarque');
      }
    });

    it('fails on a mapping problem with a bounded message that cuts the column names short', async () => {
      const name = `Courriel ${'y'.repeat(500)}`;
      const run = await importFile(`${name},E-mail\na@example.org,b@example.org\n`, '/imports', {
        mapping: `${name}=email`,
      });
      expect(run).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(run.errors[0].message).toMatch(
        /^The file's columns cannot be imported: columns "Courriel y+…" and "E-mail" both fill email/,
      );
      expect(run.errors[0].message.length).toBeLessThan(300);
    });
  });
}
