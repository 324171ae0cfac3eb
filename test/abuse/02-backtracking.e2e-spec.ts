import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { queueBackends } from '../support/queue-backends.js';
import { type ChildApi, startChildApi } from '../support/remote-api.js';

/**
 * Item 2: a 2 KB CSV whose phone cell is "1", 2,000 spaces and "1" froze the API for 10 s (the phone extension
 * pattern was cubic: minutes at 8 KB). Cells are now capped before any normalizer reads them (a phone at 50
 * characters, the other contact fields at the API's limits, any other cell at 4,000), and the normalizers are linear
 * (libs/contacts/src/normalization/normalizers-linear-time.spec.ts). The API under test is a built child process that
 * runs the jobs itself (the embedded default): before the fix the second test's file kept it busy for hours, and the
 * test failed on its timeout while this process, free, waited.
 */
jest.setTimeout(180_000);

const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const spaces = (n: number) => `1${' '.repeat(n)}1`;

for (const { backend, env, run } of queueBackends) {
  (run ? describe : describe.skip)(`imports of cells made to backtrack (${backend} queue)`, () => {
    let remote: ChildApi;

    beforeAll(async () => {
      remote = await startChildApi(env, 'Retour arrière');
    }, 120_000);
    afterAll(() => remote?.close());

    const importFile = (file: string, path?: string, options?: Record<string, string>) =>
      remote.importFile(file, path, options);
    const apiAnswers = async () => {
      expect(remote.child.process.exitCode).toBeNull();
      expect(await remote.api.ok<any>(remote.token, '{ contacts(first: 1) { totalCount } }')).toMatchObject({
        contacts: { totalCount: expect.any(Number) },
      });
    };

    it("imports the issue's 2 KB file at once: the row is refused for its phone cell's length, the good row imported", async () => {
      const file = `Prénom,Nom,Téléphone\nMarie,Tremblay,${spaces(2_000)}\nJean,Roy,514-555-0199\n`;
      expect(file.length).toBeGreaterThan(2_000);
      const run = await importFile(file);
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 2, invalid: 1, created: 1 } });
      expect(run.errors).toEqual([{ line: 2, column: 'Téléphone', message: 'the value is longer than 50 characters' }]);
      await apiAnswers();
    });

    it('imports promptly a file of 8 KB adversarial cells in every column a normalizer reads, contacts and interactions', async () => {
      const cells = [
        spaces(8_000),
        `a@${'a.'.repeat(4_000)}1`,
        `H2X${' '.repeat(8_000)}1Y4`,
        `1980${'-'.repeat(8_000)}1`,
        `fr${' '.repeat(8_000)}x`,
      ];
      const contacts = [
        'Téléphone,Courriel,Code postal,Date de naissance,Langue',
        ...Array.from({ length: 40 }, () => cells.join(',')),
      ].join('\n');
      const run = await importFile(contacts);
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 40, invalid: 40, created: 0 } });
      expect(run.errors.slice(0, 5)).toEqual([
        { line: 2, column: 'Téléphone', message: 'the value is longer than 50 characters' },
        { line: 2, column: 'Courriel', message: 'the value is longer than 320 characters' },
        { line: 2, column: 'Code postal', message: 'the value is longer than 20 characters' },
        { line: 2, column: 'Date de naissance', message: 'the value is longer than 4000 characters' },
        { line: 2, column: 'Langue', message: 'the value is longer than 4000 characters' },
      ]);

      const sales = [
        'No client,Date,Montant,Quantité,Type',
        ...Array.from(
          { length: 40 },
          (_, i) => `C${i},2025-01-01${' '.repeat(3_000)}x,"${'1,'.repeat(1_500)}5",${'9'.repeat(3_000)}x,Don`,
        ),
      ].join('\n');
      const interactions = await importFile(sales, '/imports/interactions', { createContacts: 'true', dedup: 'false' });
      expect(interactions).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 40, invalid: 40, recorded: 0 } });
      expect(interactions.errors[0]).toEqual({
        line: 2,
        column: 'Montant',
        message: 'not an amount (e.g. 45.50 or 45,50)',
      });

      const { createAudience } = await remote.api.ok<any>(remote.token, CREATE_AUDIENCE, {
        input: { name: 'Liste', kind: 'STATIC' },
      });
      const members = await importFile(
        `courriel\n${`a@${'a.'.repeat(3_000)}1\n`.repeat(40)}`,
        `/audiences/${createAudience.id}/members`,
        {},
      );
      expect(members).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 40, notFound: 40 } });
      await apiAnswers();
    });
  });
}
