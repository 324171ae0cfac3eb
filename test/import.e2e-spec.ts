import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/** Contact import over real HTTP: upload, the worker's job (in the API here), the contacts it leaves. */
const CONTACTS = `query($filter: ContactFilterInput) { contacts(first: 100, filter: $filter, sort: NAME) { totalCount edges { node {
  id firstName lastName email phone postalCode region city preferredLanguage birthDate attributes entered { phone email }
  externalIds { source externalId } tags { name } consents { purpose state } } } } }`;

/** Windows-1252 bytes, as Excel writes a French CSV (every accented letter here is in Latin-1). */
const cp1252 = (text: string) => Buffer.from(text, 'latin1');

const BOX_OFFICE = [
  'No client;Prénom;Nom;Courriel;Téléphone;Code postal;Ville;Langue;Date de naissance;Abonnement;Remarque',
  'C001;Hélène;Côté;Helene.Cote@Example.org ;514 555-0101;h2x1y4;Montréal;français;1980-03-04;Saison;VIP',
  'C002;François;Bélanger;francois@example.org;(418) 555-0102;G1R 2B5;Québec;en;;;',
  'C003;Zoé;Lévesque;pas-un-courriel;514-555-0103;;;fr;;;',
  'C004;Marc;Gagnon;marc@example.org;12;;;;;;',
  'C005;Anne;Roy;anne@example.org;;;;;1975-02-30;;',
  'C006;Luc;Pelletier;luc@example.org;;;;klingon;;Mystère;',
  '',
  'C007;"Marie; dite ""Mimi""";Tremblay;marie@example.org;450.555.0107;j4k 2t8;Longueuil;fr;;;',
].join('\r\n');

describe('contact import', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Import Org', {
      RUN_JOBS_IN_API: 'true',
      IMPORT_MAX_BYTES: String(256 * 1024),
    }));
    await api.ok(
      owner,
      `mutation { defineAttribute(input: { key: "season_pass", label: "Abonnement", type: CHOICE, choices: ["Saison", "Découverte"] }) { key } }`,
    );
  });
  afterAll(() => api.close());

  const contacts = async (token = owner, filter: Record<string, unknown> = {}) =>
    (await api.ok<any>(token, CONTACTS, { filter })).contacts;
  const importFile = async (body: Buffer | string | FormData, options: Record<string, string>, token = owner) => {
    const upload = await api.upload(token, body, options);
    expect(upload).toMatchObject({ status: 202, body: { status: 'QUEUED' } });
    return api.finishedRun(token, upload.body.jobRunId);
  };

  // invalidFields=REJECT, the strict option: a row with an invalid email, phone, date or language is refused (the
  // default, CLEAR, imports it without that field: see 'keeps the person when one field is bad' below)
  const STRICT = { strategy: 'UPSERT_BY_EXTERNAL_ID', source: 'billetterie', invalidFields: 'REJECT' };

  it('imports an Excel French export (Windows-1252, ";") strictly, keeping the good rows and reporting each bad one', async () => {
    const run = await importFile(cp1252(BOX_OFFICE), STRICT);
    expect(run).toMatchObject({
      kind: 'IMPORT_CONTACTS',
      status: 'SUCCEEDED',
      attempts: 1,
      counts: { rows: 7, invalid: 4, fieldsCleared: 0, created: 3, updated: 0, ignoredColumns: 1 },
    });
    expect(run.errors).toEqual([
      { line: 1, column: 'Remarque', message: expect.stringContaining('was not imported') },
      { line: 4, column: 'Courriel', message: 'not a valid email address' },
      { line: 5, column: 'Téléphone', message: 'not a valid phone number' },
      { line: 6, column: 'Date de naissance', message: expect.stringContaining('not a valid date') },
      { line: 7, column: 'Langue', message: expect.stringContaining('unknown language') },
      { line: 7, column: 'Abonnement', message: expect.stringContaining('Saison, Découverte') },
    ]);

    const { edges } = await contacts();
    const byId = Object.fromEntries(edges.map(({ node }: any) => [node.externalIds[0].externalId, node]));
    expect(Object.keys(byId).sort()).toEqual(['C001', 'C002', 'C007']);
    expect(byId.C001).toMatchObject({
      firstName: 'Hélène',
      lastName: 'Côté',
      email: 'helene.cote@example.org',
      phone: '+15145550101',
      postalCode: 'H2X 1Y4',
      city: 'Montréal',
      region: 'Montréal',
      preferredLanguage: 'FR',
      birthDate: '1980-03-04',
      attributes: { season_pass: 'Saison' },
      externalIds: [{ source: 'billetterie', externalId: 'C001' }],
    });
    expect(byId.C001.entered).toMatchObject({ phone: '514 555-0101', email: 'Helene.Cote@Example.org' });
    expect(byId.C002).toMatchObject({
      firstName: 'François',
      city: 'Québec',
      preferredLanguage: 'EN',
      postalCode: 'G1R 2B5',
    });
    expect(byId.C007).toMatchObject({ firstName: 'Marie; dite "Mimi"', phone: '+14505550107', postalCode: 'J4K 2T8' });

    // the rejected rows, as the file had them plus an error column, to fix and import again
    const response = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${owner}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    expect(lines[0]).toBe(
      'No client;Prénom;Nom;Courriel;Téléphone;Code postal;Ville;Langue;Date de naissance;Abonnement;Remarque;error',
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^C003;Zoé;Lévesque;pas-un-courriel;.*;Courriel: /);

    // the fixed file imports; its error column is ignored
    const fixed = text
      .replace('pas-un-courriel', 'zoe@example.org')
      .replace(';12;', ';514-555-0104;')
      .replace('1975-02-30', '1975-02-28')
      .replace('klingon', 'fr')
      .replace('Mystère', 'Découverte');
    const again = await importFile(Buffer.from(fixed), STRICT);
    expect(again.counts).toMatchObject({ rows: 4, invalid: 0, created: 4, ignoredColumns: 1 });
    expect((await contacts()).totalCount).toBe(7);
  });

  it('previews an import with dryRun: the counts and rejected rows, no change to contacts', async () => {
    const before = await contacts();
    const csv =
      'No client;Prénom;Courriel\nC001;Hélène-Marie;\nC900;Nouvelle;nouvelle@example.org\nC901;Mauvaise;pas-un-courriel\n;;personne@\n';
    const run = await importFile(csv, {
      strategy: 'UPSERT_BY_EXTERNAL_ID',
      source: 'billetterie',
      dryRun: 'true',
      tags: 'aperçu',
    });
    expect(run.counts).toMatchObject({ rows: 4, invalid: 1, fieldsCleared: 1, created: 2, updated: 1, dryRun: 1 });
    expect(await contacts()).toEqual(before);
    const rejected = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${owner}` } });
    expect((await rejected.text()).trim().split('\n')).toHaveLength(2);
  });

  it('keeps the person when one field is bad: imported without it, as typed in entered, reported by line and field', async () => {
    const csv = [
      'prénom,nom,courriel,téléphone,date de naissance',
      'Aline,Sansmail,aline@@example,514-555-0201,1990-05-06',
      'Bruno,Sanstel,bruno@example.org,12345,1985-01-02',
      'Carole,Future,carole@example.org,514-555-0203,2999-01-01',
      'Denis,Impossible,denis@example.org,,2023-02-30',
      ',,pas-un-courriel,,1970-01-01',
    ].join('\n');
    const typed = ['aline@@example', '12345', '2999-01-01', '2023-02-30', 'pas-un-courriel'];

    // the strict option refuses all five
    const strict = await importFile(csv, { invalidFields: 'REJECT', dryRun: 'true' });
    expect(strict.counts).toMatchObject({ rows: 5, invalid: 5, fieldsCleared: 0, created: 0 });

    const run = await importFile(csv, {});
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      counts: { rows: 5, invalid: 1, fieldsCleared: 4, created: 4 },
    });
    const cleared = (field: string, reason: string) =>
      `imported without ${field}: ${reason} (as typed in entered.${field})`;
    expect(run.errors).toEqual([
      { line: 2, column: 'courriel', message: cleared('email', 'not a valid email address') },
      { line: 3, column: 'téléphone', message: cleared('phone', 'not a valid phone number') },
      {
        line: 4,
        column: 'date de naissance',
        message: cleared('birthDate', 'must be a real date as YYYY-MM-DD, not in the future'),
      },
      {
        line: 5,
        column: 'date de naissance',
        message: cleared('birthDate', 'not a valid date (expected YYYY-MM-DD)'),
      },
      { line: 6, column: 'courriel', message: 'not a valid email address' },
      { line: 6, column: null, message: expect.stringContaining('nothing identifies this person') },
    ]);
    for (const value of typed) expect(JSON.stringify(run.errors)).not.toContain(value);
    // only the refused row is in the rejected-rows file
    const rejected = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${owner}` } });
    const lines = (await rejected.text()).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^,,pas-un-courriel,,1970-01-01,/);

    const people = async () =>
      Object.fromEntries(
        (
          await api.ok<any>(
            owner,
            `{ contacts(first: 100) { edges { node {
              firstName lastName email phone birthDate entered { email phone birthDate } } } } }`,
          )
        ).contacts.edges
          .filter(({ node }: any) => ['Aline', 'Bruno', 'Carole', 'Denis', 'Émile'].includes(node.firstName))
          .map(({ node }: any) => [node.firstName, node]),
      );
    let byName = await people();
    expect(Object.keys(byName).sort()).toEqual(['Aline', 'Bruno', 'Carole', 'Denis']);
    expect(byName.Aline).toMatchObject({
      lastName: 'Sansmail',
      email: null,
      phone: '+15145550201',
      birthDate: '1990-05-06',
      entered: { email: 'aline@@example' },
    });
    expect(byName.Bruno).toMatchObject({ phone: null, birthDate: '1985-01-02', entered: { phone: '12345' } });
    expect(byName.Carole).toMatchObject({
      phone: '+15145550203',
      birthDate: null,
      entered: { birthDate: '2999-01-01' },
    });
    expect(byName.Denis).toMatchObject({
      email: 'denis@example.org',
      birthDate: null,
      entered: { birthDate: '2023-02-30' },
    });

    // upserts: a bad value never replaces a good one (nor stands beside it in entered); a good value replaces the bad
    const update = [
      'courriel,téléphone,date de naissance,prénom',
      'carole@example.org,514-55,,',
      'bruno@example.org,0000,,',
      'denis@example.org,,1980-07-08,',
      'emile@example.org,555,,Émile',
      'emile@example.org,,,Émile',
    ].join('\n');
    const upsert = await importFile(update, { strategy: 'UPSERT_BY_EMAIL' });
    expect(upsert.counts).toMatchObject({
      rows: 5,
      invalid: 0,
      fieldsCleared: 3,
      created: 1,
      updated: 2,
      unchanged: 1,
      repeated: 1,
    });
    byName = await people();
    expect(byName.Carole).toMatchObject({
      phone: '+15145550203',
      entered: { phone: '514-555-0203', birthDate: '2999-01-01' },
    });
    expect(byName.Bruno).toMatchObject({ phone: null, entered: { phone: '0000' } });
    expect(byName.Denis).toMatchObject({ birthDate: '1980-07-08', entered: { birthDate: null } });
    expect(byName['Émile']).toMatchObject({ phone: null, entered: { phone: '555' } });
  });

  it('is idempotent: the same file again creates and changes nothing', async () => {
    const before = await contacts();
    const run = await importFile(cp1252(BOX_OFFICE), STRICT);
    expect(run.counts).toMatchObject({ rows: 7, invalid: 4, created: 0, updated: 0, unchanged: 3 });
    expect(await contacts()).toEqual(before);
  });

  it('upserts: a non-blank cell replaces, a blank cell never erases', async () => {
    const csv = 'No client,Courriel,Téléphone,Ville\nC001,,514-555-0199,\nC002,francois@example.org,,Lévis\n';
    const run = await importFile(csv, { strategy: 'UPSERT_BY_EXTERNAL_ID', source: 'billetterie' });
    expect(run.counts).toMatchObject({ rows: 2, created: 0, updated: 2, unchanged: 0 });
    const { edges } = await contacts();
    const helene = edges.find(({ node }: any) => node.firstName === 'Hélène').node;
    expect(helene).toMatchObject({ email: 'helene.cote@example.org', phone: '+15145550199', city: 'Montréal' });
    expect(helene.entered).toMatchObject({ phone: '514-555-0199', email: 'Helene.Cote@Example.org' });
    expect(edges.find(({ node }: any) => node.firstName === 'François').node).toMatchObject({
      city: 'Lévis',
      phone: '+14185550102',
    });
  });

  it('reads UTF-16 with a BOM, tab-separated, English headers, sent as a multipart form with its options', async () => {
    const text =
      'First name\tLast name\tE-mail\tPhone\tPostal code\tLanguage\nJohn\tSmith\tjohn@example.org\t+1 613 555 0100\tK1A 0B1\tEnglish\n';
    const form = new FormData();
    form.append('strategy', 'UPSERT_BY_EMAIL');
    form.append('tags', 'newsletter, 2026');
    form.append(
      'file',
      new Blob([Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])]),
      'list.csv',
    );
    const run = await importFile(form, {});
    expect(run.counts).toMatchObject({ rows: 1, created: 1, tagLinks: 2 });
    const { edges } = await contacts(owner, { search: 'smith' });
    expect(edges[0].node).toMatchObject({
      firstName: 'John',
      email: 'john@example.org',
      preferredLanguage: 'EN',
      postalCode: 'K1A 0B1',
    });
    expect(edges[0].node.tags.map((t: any) => t.name).sort()).toEqual(['2026', 'newsletter']);
  });

  it('merges the rows of one person within a file (UPSERT_BY_EMAIL), later non-blank values winning', async () => {
    const csv =
      'courriel,prénom,nom,téléphone,ville\npat@example.org,Pat,Ouellet,,Gatineau\nPAT@example.org,Patricia,,819-555-0111,\n';
    const run = await importFile(csv, { strategy: 'UPSERT_BY_EMAIL' });
    expect(run.counts).toMatchObject({ rows: 2, created: 1, repeated: 1 });
    const { edges } = await contacts(owner, { search: 'pat@example.org' });
    expect(edges).toHaveLength(1);
    expect(edges[0].node).toMatchObject({
      firstName: 'Patricia',
      lastName: 'Ouellet',
      phone: '+18195550111',
      city: 'Gatineau',
    });
  });

  it('CREATE_ONLY creates the new people and leaves the matched ones alone; rows without email or id match by identity', async () => {
    const csv =
      'email,first name,last name,city\npat@example.org,Someone,Else,Nowhere\nnew@example.org,New,Person,Laval\n,Solo,Person,Laval\n';
    const first = await importFile(csv, {});
    expect(first.counts).toMatchObject({ rows: 3, created: 2, skipped: 1 });
    expect((await contacts(owner, { search: 'pat@example.org' })).edges[0].node.firstName).toBe('Patricia');
    const second = await importFile(csv, {});
    expect(second.counts).toMatchObject({ rows: 3, created: 0, skipped: 3 });
  });

  it('records the consent given with the import once, and never over a withdrawal', async () => {
    const options = {
      strategy: 'UPSERT_BY_EMAIL',
      consentPurposes: 'EMAIL_MARKETING',
      consentLegalBasis: 'EXPRESS',
      consentSource: 'formulaire 2026',
    };
    const csv = 'email,first name\nconsent1@example.org,Un\nconsent2@example.org,Deux\n';
    expect((await importFile(csv, options)).counts).toMatchObject({ created: 2, consentsRecorded: 2 });
    const [one] = (await contacts(owner, { search: 'consent1' })).edges;
    await api.ok(
      owner,
      `mutation($id: ID!) { recordConsent(contactId: $id, input: { purpose: EMAIL_MARKETING, status: WITHDRAWN, source: "désabonnement" }) { id } }`,
      { id: one.node.id },
    );
    expect((await importFile(csv, options)).counts).toMatchObject({ created: 0, consentsRecorded: 0 });
    const states = Object.fromEntries(
      (await contacts(owner, { search: 'consent' })).edges.map(({ node }: any) => [
        node.firstName,
        node.consents[0]?.state,
      ]),
    );
    expect(states).toEqual({ Un: 'WITHDRAWN', Deux: 'GRANTED' });
  });

  it('refuses bad options naming the field, wrong roles, and files over the size limit', async () => {
    expect(await api.upload(owner, 'email\na@b.org\n', { strategy: 'MERGE' })).toMatchObject({
      status: 400,
      body: { error: { code: 'BAD_USER_INPUT', field: 'strategy' } },
    });
    expect(await api.upload(owner, 'email\na@b.org\n', { strategy: 'UPSERT_BY_EXTERNAL_ID' })).toMatchObject({
      status: 400,
      body: { error: { field: 'source' } },
    });
    expect(await api.upload(owner, 'email\na@b.org\n', { colour: 'blue' })).toMatchObject({
      status: 400,
      body: { error: { field: 'colour' } },
    });
    expect(
      await api.upload(owner, 'email\na@b.org\n', { consentPurposes: 'EMAIL_MARKETING', consentSource: 'x' }),
    ).toMatchObject({
      status: 400,
      body: { error: { field: 'consentLegalBasis' } },
    });
    const viewer = await api.memberKey(orgId, Role.VIEWER);
    expect(await api.upload(viewer, 'email\na@b.org\n', {})).toMatchObject({ status: 403 });
    const big = `email\n${'someone@example.org\n'.repeat(15_000)}`;
    expect(await api.upload(owner, big, {})).toMatchObject({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', field: 'file' } },
    });
    const runs = await api.ok<any>(
      owner,
      `{ jobRuns(first: 50, filter: { kinds: [IMPORT_CONTACTS], statuses: [QUEUED] }) { edges { node { id } } } }`,
    );
    expect(runs.jobRuns.edges).toEqual([]);
  });

  it('fails a file without a single known column at once, with a message that says why', async () => {
    const run = await importFile('colour,size\nblue,XL\n', {});
    expect(run).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(run.errors[0].message).toMatch(/^No column of the file is a known field/);
    // header names are file content (the first row of a file without a header line): not quoted
    expect(run.errors[0].message).not.toMatch(/colour|size/);
  });
});
