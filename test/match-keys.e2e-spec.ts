import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { TenantContexts, TenantDb } from '@app/database';
import {
  BLOCKING_KEYS,
  coherentClusters,
  compareCandidates,
  forEachPair,
  DuplicateFinder,
  keyHashesOf,
  MATCH_RECORD_VERSION,
  MatchKeysService,
  type MatchRecord,
  NameFrequencies,
  PairScorer,
  type ScoredPair,
} from '@app/dedup';
import { Role } from '@app/tenancy';
import { writeQuebecPeopleCsv } from '../bench/dedup/quebec-people.js';
import { TestApi } from './support/test-app.js';

/**
 * Stored match keys (contact_match_records, contact_match_keys, contact_match_names): written by every writer of
 * contacts, read by possibleDuplicates, createContact(onDuplicate: REJECT), an import's counts and incremental runs.
 */
const CREATE = `mutation($input: CreateContactInput!, $onDuplicate: OnDuplicate) {
  createContact(input: $input, onDuplicate: $onDuplicate) { id } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`;
const DELETE = `mutation($id: ID!) { deleteContact(id: $id) }`;
const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!) { mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds) { id } }`;
const UNMERGE = `mutation($mergeId: ID!) { unmergeContacts(mergeId: $mergeId) { id } }`;
const DISMISS = `mutation($contactIds: [ID!]!) { dismissDuplicate(contactIds: $contactIds) }`;
const POSSIBLE = `query($id: ID!) { contact(id: $id) { id possibleDuplicates {
  score matchingFields contact { id firstName lastName } evidence { field level a b weight } } } }`;
const PAGE = `{ contacts(first: 50) { edges { node { id possibleDuplicates { score contact { id } } } } } }`;
const START = `mutation($scope: DedupScope!, $since: DateTime, $contactIds: [ID!]) { startDedupRun(scope: $scope, since: $since, contactIds: $contactIds) { id } }`;
const CANDIDATES = `{ duplicateCandidates(first: 200) { edges { node { score contactA { id } contactB { id } } } } }`;
const RUN_TIMEOUT = 120_000;

const HELENE = {
  firstName: 'Hélène',
  lastName: 'Côté',
  email: 'helene.cote@example.org',
  phone: '514 555-0101',
  addressLine1: '45 av. du Parc',
  city: 'Montréal',
  postalCode: 'H2X 1Y4',
  birthDate: '1980-03-04',
};
/** Hélène again, typed in a hurry: a typo in the last name and the email, the same phone and birth date. */
const HELENE_TYPO = {
  firstName: 'Helene',
  lastName: 'Coté',
  email: 'helene.cotte@example.org',
  phone: '5145550101',
  birthDate: '1980-03-04',
};
const ROBERT = {
  firstName: 'Robert',
  lastName: 'Gagnon',
  email: 'robert.gagnon@example.org',
  phone: '418 555-0102',
  birthDate: '1972-06-15',
};

describe('stored match keys', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;
  let db: pg.Client;

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Match Keys Org', { RUN_JOBS_IN_API: 'true' }));
    db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await api.close();
  });

  const create = async (input: Record<string, unknown>, token = owner) =>
    (await api.ok<any>(token, CREATE, { input })).createContact.id as string;
  /** What is stored for a contact, read as the owner (no row-level security). */
  const stored = async (contactId: string) => {
    const {
      rows: [record],
    } = await db.query<{ version: number; fresh: boolean; record: MatchRecord }>(
      `SELECT r.version, r.contact_updated_at = c.updated_at AS fresh, r.record FROM contact_match_records r
         JOIN contacts c ON c.org_id = r.org_id AND c.id = r.contact_id WHERE r.contact_id = $1`,
      [contactId],
    );
    const { rows: keys } = await db.query<{ hash: number }>(
      'SELECT key_hash AS hash FROM contact_match_keys WHERE contact_id = $1 ORDER BY 1',
      [contactId],
    );
    const { rows: names } = await db.query<{ name: string }>(
      'SELECT name FROM contact_match_names WHERE contact_id = $1 ORDER BY 1',
      [contactId],
    );
    return { record, keys: keys.map((k) => k.hash), names: names.map((n) => n.name) };
  };
  /** The stored keys are those of the stored record, and the record is current. */
  const expectCurrent = async (contactId: string) => {
    const { record, keys, names } = await stored(contactId);
    expect(record).toMatchObject({ version: MATCH_RECORD_VERSION, fresh: true });
    expect(keys).toEqual(keyHashesOf(record.record).sort((a, b) => a - b));
    expect(names.length).toBeGreaterThan(0);
    return record.record;
  };
  const possible = async (contactId: string, token = owner) =>
    (await api.ok<any>(token, POSSIBLE, { id: contactId })).contact.possibleDuplicates as any[];
  it('writes the keys on create and update, and drops them on delete', async () => {
    const id = await create(ROBERT);
    const before = await expectCurrent(id);
    expect(before).toMatchObject({ first: 'robert', last: 'gagnon', email: 'robert.gagnon@example.org' });

    await api.ok(owner, UPDATE, { id, input: { email: 'bob.gagnon@example.org', lastName: 'Gagnon-Roy' } });
    const after = await expectCurrent(id);
    expect(after.email).toBe('bob.gagnon@example.org');
    expect((await stored(id)).keys).not.toEqual(keyHashesOf(before).sort((a, b) => a - b));
    expect((await stored(id)).names).toContain('last:gagnon roy');

    await api.ok(owner, DELETE, { id });
    expect(await stored(id)).toEqual({ record: undefined, keys: [], names: [] });
  });

  it('lists a typed-again duplicate right after createContact, and leaves it out once dismissed', async () => {
    const helene = await create(HELENE);
    await create(ROBERT);
    const typo = await create(HELENE_TYPO);

    const found = await possible(typo);
    expect(found).toHaveLength(1);
    expect(found[0].contact).toMatchObject({ id: helene, firstName: 'Hélène', lastName: 'Côté' });
    expect(found[0].score).toBeGreaterThanOrEqual(0.8);
    expect(found[0].matchingFields).toEqual(expect.arrayContaining(['firstName', 'lastName', 'phone', 'birthDate']));
    expect(found[0].matchingFields).not.toContain('city'); // missing on one side: not a match
    // this contact's values on the `a` side
    expect(found[0].evidence.find((e: any) => e.field === 'email')).toMatchObject({
      a: 'helene.cotte@example.org',
      b: 'helene.cote@example.org',
    });
    // both ways
    expect((await possible(helene)).map((p) => p.contact.id)).toEqual([typo]);

    // a page of contacts asks once for all of them
    const { contacts } = await api.ok<any>(owner, PAGE);
    const byId = new Map(contacts.edges.map(({ node }: any) => [node.id, node.possibleDuplicates]));
    expect((byId.get(typo) as any[]).map((p) => p.contact.id)).toEqual([helene]);

    await api.ok(owner, DISMISS, { contactIds: [helene, typo] });
    expect(await possible(typo)).toEqual([]);
    expect(await possible(helene)).toEqual([]);
  });

  it('lists a contact that agrees on names alone when nothing disagrees and the name is rare, for review only', async () => {
    // an organization of 40 other names: in a handful of contacts, every name is common
    const { token } = await api.createOrganization('Match Keys Names Alone');
    for (let i = 0; i < 40; i++) await create({ firstName: `Personne${i}`, lastName: `Témoin${i}` }, token);
    const ophelie = { firstName: 'Ophélie', lastName: 'Vanasse', city: 'Rimouski' };
    const first = await create({ ...ophelie, email: 'ophelie.vanasse@example.org' }, token);
    const again = await create(ophelie, token);
    const found = await possible(again, token);
    expect(found.map((p) => p.contact.id)).toEqual([first]);
    expect(found[0].score).toBeGreaterThanOrEqual(0.8);
    expect(found[0].score).toBeLessThan(0.99);
    expect(found[0].matchingFields).toEqual(['firstName', 'lastName', 'city']);
  });

  it('refuses a create with onDuplicate REJECT when a likely duplicate exists, naming it without its values', async () => {
    const count = async () =>
      (await db.query('SELECT count(*)::int AS n FROM contacts WHERE org_id = $1', [orgId])).rows[0].n as number;
    const louis = {
      firstName: 'Louis',
      lastName: 'Bergeron',
      email: 'louis.bergeron@example.org',
      birthDate: '1970-01-30',
    };
    const original = await create(louis);
    const before = await count();
    const refused = await api.gql<any>(owner, CREATE, {
      input: { ...louis, lastName: 'Bergerron', phone: '418 555-0111' },
      onDuplicate: 'REJECT',
    });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'onDuplicate' });
    expect(refused.errors?.[0].message).toContain(original);
    expect(refused.errors?.[0].message).not.toMatch(/louis|berger|555|1970/i);
    expect(await count()).toBe(before);

    // someone else entirely is created, REJECT or not
    const other = await api.ok<any>(owner, CREATE, {
      input: { firstName: 'Ophélie', lastName: 'Vanasse', email: 'ovanasse@example.org' },
      onDuplicate: 'REJECT',
    });
    expect(other.createContact.id).toBeTruthy();
    expect(await count()).toBe(before + 1);
  });

  it('keeps the keys through a merge and its undo', async () => {
    const a = await create({ firstName: 'Sylvie', lastName: 'Bouchard', email: 'sylvie.b@example.org' });
    const b = await create({ firstName: 'Sylvie', lastName: 'Bouchard', phone: '819 555-0113' });
    const { mergeContacts } = await api.ok<any>(owner, MERGE, { survivorId: a, mergedIds: [b] });
    const merged = await expectCurrent(a);
    expect(merged).toMatchObject({ email: 'sylvie.b@example.org', phone: '8195550113' });
    expect(await stored(b)).toEqual({ record: undefined, keys: [], names: [] });

    await api.ok(owner, UNMERGE, { mergeId: mergeContacts.id });
    expect((await expectCurrent(a)).phone).toBe('');
    expect((await expectCurrent(b)).phone).toBe('8195550113');
  });

  it('never shows another organization possible duplicates, and does not let its people meet ours', async () => {
    const other = await api.createOrganization('Match Keys Other');
    const theirs = await create(HELENE_TYPO, other.token);
    expect(await possible(theirs, other.token)).toEqual([]);
    const ours = await create({ ...HELENE_TYPO, email: 'h.cote@example.org' });
    expect((await possible(ours)).map((p) => p.contact.id)).not.toContain(theirs);
    const crossed = await api.gql<any>(other.token, POSSIBLE, { id: ours });
    expect(crossed.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets EDITOR read possible duplicates, not VIEWER', async () => {
    const id = await create({ firstName: 'Minh', lastName: 'Nguyen', email: 'minh@example.org' });
    const editor = await api.memberKey(orgId, Role.EDITOR);
    expect(await possible(id, editor)).toEqual(expect.any(Array));
    const viewer = await api.memberKey(orgId, Role.VIEWER);
    const refused = await api.gql<any>(viewer, POSSIBLE, { id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
  });

  describe('imports and runs', () => {
    let org: { token: string; orgId: string };
    let rows: string[];
    let header: string;
    const file = join(tmpdir(), `match-keys-${process.pid}.csv`);

    beforeAll(async () => {
      const created = await api.createOrganization('Match Keys Import Org');
      org = { token: created.token, orgId: created.organization.id };
      await writeQuebecPeopleCsv(file, { people: 1_800, duplicateRate: 0.1, seed: 7 });
      [header, ...rows] = (await readFile(file, 'utf8')).trim().split(/\r\n/);
      await rm(file, { force: true });
    });

    const importRows = async (lines: string[]) => {
      const upload = await api.upload(org.token, [header, ...lines].join('\n'), {
        strategy: 'CREATE_ALL',
        dedup: 'false',
      });
      expect(upload.status).toBe(202);
      const run = await api.finishedRun(org.token, upload.body.jobRunId, RUN_TIMEOUT);
      expect(run).toMatchObject({ status: 'SUCCEEDED' });
      return run;
    };
    const inOrg = <T>(work: () => Promise<T>) => TenantContexts.run({ orgId: org.orgId }, work);

    it(
      'counts the new rows of an import that look like contacts already there; the next run writes their keys',
      async () => {
        const base = rows.slice(0, -200);
        const first = await importRows(base);
        // nothing existed before: nothing to look like (two look-alike rows of one file are a run's to find)
        expect(first.counts).toMatchObject({ created: base.length, likelyDuplicates: 0 });
        // an import does not write keys (it would double its time): the next run's catch-up does
        expect(await inOrg(() => api.app.get(MatchKeysService).catchUp())).toBe(base.length);
        const { rows: missing } = await db.query(
          `SELECT count(*)::int AS n FROM contacts c WHERE c.org_id = $1 AND NOT EXISTS
             (SELECT 1 FROM contact_match_records r WHERE r.org_id = c.org_id AND r.contact_id = c.id AND r.version = $2)`,
          [org.orgId, MATCH_RECORD_VERSION],
        );
        expect(missing[0].n).toBe(0);

        const since = new Date();
        const added = await importRows(rows.slice(-200));
        // about 10% of the records are duplicates of another, most of whom are already there
        expect(added.counts.likelyDuplicates).toBeGreaterThan(5);
        expect(added.counts.likelyDuplicates).toBeLessThan(60);
        expect(await inOrg(() => api.app.get(MatchKeysService).catchUp())).toBe(200);

        const newIds = (
          await db.query<{ id: string }>('SELECT id FROM contacts WHERE org_id = $1 AND created_at >= $2', [
            org.orgId,
            since,
          ])
        ).rows.map((r) => r.id);
        expect(newIds).toHaveLength(200);

        // the candidates of the new contacts from the stored keys: every pair a full run would compare, same scores
        const [input, incremental] = await inOrg(async () => {
          const all = await api.app.get(MatchKeysService).loadAll(() => Promise.resolve());
          const found = await api.app
            .get(TenantDb)
            .transaction((tx) => api.app.get(DuplicateFinder).candidatesOf(tx, newIds, { size: all.table.size }));
          return [all, found] as const;
        });
        const { table, hashes } = input;
        const id = (row: number) => table.id.at(row);
        const focus = new Uint8Array(table.size);
        const fresh = new Set(newIds);
        for (let row = 0; row < table.size; row++) focus[row] = fresh.has(id(row)) ? 1 : 0;
        const full = await compareCandidates(input, focus);
        const fullPairs = new Map<string, number>();
        // the pairs sharing a key value (a full run also compares neighbours in name order: sorted keys)
        const keys = BLOCKING_KEYS.length;
        const shareKey = (i: number, j: number) =>
          BLOCKING_KEYS.some(
            (key, k) => !key.sorted && hashes[i * keys + k] !== 0 && hashes[i * keys + k] === hashes[j * keys + k],
          );
        forEachPair(full, (a, b, pattern) => {
          if (shareKey(a, b)) fullPairs.set(`${id(a)}|${id(b)}`, pattern);
        });
        const incrementalPairs = new Map<string, number>();
        for (let p = 0; p < incremental.pairs.count; p++) {
          const [a, b] = [
            incremental.records[incremental.pairs.left[p]],
            incremental.records[incremental.pairs.right[p]],
          ];
          incrementalPairs.set(`${a.id}|${b.id}`, incremental.pairs.score[p]);
        }
        expect(fullPairs.size).toBeGreaterThan(50);
        const lost = [...fullPairs.keys()].filter((pair) => !incrementalPairs.has(pair));
        expect(lost).toEqual([]);
        // organization-wide name frequencies (the run gives the exact size; else it is counted once a minute): a full
        // run's scorer gives the same scores
        const scorer = new PairScorer(incremental.scorer.parameters, new NameFrequencies(table));
        const rowOf = new Map(table.id.values.map((contactId, number) => [contactId, number - 1]));
        const rowsOf = (pair: string) => pair.split('|').map((contactId) => rowOf.get(contactId)!);
        for (const [pair, pattern] of fullPairs) {
          const [a, b] = rowsOf(pair);
          expect(incrementalPairs.get(pair)).toBeCloseTo(scorer.score(table, a, b, pattern), 10);
        }
        // fewer contacts read than the organization holds
        expect(incremental.records.length).toBeLessThan(table.size);

        // the incremental run finds at least what a full comparison of the new contacts finds
        const run = await runDedupIn(org.token, { scope: 'CHANGED_SINCE', since: since.toISOString() });
        expect(run.counts).toMatchObject({ contacts: table.size, focused: 200 });
        expect(run.counts.loaded).toBeLessThan(table.size);
        const { duplicateCandidates } = await api.ok<any>(org.token, CANDIDATES);
        const stored = new Set(
          duplicateCandidates.edges.map(({ node }: any) => [node.contactA.id, node.contactB.id].sort().join('|')),
        );
        const expected = [...fullPairs].filter(([pair, pattern]) => {
          const [a, b] = rowsOf(pair);
          return scorer.score(table, a, b, pattern) >= 0.8;
        });
        expect(expected.length).toBeGreaterThan(5);
        // what the run stores of them: the links coherent clustering keeps (one that would join two groups whose
        // other pairs disagree is left out)
        const idsOf = ({ a, b }: ScoredPair) => `${incremental.records[a].id}|${incremental.records[b].id}`;
        const links = Array.from({ length: incremental.pairs.count }, (_, p) => ({
          a: incremental.pairs.left[p],
          b: incremental.pairs.right[p],
          score: incremental.pairs.score[p],
        })).filter((link) => link.score >= 0.8);
        const kept = new Set(
          coherentClusters(incremental.records.length, links, (a, b) =>
            incremental.scorer.compareAndScore(incremental.table, a, b),
          ).links.map(idsOf),
        );
        expect(expected.filter(([pair]) => kept.has(pair)).length).toBeGreaterThan(expected.length * 0.9);
        expect(expected.filter(([pair]) => kept.has(pair) && !stored.has(pair))).toEqual([]);
      },
      RUN_TIMEOUT * 2,
    );

    it(
      'catches up, at the start of a run, contacts written without their keys and records of an older version: a focused run only its own',
      async () => {
        const { rows: inserted } = await db.query<{ id: string }>(
          `INSERT INTO contacts (org_id, first_name, last_name, email) VALUES ($1, 'Raw', 'Insert', 'raw@example.org') RETURNING id`,
          [org.orgId],
        );
        await db.query(`UPDATE contact_match_records SET version = version - 1 WHERE org_id = $1`, [org.orgId]);
        const { rows: total } = await db.query('SELECT count(*)::int AS n FROM contacts WHERE org_id = $1', [
          org.orgId,
        ]);
        const staleCount = async () =>
          (
            await db.query('SELECT count(*)::int AS n FROM contact_match_records WHERE org_id = $1 AND version <> $2', [
              org.orgId,
              MATCH_RECORD_VERSION,
            ])
          ).rows[0].n;
        const focused = await runDedupIn(org.token, { scope: 'CONTACT_IDS', contactIds: [inserted[0].id] });
        expect(focused.counts).toMatchObject({ caughtUp: 1 });
        await expectCurrent(inserted[0].id);
        expect(await staleCount()).toBe(total[0].n - 1);

        const full = await runDedupIn(org.token, { scope: 'ALL' });
        expect(full.counts).toMatchObject({ caughtUp: total[0].n - 1 });
        expect(await staleCount()).toBe(0);
        // nothing left to do
        expect((await runDedupIn(org.token, { scope: 'ALL' })).counts).toMatchObject({ caughtUp: 0 });
      },
      RUN_TIMEOUT * 2,
    );

    const runDedupIn = async (token: string, variables: Record<string, unknown>) => {
      const { startDedupRun } = await api.ok<any>(token, START, variables);
      const run = await api.finishedRun(token, startDedupRun.id, RUN_TIMEOUT);
      expect(run).toMatchObject({ status: 'SUCCEEDED', errors: [] });
      return run;
    };
  });
});
