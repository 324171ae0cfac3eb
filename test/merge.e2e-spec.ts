import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/** Merging contacts and undoing it, over real HTTP; the database is read directly to compare whole rows. */
const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const MERGE_FIELDS =
  'id survivorId mergedIds fieldSources { field contactId } automatic score createdAt createdBy undoneAt undoneBy';
const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!, $fieldChoices: [MergeFieldChoiceInput!]) {
  mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds, fieldChoices: $fieldChoices) { ${MERGE_FIELDS} } }`;
const UNMERGE = `mutation($mergeId: ID!) { unmergeContacts(mergeId: $mergeId) { ${MERGE_FIELDS} } }`;
const HISTORY = `query($contactId: ID!) { mergeHistory(contactId: $contactId) { ${MERGE_FIELDS} } }`;
const CONTACT = `query($id: ID!) { contact(id: $id) {
  id firstName lastName email phone postalCode region city attributes entered { phone postalCode }
  tags { name } externalIds { source externalId } consents { purpose state }
  consentHistory(purpose: EMAIL_MARKETING) { status source proof } engagement { interactions amountCents } } }`;
const SEARCH = `query($filter: ContactFilterInput) { contacts(filter: $filter) { totalCount } }`;
const RECORD = `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted } }`;

describe('merging contacts', () => {
  let api: TestApi;
  let db: pg.Client;
  let owner: string;
  let orgId: string;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Merge Org'));
    await api.ok(
      owner,
      `mutation { defineAttribute(input: { key: "visits", label: "Visites", type: NUMBER }) { key } }`,
    );
    db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const create = async (input: Record<string, unknown>): Promise<string> =>
    (await api.ok<any>(owner, CREATE, { input })).createContact.id;
  const merge = async (survivorId: string, mergedIds: string[], fieldChoices?: unknown[], token = owner) =>
    api.gql<any>(token, MERGE, { survivorId, mergedIds, fieldChoices });
  const contact = async (id: string) => (await api.ok<any>(owner, CONTACT, { id })).contact;
  const errorOf = (result: { errors?: { extensions?: Record<string, unknown> }[] }) => result.errors?.[0].extensions;

  /** Every stored row of these contacts, as PostgreSQL has it (owner connection: no row-level security). */
  const rowsOf = async (ids: string[]) => {
    const read = async (sql: string) => (await db.query(sql, [ids])).rows.map((r) => r.row);
    return {
      contacts: await read('SELECT to_jsonb(c) AS row FROM contacts c WHERE id = ANY($1) ORDER BY id'),
      tags: await read(
        'SELECT to_jsonb(t) AS row FROM contact_tags t WHERE contact_id = ANY($1) ORDER BY contact_id, tag_id',
      ),
      externalIds: await read(
        'SELECT to_jsonb(x) AS row FROM contact_external_ids x WHERE contact_id = ANY($1) ORDER BY source, external_id',
      ),
      consents: await read('SELECT to_jsonb(r) AS row FROM consents r WHERE contact_id = ANY($1) ORDER BY id'),
      searchTokens: await read(
        'SELECT to_jsonb(s) AS row FROM contact_search_tokens s WHERE contact_id = ANY($1) ORDER BY token, contact_id',
      ),
      interactions: await read('SELECT to_jsonb(i) AS row FROM interactions i WHERE contact_id = ANY($1) ORDER BY id'),
      campaignMessages: await read(
        'SELECT to_jsonb(m) AS row FROM campaign_messages m WHERE contact_id = ANY($1) ORDER BY id',
      ),
    };
  };

  /** A survivor and two duplicates, created in this order (so the last is the most recently updated). */
  const duplicates = async () => {
    const survivor = await create({
      firstName: 'Hélène',
      lastName: 'Côté',
      email: 'helene.cote@example.org',
      city: 'Montréal',
      attributes: { visits: 3 },
      tags: ['abonné', 'vip'],
      externalIds: [{ source: 'billetterie', externalId: `B-${Math.random()}` }],
      consents: [
        {
          purpose: 'EMAIL_MARKETING',
          status: 'GRANTED',
          legalBasis: 'EXPRESS',
          source: 'form',
          occurredAt: '2025-06-01T00:00:00Z',
        },
      ],
    });
    const older = await create({
      firstName: 'Helene',
      lastName: 'Cote',
      phone: '514 872 0311',
      postalCode: 'h2x1y4',
      tags: ['abonné', 'donateur'],
      externalIds: [{ source: 'infolettre', externalId: `N-${Math.random()}` }],
      consents: [
        { purpose: 'EMAIL_MARKETING', status: 'WITHDRAWN', source: 'unsubscribe', occurredAt: '2025-03-01T00:00:00Z' },
        {
          purpose: 'SMS',
          status: 'GRANTED',
          legalBasis: 'EXPRESS',
          source: 'form',
          occurredAt: '2025-03-01T00:00:00Z',
        },
      ],
    });
    const newest = await create({
      firstName: 'Hélène',
      lastName: 'Côté-Tremblay',
      email: 'h.cote@example.org',
      attributes: { visits: 5 },
      tags: ['festival'],
      externalIds: [{ source: 'billetterie', externalId: `B-${Math.random()}` }],
    });
    const ids = [survivor, older, newest];
    // two interactions each: a merge moves them to the survivor, an undo moves them back
    const input = ids.flatMap((id, i) => [
      {
        contact: { id },
        type: 'TICKET_PURCHASE',
        occurredAt: `2025-0${i + 1}-10T19:00:00Z`,
        amountCents: 4500,
        quantity: 1,
      },
      { contact: { id }, type: 'EMAIL_OPENED', occurredAt: `2025-0${i + 1}-11T13:00:00Z`, campaign: 'NL-1' },
    ]);
    expect((await api.ok<any>(owner, RECORD, { input })).recordInteractions.accepted).toBe(6);
    // each was sent the same campaign: a merge gives the survivor all three messages (its figures stay whole)
    await db.query(
      `WITH c AS (INSERT INTO campaigns (org_id, name) VALUES ($1, 'Infolettre') RETURNING id)
       INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, status)
       SELECT $1, c.id, contact, 'helene.cote@example.org', 'fr', 'DELIVERED' FROM c, unnest($2::uuid[]) AS contact`,
      [orgId, ids],
    );
    return ids;
  };

  it('merges three contacts: values by recency or choice, every tag, external id and consent record, a withdrawal kept', async () => {
    const [s, m1, m2] = await duplicates();
    const result = await merge(
      s,
      [m1, m2],
      [
        { field: 'lastName', contactId: s },
        { field: 'attributes.visits', contactId: s },
      ],
    );
    expect(result.errors).toBeUndefined();
    const merged = result.data.mergeContacts;
    expect(merged).toMatchObject({
      survivorId: s,
      mergedIds: [m1, m2],
      automatic: false,
      score: null,
      undoneAt: null,
      undoneBy: null,
    });
    expect(merged.createdBy).toEqual(expect.any(String));
    const sources = Object.fromEntries(merged.fieldSources.map((f: any) => [f.field, f.contactId]));
    expect(sources).toMatchObject({
      firstName: m2,
      lastName: s,
      email: m2,
      phone: m1,
      postalCode: m1,
      city: s,
      'attributes.visits': s,
    });

    const survivor = await contact(s);
    expect(survivor).toMatchObject({
      firstName: 'Hélène',
      lastName: 'Côté',
      email: 'h.cote@example.org',
      phone: '+15148720311',
      postalCode: 'H2X 1Y4',
      region: 'Montréal',
      city: 'Montréal',
      attributes: { visits: 3 },
      entered: { phone: '514 872 0311', postalCode: 'h2x1y4' },
    });
    expect(survivor.tags.map((t: any) => t.name).sort()).toEqual(['abonné', 'donateur', 'festival', 'vip']);
    expect(survivor.externalIds).toHaveLength(3);
    expect(survivor.engagement).toMatchObject({ interactions: 6, amountCents: 13500 });
    const { rows: messages } = await db.query(
      'SELECT count(*)::int AS count FROM campaign_messages WHERE contact_id = $1',
      [s],
    );
    expect(messages[0].count).toBe(3);
    // the survivor's newer grant does not undo the merged contact's older withdrawal
    const state = (purpose: string) => survivor.consents.find((c: any) => c.purpose === purpose).state;
    expect([state('EMAIL_MARKETING'), state('SMS')]).toEqual(['WITHDRAWN', 'GRANTED']);
    expect(survivor.consentHistory.map((r: any) => r.source)).toEqual(['unsubscribe', 'form', 'merge']);
    expect(survivor.consentHistory[2].proof).toContain(m1);

    for (const id of [m1, m2]) expect(errorOf(await api.gql(owner, CONTACT, { id }))?.code).toBe('NOT_FOUND');
    for (const id of [s, m1, m2]) {
      expect((await api.ok<any>(owner, HISTORY, { contactId: id })).mergeHistory).toEqual([merged]);
    }
  });

  it('takes the most recent non-empty value by default', async () => {
    const [s, m1, m2] = await duplicates();
    const { data } = await merge(s, [m1, m2]);
    expect(data.mergeContacts.fieldSources).toContainEqual({ field: 'attributes.visits', contactId: m2 });
    expect(await contact(s)).toMatchObject({ lastName: 'Côté-Tremblay', attributes: { visits: 5 }, city: 'Montréal' });
  });

  it('undoes a merge exactly: every row as it was, found by search again, and not merged again by a run', async () => {
    const ids = await duplicates();
    const [s, m1, m2] = ids;
    const before = await rowsOf(ids);
    const search = async () =>
      (await api.ok<any>(owner, SEARCH, { filter: { search: 'helene cote', ids } })).contacts.totalCount;
    expect(await search()).toBe(3);

    const { data } = await merge(s, [m1, m2]);
    expect(await search()).toBe(1);
    const undone = (await api.ok<any>(owner, UNMERGE, { mergeId: data.mergeContacts.id })).unmergeContacts;
    expect(undone).toMatchObject({
      id: data.mergeContacts.id,
      undoneAt: expect.any(String),
      undoneBy: data.mergeContacts.createdBy,
    });

    expect(await rowsOf(ids)).toEqual(before);
    expect(await search()).toBe(3);
    expect((await api.ok<any>(owner, HISTORY, { contactId: m1 })).mergeHistory).toEqual([undone]);
    const pairs = await db.query(
      'SELECT contact_a, contact_b, status FROM duplicate_candidates WHERE contact_a = ANY($1) AND contact_b = ANY($1)',
      [ids],
    );
    expect(pairs.rows).toHaveLength(3);
    expect(pairs.rows.every((pair) => pair.status === 'DISMISSED')).toBe(true);

    const again = await api.gql(owner, UNMERGE, { mergeId: data.mergeContacts.id });
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT' });
    // a person can still merge them
    expect((await merge(s, [m1, m2])).errors).toBeUndefined();
  });

  it('keeps what was changed on the survivor after the merge', async () => {
    const [s, m1] = await duplicates();
    const { data } = await merge(s, [m1]);
    await api.ok(
      owner,
      `mutation($id: ID!) { updateContact(id: $id, input: { city: "Québec", attributes: { visits: 9 } }) { id } }`,
      { id: s },
    );
    await api.ok(owner, `mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["après"]) { affected } }`, {
      ids: [s],
    });
    await api.ok(
      owner,
      `mutation($id: ID!) { recordConsent(contactId: $id, input: { purpose: PROFILING, status: GRANTED, legalBasis: EXPRESS, source: "form" }) { id } }`,
      { id: s },
    );
    await api.ok(owner, UNMERGE, { mergeId: data.mergeContacts.id });

    const survivor = await contact(s);
    expect(survivor).toMatchObject({
      firstName: 'Hélène',
      lastName: 'Côté',
      phone: null,
      postalCode: null,
      city: 'Québec',
      attributes: { visits: 9 },
    });
    expect(survivor.tags.map((t: any) => t.name).sort()).toEqual(['abonné', 'après', 'vip']);
    expect(survivor.consents.find((c: any) => c.purpose === 'PROFILING').state).toBe('GRANTED');
    expect(survivor.consents.find((c: any) => c.purpose === 'EMAIL_MARKETING').state).toBe('GRANTED');
    expect(await contact(m1)).toMatchObject({
      lastName: 'Cote',
      phone: '+15148720311',
      tags: [{ name: 'abonné' }, { name: 'donateur' }],
    });
  });

  it('refuses to undo a merge whose survivor was merged into another contact since', async () => {
    const [s, m1, other] = await duplicates();
    const first = (await merge(s, [m1])).data.mergeContacts;
    const second = (await merge(other, [s])).data.mergeContacts;
    const refused = await api.gql<any>(owner, UNMERGE, { mergeId: first.id });
    expect(errorOf(refused)).toMatchObject({ code: 'CONFLICT' });
    expect(refused.errors?.[0].message).toContain(second.id);
    await api.ok(owner, UNMERGE, { mergeId: second.id });
    await api.ok(owner, UNMERGE, { mergeId: first.id });
    expect((await contact(m1)).id).toBe(m1);
  });

  it('lets only one of two concurrent merges of the same contact through, and loses nothing', async () => {
    const [a, shared, b] = await duplicates();
    const before = await rowsOf([a, shared, b]);
    const results = await Promise.all([merge(a, [shared]), merge(b, [shared])]);
    const winner = results.findIndex((r) => !r.errors);
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(errorOf(results[1 - winner])).toMatchObject({ code: 'CONFLICT', field: 'mergedIds.0' });
    const [survivor, loser] = winner === 0 ? [a, b] : [b, a];

    const after = await rowsOf([a, shared, b]);
    expect(after.contacts.map((c) => c.id).sort()).toEqual([a, b].sort());
    // every external id and consent record is still there, on the survivor when it was the shared contact's
    const owners = (rows: any[], key: (r: any) => string) =>
      new Map(rows.map((r) => [key(r), r.contact_id === shared ? survivor : r.contact_id]));
    expect(owners(after.externalIds, (x) => x.external_id)).toEqual(owners(before.externalIds, (x) => x.external_id));
    const recorded = after.consents.filter((r) => r.merge_id === null);
    expect(owners(recorded, (r) => r.id)).toEqual(owners(before.consents, (r) => r.id));
    expect(after.contacts.find((c) => c.id === loser)).toEqual(before.contacts.find((c) => c.id === loser));
  });

  it('names the field of a bad request and changes nothing', async () => {
    const [s, m1, m2] = await duplicates();
    const before = await rowsOf([s, m1, m2]);
    const cases: [string[], unknown[] | undefined, string][] = [
      [[], undefined, 'mergedIds'],
      [[m1, s], undefined, 'mergedIds.1'],
      [[m1, m1], undefined, 'mergedIds.1'],
      [['not-a-uuid'], undefined, 'mergedIds'],
      [Array.from({ length: 51 }, () => randomUUID()), undefined, 'mergedIds'],
      [[m1], [{ field: 'shoeSize', contactId: m1 }], 'fieldChoices.0.field'],
      [[m1], [{ field: 'email', contactId: m2 }], 'fieldChoices.0.contactId'],
    ];
    for (const [mergedIds, fieldChoices, field] of cases) {
      expect(errorOf(await merge(s, mergedIds, fieldChoices))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(errorOf(await merge(s, [randomUUID()]))).toMatchObject({ code: 'CONFLICT', field: 'mergedIds.0' });
    expect(await rowsOf([s, m1, m2])).toEqual(before);
  });

  it('lets EDITOR merge and undo; VIEWER and ANALYST only read the history', async () => {
    const [s, m1] = await duplicates();
    const editor = await api.memberKey(orgId, Role.EDITOR);
    const merged = (await merge(s, [m1], undefined, editor)).data.mergeContacts;
    for (const role of [Role.VIEWER, Role.ANALYST]) {
      const key = await api.memberKey(orgId, role);
      expect(errorOf(await merge(s, [m1], undefined, key))?.code).toBe('FORBIDDEN');
      expect(errorOf(await api.gql(key, UNMERGE, { mergeId: merged.id }))?.code).toBe('FORBIDDEN');
      expect((await api.ok<any>(key, HISTORY, { contactId: s })).mergeHistory.map((m: any) => m.id)).toEqual([
        merged.id,
      ]);
    }
    expect((await api.gql(editor, UNMERGE, { mergeId: merged.id })).errors).toBeUndefined();
  });

  it('keeps merges inside their organization', async () => {
    const [s, m1, m2] = await duplicates();
    const merged = (await merge(s, [m1])).data.mergeContacts;
    const before = await rowsOf([s, m1, m2]);
    const other = (await api.createOrganization('Other Org')).token;

    const foreignMerge = await merge(s, [m2], undefined, other);
    expect(errorOf(foreignMerge)?.code).toBe('CONFLICT');
    const foreignUndo = await api.gql(other, UNMERGE, { mergeId: merged.id });
    expect(errorOf(foreignUndo)?.code).toBe('NOT_FOUND');
    expect((await api.ok<any>(other, HISTORY, { contactId: s })).mergeHistory).toEqual([]);
    expect(JSON.stringify([foreignMerge, foreignUndo])).not.toMatch(/Hélène|Côté|example\.org/);
    expect(await rowsOf([s, m1, m2])).toEqual(before);
  });
});
