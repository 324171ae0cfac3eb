import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Role } from '@app/tenancy';
import { errorOf, POOL_GQL, poolOrganization, type PoolOrg as Org } from './support/pools.js';
import { TestApi } from './support/test-app.js';

const OVERLAP = `query($id: ID!, $audienceId: ID) { segmentOverlap(sharedSegmentId: $id, audienceId: $audienceId) {
  sharedSegmentId overlap overlapSuppressed newReach newReachSuppressed effectiveMinGroupSize } }`;
const MATRIX = `query($poolId: ID!) { poolOverlapMatrix(poolId: $poolId) { segmentA segmentB overlap suppressed effectiveMinGroupSize } }`;
const LEDGER = `query($poolId: ID!, $first: Int, $after: String) { poolLedger(poolId: $poolId, first: $first, after: $after) {
  edges { cursor node { at action askedBy askedByMe askedByUserId dataOrganizations sharedSegmentIds purpose outcome { name value } } }
  pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { id } }`;

const { CREATE_POOL, INVITE, ACCEPT, CREATE_CONTACT, CREATE_AUDIENCE, ADD } = POOL_GQL;

/**
 * What members learn over GraphQL (issue 15): segmentOverlap, poolOverlapMatrix, poolLedger and the ledger's CSV. The
 * counts' disclosure control itself is tested in SQL (test/pool-aggregates.int-spec.ts, pool-differencing.int-spec.ts).
 */
describe('pool aggregates over GraphQL (segmentOverlap, poolOverlapMatrix, poolLedger, ledger.csv)', () => {
  let api: TestApi;
  let owner: pg.Client;
  let a: Org;
  let b: Org;
  let c: Org;
  let pool: string;
  let aSegment: string;
  let bSegment: string;
  let bSmall: string;
  let aAudience: string;

  /** Contacts of `org` with these emails, in a new static audience; its id. */
  const audience = async (org: Org, name: string, emails: string[]) => {
    const ids: string[] = [];
    for (const email of emails)
      ids.push((await api.ok<any>(org.owner, CREATE_CONTACT, { input: { lastName: name, email } })).createContact.id);
    const { createAudience } = await api.ok<any>(org.owner, CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } });
    await api.ok<any>(org.owner, ADD, { id: createAudience.id, target: { ids } });
    return createAudience.id as string;
  };
  const emails = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => `agg${from + i}@e2e.example`);
  const download = (token: string | null, poolId: string) =>
    fetch(`${api.url}/pools/${poolId}/ledger.csv`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    api = await TestApi.start();
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
    const make = (name: string) => poolOrganization(api, name);
    a = await make('Théâtre Agrégé');
    b = await make('Salle Curieuse');
    c = await make('Festival Ailleurs');
    pool = (
      await api.ok<any>(a.owner, CREATE_POOL, {
        input: { name: 'Réseau des chiffres', purposes: ['AUDIENCE_RESEARCH'], minGroupSize: 5 },
      })
    ).createPool.id;
    // a fixed secret (before anything is fingerprinted): the same noise on every run
    await owner.query(`UPDATE pool_secrets SET secret = $2 WHERE pool_id = $1`, [pool, randomBytes(32).fill(3)]);
    await api.ok(a.owner, INVITE, { poolId: pool, organizationId: b.id });
    await api.ok(b.owner, ACCEPT, { poolId: pool });
    // a publishes 12 people; b holds 10 of them and 2 of its own
    aAudience = await audience(a, 'Abonnés A', emails(0, 12));
    const bAll = await audience(b, 'Public B', [...emails(2, 12), 'own1@b.example', 'own2@b.example']);
    bSmall = (await api.ok<any>(b.owner, CREATE_AUDIENCE, { input: { name: 'Trois', kind: 'STATIC' } })).createAudience
      .id;
    const three = await owner.query<{ id: string }>(`SELECT id FROM contacts WHERE org_id = $1 AND email = ANY ($2)`, [
      b.id,
      emails(2, 5),
    ]);
    await api.ok<any>(b.owner, ADD, { id: bSmall, target: { ids: three.rows.map((row) => row.id) } });
    const share = async (org: Org, audienceId: string) =>
      (
        await api.ok<any>(org.owner, SHARE, {
          input: { audienceId, poolId: pool, purpose: 'AUDIENCE_RESEARCH' },
        })
      ).shareAudience.id as string;
    aSegment = await share(a, aAudience);
    bSegment = await share(b, bAll);
  });
  afterAll(async () => {
    await owner.end();
    await api.close();
  });

  it('segmentOverlap: the people of a segment I hold and the new reach, noisy, null under k', async () => {
    const { segmentOverlap } = await api.ok<any>(b.owner, OVERLAP, { id: aSegment });
    expect(segmentOverlap).toMatchObject({
      sharedSegmentId: aSegment,
      overlapSuppressed: false,
      // 2 people of 12 are new: under k
      newReach: null,
      newReachSuppressed: true,
      effectiveMinGroupSize: 5,
    });
    expect(segmentOverlap.overlap % 5).toBe(0);
    expect(segmentOverlap.overlap).toBeGreaterThanOrEqual(5);
    // one of my audiences: 3 people held, under k
    expect((await api.ok<any>(b.owner, OVERLAP, { id: aSegment, audienceId: bSmall })).segmentOverlap).toMatchObject({
      overlap: null,
      overlapSuppressed: true,
      newReachSuppressed: false,
    });
    // every role reads aggregates; the same question, the same answer
    for (const role of [Role.ANALYST, Role.VIEWER, Role.EDITOR]) {
      const key = await api.memberKey(b.id, role);
      expect((await api.ok<any>(key, OVERLAP, { id: aSegment })).segmentOverlap).toEqual(segmentOverlap);
    }
  });

  it('segmentOverlap refusals name the field: NOT_FOUND, BAD_USER_INPUT, TOO_MANY_REQUESTS', async () => {
    expect(errorOf(await api.gql(c.owner, OVERLAP, { id: aSegment }))).toEqual({
      code: 'NOT_FOUND',
      field: 'sharedSegmentId',
    });
    expect(errorOf(await api.gql(b.owner, OVERLAP, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual({
      code: 'NOT_FOUND',
      field: 'sharedSegmentId',
    });
    expect(errorOf(await api.gql(b.owner, OVERLAP, { id: aSegment, audienceId: aAudience }))).toEqual({
      code: 'NOT_FOUND',
      field: 'audienceId',
    });
    expect(errorOf(await api.gql(b.owner, OVERLAP, { id: aSegment, audienceId: 'nope' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'audienceId',
    });
    // a has asked 20 different questions of b's segment today (written as the owner): a new one is refused
    await owner.query(
      `INSERT INTO pool_ledger (pool_id, actor_org_id, action, data_org_ids, segment_ids, question)
       SELECT $1, $2, 'OVERLAP', ARRAY[$3]::uuid[], ARRAY[$4]::uuid[], sha256(int4send(i)) FROM generate_series(1, 20) i`,
      [pool, a.id, b.id, bSegment],
    );
    const refused = await api.gql(a.owner, OVERLAP, { id: bSegment });
    expect(errorOf(refused)).toEqual({ code: 'TOO_MANY_REQUESTS', field: undefined });
    expect(refused.errors?.[0]?.message).toMatch(/20 different questions/);
  });

  it('poolOverlapMatrix: for the steward and the ANALYST, ADMIN, OWNER of its members', async () => {
    const { poolOverlapMatrix } = await api.ok<any>(a.owner, MATRIX, { poolId: pool });
    expect(poolOverlapMatrix).toEqual([
      {
        segmentA: aSegment,
        segmentB: bSegment,
        overlap: expect.any(Number),
        suppressed: false,
        effectiveMinGroupSize: 5,
      },
    ]);
    // the steward's every role; a member's analysts and administrators, not its editors or viewers
    expect(
      (await api.ok<any>(await api.memberKey(a.id, Role.VIEWER), MATRIX, { poolId: pool })).poolOverlapMatrix,
    ).toEqual(poolOverlapMatrix);
    for (const role of [Role.ANALYST, Role.ADMIN])
      expect((await api.ok<any>(await api.memberKey(b.id, role), MATRIX, { poolId: pool })).poolOverlapMatrix).toEqual(
        poolOverlapMatrix,
      );
    for (const role of [Role.VIEWER, Role.EDITOR])
      expect(errorOf(await api.gql(await api.memberKey(b.id, role), MATRIX, { poolId: pool }))).toMatchObject({
        code: 'FORBIDDEN',
      });
    // a non-member is told NOT_FOUND whatever its role
    expect(errorOf(await api.gql(await api.memberKey(c.id, Role.VIEWER), MATRIX, { poolId: pool }))).toEqual({
      code: 'NOT_FOUND',
      field: 'poolId',
    });
  });

  it('poolLedger: who asked, whose data, what came out; the steward reads all, a member its part; paged', async () => {
    const read = async (token: string, first = 100, after: string | null = null) =>
      (await api.ok<any>(token, LEDGER, { poolId: pool, first, after })).poolLedger;
    const all = (await read(a.owner)).edges.map((edge: any) => edge.node);
    const { rows: count } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1`,
      [pool],
    );
    expect(all).toHaveLength(count[0].n);
    // newest first: the matrices b's analyst and administrator asked last
    expect(all[0]).toMatchObject({ action: 'OVERLAP_MATRIX', askedBy: b.name, askedByMe: false, askedByUserId: null });
    expect(all.find((entry: any) => entry.action === 'OVERLAP_MATRIX' && entry.askedBy === a.name)).toMatchObject({
      action: 'OVERLAP_MATRIX',
      askedBy: a.name,
      askedByMe: true,
      askedByUserId: expect.any(String),
      dataOrganizations: expect.arrayContaining([a.name, b.name]),
      sharedSegmentIds: [aSegment, bSegment],
      purpose: 'AUDIENCE_RESEARCH',
      outcome: [{ name: `${aSegment}:${bSegment}`, value: expect.any(Number) }],
    });
    const bQuestion = all.find((entry: any) => entry.action === 'OVERLAP' && entry.askedBy === b.name);
    expect(bQuestion).toMatchObject({
      askedByMe: false,
      askedByUserId: null,
      dataOrganizations: [a.name],
      sharedSegmentIds: [aSegment],
    });
    expect(bQuestion.outcome).toHaveLength(2);
    expect(bQuestion.outcome).toEqual(
      expect.arrayContaining([
        { name: 'overlap', value: expect.any(Number) },
        { name: 'newReach', value: null },
      ]),
    );
    expect(all.find((entry: any) => entry.action === 'SHARE' && entry.askedBy === a.name)).toMatchObject({
      outcome: [{ name: 'people', value: 12 }],
    });
    // b: what it asked, what was asked of its data (its share, a's matrix and a's questions), not a's share
    const ofB = (await read(b.owner)).edges.map((edge: any) => edge.node);
    expect(ofB.every((entry: any) => entry.askedBy === b.name || entry.dataOrganizations.includes(b.name))).toBe(true);
    expect(ofB.length).toBeLessThan(all.length);
    // pages of 2, newest first, without a gap or a repeat
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await read(a.owner, 2, after);
      seen.push(...page.edges.map((edge: any) => `${edge.node.at}${edge.node.action}${edge.node.askedBy}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((entry: any) => `${entry.at}${entry.action}${entry.askedBy}`));
    // a non-member: NOT_FOUND, as for a pool that does not exist; bad paging: BAD_USER_INPUT
    expect(errorOf(await api.gql(c.owner, LEDGER, { poolId: pool }))).toEqual({ code: 'NOT_FOUND', field: 'poolId' });
    expect(errorOf(await api.gql(a.owner, LEDGER, { poolId: pool, first: 0 }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(errorOf(await api.gql(a.owner, LEDGER, { poolId: pool, after: 'bm9wZQ' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });

  it('GET /pools/:id/ledger.csv: the same entries as CSV, to members only', async () => {
    const response = await download(a.owner, pool);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="pool-${pool}-ledger.csv"`);
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('at,action,asked_by,asked_by_me,data_organizations,shared_segment_ids,purpose,outcome');
    const { rows: count } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1`,
      [pool],
    );
    expect(lines).toHaveLength(count[0].n + 1);
    expect(lines[1]).toContain(`,OVERLAP_MATRIX,${b.name},no,`);
    // an analyst of a member reads its organization's part
    const analyst = await download(await api.memberKey(b.id, Role.ANALYST), pool);
    expect(analyst.status).toBe(200);
    expect((await analyst.text()).trim().split('\n').length).toBeLessThan(lines.length);
    // a non-member, a pool that does not exist, no key
    expect((await download(c.owner, pool)).status).toBe(404);
    expect((await download(a.owner, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await download(null, pool)).status).toBe(401);
  });
});
