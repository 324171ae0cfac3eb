import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestApi } from './support/test-app.js';

/** Importing interactions from a box-office CSV over real HTTP: contacts found or created, bad rows reported, idempotent. */
const TIMELINE = `query($id: ID!) { contact(id: $id) { interactions(first: 50) { edges { node {
  type occurredAt offeringId offeringName discipline venue amountCents currency quantity channel campaign source externalId } } } } }`;

/** Windows-1252 bytes, as Excel writes a French CSV: Latin-1, and "œ" (0x9C, not in Latin-1). */
const cp1252 = (text: string) =>
  Buffer.concat(
    text
      .split('œ')
      .flatMap((part, i) => (i ? [Buffer.from([0x9c]), Buffer.from(part, 'latin1')] : [Buffer.from(part, 'latin1')])),
  );

describe('interactions import', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
  });
  afterAll(() => api.close());

  const importFile = async (token: string, file: string | Buffer, options: Record<string, string>) => {
    const upload = await api.upload(token, file, options, '/imports/interactions');
    expect(upload.status).toBe(202);
    return api.finishedRun(token, upload.body.jobRunId);
  };

  it('reads a French box-office export (Windows-1252, ";", local times, comma decimals): finds contacts, reports each bad row, keeps the good ones', async () => {
    const { token } = await api.createOrganization('Billetterie');
    const create = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
    const known = (
      await api.ok<any>(token, create, {
        input: { firstName: 'Hélène', externalIds: [{ source: 'billetterie', externalId: 'C1' }] },
      })
    ).createContact.id;
    const byEmail = (await api.ok<any>(token, create, { input: { firstName: 'Marc', email: 'marc@example.org' } }))
      .createContact.id;
    const file = [
      'No transaction;No client;Courriel;Type;Date;Spectacle;No spectacle;Discipline;Salle;Montant;Quantité;Canal;Campagne;Remarque',
      'T1;C1;;Achat de billets;2025-10-03 19:30;Les Belles-Sœurs;S1;Théâtre;Salle Wilfrid-Pelletier;"1 234,50 $";2;web;PROMO10;x',
      'T2;C1;;Présence;2025-10-10 20:00;Les Belles-Sœurs;S1;Théâtre;Salle Wilfrid-Pelletier;;2;;;',
      'T3;;marc@example.org;Don;2025-12-31 23:30;;;;;50;;téléphone;;',
      'T4;C1;;Achat de billets;2025-02-30 19:30;;;;;10;1;;;',
      'T5;C1;;Achat de billets;2025-10-04 19:30;;;;;douze;1;;;',
      'T6;C9;;Présence;2025-10-04 19:30;;;;;;;;;',
      'T7;C1;;Jonglerie;2025-10-04 19:30;;;;;;;;;',
      'T1;C1;;Achat de billets;2025-10-03 19:30;Les Belles-Sœurs;S1;Théâtre;Salle Wilfrid-Pelletier;"1 234,50 $";2;web;PROMO10;x',
    ].join('\r\n');
    const run = await importFile(token, cp1252(file), { source: 'billetterie' });
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      counts: { rows: 8, recorded: 3, duplicates: 1, invalid: 4, contactsCreated: 0, ignoredColumns: 1 },
    });
    expect(run.errors).toEqual([
      { line: 1, column: 'Remarque', message: expect.stringContaining('not imported') },
      { line: 5, column: 'Date', message: expect.stringContaining('not a date and time') },
      { line: 6, column: 'Montant', message: expect.stringContaining('not an amount') },
      { line: 7, column: 'No client', message: expect.stringContaining('no contact') },
      { line: 8, column: 'Type', message: expect.stringContaining('not an interaction type') },
    ]);
    const { contact } = await api.ok<any>(token, TIMELINE, { id: known });
    expect(contact.interactions.edges.map((e: any) => e.node)).toEqual([
      {
        type: 'ATTENDANCE',
        occurredAt: '2025-10-11T00:00:00.000Z',
        offeringId: 'S1',
        offeringName: 'Les Belles-Sœurs',
        discipline: 'THEATRE',
        venue: 'Salle Wilfrid-Pelletier',
        amountCents: null,
        currency: null,
        quantity: 2,
        channel: null,
        campaign: null,
        source: 'billetterie',
        externalId: 'T2',
      },
      {
        // 19:30 in Montréal in October is 23:30 UTC
        type: 'TICKET_PURCHASE',
        occurredAt: '2025-10-03T23:30:00.000Z',
        offeringId: 'S1',
        offeringName: 'Les Belles-Sœurs',
        discipline: 'THEATRE',
        venue: 'Salle Wilfrid-Pelletier',
        amountCents: 123_450,
        currency: 'CAD',
        quantity: 2,
        channel: 'web',
        campaign: 'PROMO10',
        source: 'billetterie',
        externalId: 'T1',
      },
    ]);
    // December: 23:30 in Montréal is 04:30 UTC the next day
    const marc = await api.ok<any>(token, TIMELINE, { id: byEmail });
    expect(
      marc.contact.interactions.edges.map((e: any) => [e.node.type, e.node.occurredAt, e.node.amountCents]),
    ).toEqual([['DONATION', '2026-01-01T04:30:00.000Z', 5000]]);

    const rejected = await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${token}` } });
    const text = await rejected.text();
    expect(text.split('\n')[0]).toBe(
      'No transaction;No client;Courriel;Type;Date;Spectacle;No spectacle;Discipline;Salle;Montant;Quantité;Canal;Campagne;Remarque;error',
    );
    expect(
      text
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(';')[0]),
    ).toEqual(['T4', 'T5', 'T6', 'T7']);

    // importing the same file again records nothing new
    const again = await importFile(token, cp1252(file), { source: 'billetterie' });
    expect(again.counts).toMatchObject({ recorded: 0, duplicates: 4, invalid: 4 });
  });

  it('creates the contacts it does not know with createContacts, once per person, and takes the type from the options', async () => {
    const { token } = await api.createOrganization('Dons');
    const file = [
      'Donor ID,First name,Last name,Email,Date,Amount',
      'D1,Anne,Smith,anne@example.org,2025-05-01,100.00',
      'D1,Anne,Smith,anne@example.org,2025-06-01,25.5',
      'D2,,,bob@example.org,2025-06-02T10:00:00Z,"1,000.00"',
      ',,,carl@example.org,2025-06-03,5',
      ',,,,2025-06-03,5',
    ].join('\n');
    const run = await importFile(token, file, {
      source: 'dons',
      type: 'DONATION',
      createContacts: 'true',
      dedup: 'false',
    });
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      counts: { rows: 5, recorded: 4, invalid: 1, contactsCreated: 3 },
    });
    expect(run.errors).toEqual([{ line: 6, column: 'Donor ID', message: expect.stringContaining('contact') }]);
    const anne = (
      await api.ok<any>(
        token,
        `{ contactByExternalId(source: "dons", externalId: "D1") { id firstName lastName email engagement { interactions amountCents } } }`,
      )
    ).contactByExternalId;
    expect(anne).toMatchObject({
      firstName: 'Anne',
      lastName: 'Smith',
      email: 'anne@example.org',
      engagement: { interactions: 2, amountCents: 12_550 },
    });
    const total = await api.ok<any>(
      token,
      '{ engagementStats(filter: {}) { totals { interactions uniqueContacts amountCents } } }',
    );
    expect(total.engagementStats.totals).toEqual({
      interactions: 4,
      uniqueContacts: 3,
      amountCents: 12_550 + 100_000 + 500,
    });
  });

  it('refuses a file that does not say whose or when, and options it does not know, naming them', async () => {
    const { token } = await api.createOrganization('Refus');
    const noDate = await importFile(token, 'No client;Type\nC1;Don\n', {});
    expect(noDate).toMatchObject({
      status: 'FAILED',
      errors: [{ message: expect.stringContaining('no date column') }],
    });
    const noType = await importFile(token, 'No client;Date\nC1;2025-01-01\n', {});
    expect(noType.errors[0].message).toContain('type option');
    const bad = await api.upload(token, 'x', { strategy: 'UPSERT_BY_EMAIL' }, '/imports/interactions');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT', field: 'strategy' } } });
  });
});
