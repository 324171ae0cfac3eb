import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import Papa from 'papaparse';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';

/**
 * Item 6 (the imports' part): a job run's errors quoted cells and headers (names, emails, phones, birth dates), and
 * roles that may not see a contact read them. Every import's errors now name the column (in `column`, cut to 64
 * characters) and the reason (in `message`), never a value; the values stay in the rejected-rows file, which only
 * the EDITOR who imported (or an ADMIN) downloads.
 */
jest.setTimeout(120_000);

const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;

/** Rows of personal data, each with something wrong; every cell is a value no error may quote. */
const CONTACT_ROWS = [
  ['C-7001', 'Zoé', 'Lévesque', 'zoe.levesque@@courriel.example', '514-555-01', '1980-02-30', 'klingon', 'Mystère'],
  ['C-7002', 'Anaïs', 'Bélanger', 'anais.belanger@example.org', '999-999-9999', '1975-04-03', 'fr', ''],
  ['C-7003', 'Gaston', 'Ouellet', 'gaston.ouellet@example.org', '418-555-0134', '3/14/1969', 'allemand', ''],
  ['C-7004', 'Rosalie', 'Gagnon', 'rosalie.gagnon@example.org', '450-555-0178', '1990-07-12', 'fr', 'Platine-Ultra'],
  ['C-7005', 'Émile', `Côté-${'Labrecque'.repeat(30)}`, 'emile.cote@example.org', '', '', '', ''],
];
const CONTACT_HEADER = [
  'No client',
  'Prénom',
  'Nom',
  'Courriel',
  'Téléphone',
  'Date de naissance',
  'Langue',
  'Abonnement',
];

const SALES_HEADER = ['No transaction', 'No client', 'Courriel', 'Type', 'Date', 'Montant', 'Quantité', 'Discipline'];
const SALES_ROWS = [
  ['T-801', 'C-9001', '', 'Achat de billets', '2025-02-30 19:30', '10', '1', ''],
  ['T-802', 'C-9001', '', 'Achat de billets', '2025-10-04 19:30', 'douze dollars', '1', ''],
  ['T-803', 'C-9001', '', 'Jonglerie acrobatique', '2025-10-04 19:30', '', '', ''],
  ['T-804', 'C-9001', '', 'Présence', '2025-10-04 19:30', '', 'trois billets', ''],
  ['T-805', 'C-9001', '', 'Présence', '2025-10-04 19:30', '', '', 'Cirque aérien'],
  ['T-806', '', 'pierre.lachance@@example', 'Présence', '2025-10-04 19:30', '', '', ''],
];

/** Every value of these rows that an error could quote (short ones like "fr" or "1" would match by chance). */
const valuesOf = (rows: string[][]) => rows.flat().filter((value) => value.length >= 4);

const csv = (rows: string[][]) => rows.map((row) => row.join(';')).join('\n');

describeOnQueueBackends(
  (backend) => `import errors quote no cell, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let token: string;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      token = (await api.createOrganization('Erreurs')).token;
      await api.ok(
        token,
        `mutation { defineAttribute(input: { key: "abonnement", label: "Abonnement", type: CHOICE, choices: ["Saison", "Découverte"] }) { key } }`,
      );
    });
    afterAll(() => api.close());

    const importFile = async (file: string, options: Record<string, string>, path = '/imports') => {
      const upload = await api.upload(token, file, options, path);
      expect(upload.status).toBe(202);
      return api.finishedRun(token, upload.body.jobRunId);
    };
    const rejectedRows = async (run: any) => {
      const response = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return Papa.parse<string[]>((await response.text()).replace(/^\uFEFF/, ''), {
        delimiter: ';',
        skipEmptyLines: true,
      }).data;
    };
    /** No error's message or column holds any of the values. */
    const expectNoValueIn = (errors: { message: string; column: string | null }[], values: string[]) => {
      for (const error of errors) {
        for (const value of values) {
          expect([error.message, value, error.message.includes(value)]).toEqual([error.message, value, false]);
          expect([error.column, value, error.column?.includes(value) ?? false]).toEqual([error.column, value, false]);
        }
      }
    };

    it('contacts (invalidFields=REJECT): every bad row is reported by line, column and reason, and the rejected-rows file keeps the values', async () => {
      const run = await importFile(csv([CONTACT_HEADER, ...CONTACT_ROWS]), {
        strategy: 'UPSERT_BY_EXTERNAL_ID',
        source: 'billetterie',
        dedup: 'false',
        invalidFields: 'REJECT',
      });
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 5, invalid: 5 } });
      expect(run.errors).toEqual([
        { line: 2, column: 'Date de naissance', message: 'not a valid date (expected YYYY-MM-DD)' },
        { line: 2, column: 'Langue', message: 'unknown language (expected fr or en)' },
        { line: 2, column: 'Abonnement', message: 'the value must be one of: Saison, Découverte' },
        { line: 2, column: 'Courriel', message: 'not a valid email address' },
        { line: 2, column: 'Téléphone', message: 'not a valid phone number' },
        { line: 3, column: 'Téléphone', message: 'not a valid phone number' },
        { line: 4, column: 'Date de naissance', message: 'not a valid date (expected YYYY-MM-DD)' },
        { line: 4, column: 'Langue', message: 'unknown language (expected fr or en)' },
        { line: 5, column: 'Abonnement', message: 'the value must be one of: Saison, Découverte' },
        { line: 6, column: 'Nom', message: 'the value is longer than 200 characters' },
      ]);
      expectNoValueIn(run.errors, valuesOf(CONTACT_ROWS));

      const rejected = await rejectedRows(run);
      expect(rejected[0]).toEqual([...CONTACT_HEADER, 'error']);
      expect(rejected.slice(1).map((row) => row.slice(0, -1))).toEqual(CONTACT_ROWS);
      expect(rejected[1].at(-1)).toBe(
        'Date de naissance: not a valid date (expected YYYY-MM-DD); Langue: unknown language (expected fr or en); ' +
          'Abonnement: the value must be one of: Saison, Découverte; Courriel: not a valid email address; Téléphone: not a valid phone number',
      );
    });

    it('contacts (default, invalidFields=CLEAR): a field imported empty is reported by line, column and field, never its value', async () => {
      const run = await importFile(csv([CONTACT_HEADER, ...CONTACT_ROWS]), {
        strategy: 'UPSERT_BY_EXTERNAL_ID',
        source: 'billetterie',
        dedup: 'false',
      });
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 5, invalid: 3, fieldsCleared: 3, created: 2 } });
      const cleared = (field: string, reason: string) =>
        `imported without ${field}: ${reason} (as typed in entered.${field})`;
      expect(run.errors).toEqual([
        // refused for its attribute value: every reason is given, none as cleared
        { line: 2, column: 'Date de naissance', message: 'not a valid date (expected YYYY-MM-DD)' },
        { line: 2, column: 'Langue', message: 'unknown language (expected fr or en)' },
        { line: 2, column: 'Abonnement', message: 'the value must be one of: Saison, Découverte' },
        { line: 2, column: 'Courriel', message: 'not a valid email address' },
        { line: 2, column: 'Téléphone', message: 'not a valid phone number' },
        { line: 3, column: 'Téléphone', message: cleared('phone', 'not a valid phone number') },
        {
          line: 4,
          column: 'Date de naissance',
          message: cleared('birthDate', 'not a valid date (expected YYYY-MM-DD)'),
        },
        { line: 4, column: 'Langue', message: cleared('preferredLanguage', 'unknown language (expected fr or en)') },
        { line: 5, column: 'Abonnement', message: 'the value must be one of: Saison, Découverte' },
        { line: 6, column: 'Nom', message: 'the value is longer than 200 characters' },
      ]);
      expectNoValueIn(run.errors, valuesOf(CONTACT_ROWS));
      const rejected = await rejectedRows(run);
      expect(rejected.slice(1).map((row) => row[0])).toEqual(['C-7001', 'C-7004', 'C-7005']);
    });

    it('contacts: a file without a header line fails without quoting its first row, and its column names are cut short', async () => {
      const [first, second] = CONTACT_ROWS;
      const failed = await importFile(csv([first, second]), { dedup: 'false' });
      expect(failed).toMatchObject({
        status: 'FAILED',
        errors: [{ message: expect.stringMatching(/^No column of the file is a known field/) }],
      });
      expectNoValueIn(failed.errors, valuesOf([first, second]));

      // a first row that happens to hold a known name: it imports, and the other cells of that row name ignored columns
      const long = `Hélène Côté, 4521 rue Saint-Denis, Montréal H2X 3K8, née le 1980-04-03, tél. 514-555-0123`;
      const run = await importFile(`courriel;${long}\nmarc.tremblay@example.org;x\n`, { dedup: 'false' });
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 1, created: 1 } });
      expect(run.errors).toEqual([
        { line: 1, column: `${long.slice(0, 63)}…`, message: expect.stringContaining('was not imported') },
      ]);
      expect(run.errors[0].message).not.toMatch(/Hélène|514-555|1980/);
    });

    it('interactions: every bad row is reported by column and reason, and the rejected-rows file keeps the values', async () => {
      await importFile('No client;Prénom\nC-9001;Client\n', {
        strategy: 'UPSERT_BY_EXTERNAL_ID',
        source: 'billetterie',
        dedup: 'false',
      });
      const run = await importFile(
        csv([SALES_HEADER, ...SALES_ROWS]),
        { source: 'billetterie', dedup: 'false' },
        '/imports/interactions',
      );
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 6, invalid: 6, recorded: 0 } });
      expect(run.errors).toEqual([
        { line: 2, column: 'Date', message: 'not a date and time (YYYY-MM-DD HH:MM, local time, or ISO 8601)' },
        { line: 3, column: 'Montant', message: 'not an amount (e.g. 45.50 or 45,50)' },
        { line: 4, column: 'Type', message: expect.stringMatching(/^not an interaction type/) },
        { line: 5, column: 'Quantité', message: 'not a whole number' },
        { line: 6, column: 'Discipline', message: expect.stringMatching(/^not a discipline/) },
        { line: 7, column: 'No client', message: 'contact.email: not a valid email address' },
      ]);
      expectNoValueIn(run.errors, valuesOf(SALES_ROWS));
      const rejected = await rejectedRows(run);
      expect(rejected.slice(1).map((row) => row.slice(0, -1))).toEqual(SALES_ROWS);
      expect(rejected[1].at(-1)).toBe('Date: not a date and time (YYYY-MM-DD HH:MM, local time, or ISO 8601)');
    });

    it('audience members: rows naming no contact are reported without their values, kept in the rejected-rows file', async () => {
      const { createAudience } = await api.ok<any>(token, CREATE_AUDIENCE, {
        input: { name: 'Liste', kind: 'STATIC' },
      });
      const rows = [
        ['inconnue.personne@example.org', 'Inconnue'],
        ['C-inconnu-42', 'Numéro'],
      ];
      const run = await importFile(
        `courriel;no client;note\n${rows[0][0]};;${rows[0][1]}\n;${rows[1][0]};${rows[1][1]}\n`,
        { source: 'billetterie' },
        `/audiences/${createAudience.id}/members`,
      );
      expect(run).toMatchObject({ status: 'SUCCEEDED', counts: { rows: 2, notFound: 2 } });
      expect(run.errors).toEqual([
        { line: 2, column: null, message: 'no contact has this id, customer number or email' },
        { line: 3, column: null, message: 'no contact has this id, customer number or email' },
      ]);
      expectNoValueIn(run.errors, valuesOf(rows));
      const rejected = await rejectedRows(run);
      expect(rejected.slice(1).map((row) => row.slice(0, -1))).toEqual([
        [rows[0][0], '', rows[0][1]],
        ['', rows[1][0], rows[1][1]],
      ]);

      // a file without a header line: its first row is not quoted either
      const headless = await importFile(
        `${rows[0][0]};${rows[0][1]}\n${rows[1][0]};${rows[1][1]}\n`,
        {},
        `/audiences/${createAudience.id}/members`,
      );
      expect(headless).toMatchObject({
        status: 'FAILED',
        errors: [{ message: expect.stringMatching(/^The file has no contact id, customer number or email column/) }],
      });
      expectNoValueIn(headless.errors, valuesOf(rows));
    });
  },
);
