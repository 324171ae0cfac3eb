import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Role } from '@app/tenancy';
import { type GraphqlResponse, TestApi } from './support/test-app.js';

const CREATE_POOL = `mutation($input: CreatePoolInput!) { createPool(input: $input) { id } }`;
const INVITE = `mutation($poolId: ID!, $organizationId: ID!) { invitePoolMember(poolId: $poolId, organizationId: $organizationId) { id } }`;
const ACCEPT = `mutation($poolId: ID!) { acceptPoolInvitation(poolId: $poolId) { id } }`;
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const RECORD = `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted } }`;
const CREATE_AUDIENCE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`;
const ADD = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { size } }`;
const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { id size } }`;
const SET_BENCHMARKS = `mutation($poolId: ID!, $contribute: Boolean!) {
  setPoolBenchmarks(poolId: $poolId, contribute: $contribute) { poolId contributing figuresJobRun { id kind } } }`;
const BENCHMARKS = `query($poolId: ID!, $metric: PoolBenchmarkMetric!, $interval: PoolBenchmarkInterval!) {
  poolBenchmarks(poolId: $poolId, metric: $metric, interval: $interval) {
    poolId metric interval timeZone contributing
    periods { periodStart mine minePeople organizations median q1 q3 suppressed } } }`;
const BREAKDOWN = `query($id: ID!, $by: SegmentBreakdownDimension!) {
  sharedSegmentBreakdown(sharedSegmentId: $id, by: $by) { sharedSegmentId by buckets { key label people suppressed } } }`;

interface Org {
  id: string;
  owner: string;
  /** Tickets each of its buyers bought (in one order, PAST): its TICKETS_PER_BUYER. */
  tickets: number;
  contacts: string[];
}

interface Period {
  periodStart: string;
  mine: number | null;
  minePeople: number;
  organizations: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  suppressed: boolean;
}

const errorOf = (response: GraphqlResponse) => ({
  code: response.errors?.[0]?.extensions?.code,
  field: response.errors?.[0]?.extensions?.field,
});

/** Noon in Quebec on the 15th, `n` months ago (UTC months; n ≥ 3 is in a complete month and a complete quarter). */
const monthsAgo = (n: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - n, 15, 17)).toISOString();
};
/** When every organization's buyers bought. */
const PAST = monthsAgo(4);

describe('pool benchmarks and breakdowns over GraphQL (issue 15)', () => {
  let api: TestApi;
  let owner: pg.Client;
  let orgs: Org[];
  let outsider: Org;
  let pool: string;

  const make = async (name: string, tickets: number, people: number): Promise<Org> => {
    const created = await api.createOrganization(name);
    const org = { id: created.organization.id, owner: created.token, tickets, contacts: [] as string[] };
    for (let i = 0; i < people; i++) {
      const { createContact } = await api.ok<any>(org.owner, CREATE_CONTACT, {
        input: {
          firstName: `P${i}`,
          lastName: name,
          email: `p${i}@${name.toLowerCase().replace(/\W/g, '')}.example.org`,
          preferredLanguage: i < 7 ? 'FR' : 'EN',
        },
      });
      org.contacts.push(createContact.id);
    }
    // each contact buys `tickets` tickets in one order, and comes to one show
    await api.ok(org.owner, RECORD, {
      input: org.contacts.flatMap((id) => [
        { contact: { id }, type: 'TICKET_PURCHASE', occurredAt: PAST, quantity: tickets, discipline: 'théâtre' },
        { contact: { id }, type: 'ATTENDANCE', occurredAt: PAST, discipline: 'théâtre' },
      ]),
    });
    return org;
  };
  const contribute = async (org: Org, on = true) => {
    const { setPoolBenchmarks } = await api.ok<any>(org.owner, SET_BENCHMARKS, { poolId: pool, contribute: on });
    if (setPoolBenchmarks.figuresJobRun) {
      const run = await api.finishedRun(org.owner, setPoolBenchmarks.figuresJobRun.id);
      expect(run).toMatchObject({ kind: 'POOL_BENCHMARK_FIGURES', status: 'SUCCEEDED' });
      return run.counts as Record<string, number>;
    }
    return setPoolBenchmarks;
  };
  const benchmarks = async (org: Org, metric = 'TICKETS_PER_BUYER', interval = 'MONTH') =>
    (await api.ok<any>(org.owner, BENCHMARKS, { poolId: pool, metric, interval })).poolBenchmarks as {
      contributing: boolean;
      periods: Period[];
    };
  /** The period of the interactions (the one where my figure counts people). */
  const withData = (answer: { periods: Period[] }) => answer.periods.find((p) => p.minePeople > 0)!;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
    // k = 5: three organizations of 6 to 12 buyers are enough people
    orgs = [
      await make('Théâtre du Lac', 2, 12),
      await make('Salle Desjardins', 3, 6),
      await make('Festival des Neiges', 4, 6),
      await make('Maison de la culture', 1, 6),
      await make('Diffusion Est', 5, 6),
    ];
    outsider = await make('Ailleurs', 9, 6);
    pool = (
      await api.ok<any>(orgs[0].owner, CREATE_POOL, {
        input: { name: "Réseau des diffuseurs de l'Est", purposes: ['AUDIENCE_RESEARCH'], minGroupSize: 5 },
      })
    ).createPool.id;
    for (const org of orgs.slice(1)) {
      await api.ok(orgs[0].owner, INVITE, { poolId: pool, organizationId: org.id });
      await api.ok(org.owner, ACCEPT, { poolId: pool });
    }
  });
  afterAll(async () => {
    await owner?.end();
    await api?.close();
  });

  it('three contributing organizations: my figure against the median; no quartiles under five', async () => {
    for (const org of orgs.slice(0, 3)) expect(await contribute(org)).toMatchObject({ contributing: 1 });
    const answer = await benchmarks(orgs[0]);
    expect(answer).toMatchObject({
      poolId: pool,
      metric: 'TICKETS_PER_BUYER',
      interval: 'MONTH',
      timeZone: 'America/Toronto',
      contributing: true,
    });
    expect(answer.periods).toHaveLength(12);
    expect(withData(answer)).toMatchObject({
      mine: 2,
      minePeople: 12,
      organizations: 3,
      median: 3,
      q1: null,
      q3: null,
    });
    expect(withData(answer).suppressed).toBe(false);
    // a period with no one's figures: suppressed, never 0
    for (const period of answer.periods.filter((p) => p.minePeople === 0))
      expect(period).toMatchObject({ mine: null, organizations: 0, median: null, suppressed: true });
    // an ANALYST reads it too
    const analyst = await api.memberKey(orgs[0].id, Role.ANALYST);
    expect(
      (await api.ok<any>(analyst, BENCHMARKS, { poolId: pool, metric: 'TICKETS_PER_BUYER', interval: 'MONTH' }))
        .poolBenchmarks.periods,
    ).toEqual(answer.periods);
  });

  it('a member that does not contribute sees its own figures, and none of the pool', async () => {
    const org = orgs[3];
    // a campaign delivered to its 6 buyers and opened by 3; 2 of them active again the month after
    await api.ok(org.owner, RECORD, {
      input: org.contacts.flatMap((id, i) => [
        { contact: { id }, type: 'EMAIL_DELIVERED', occurredAt: PAST, campaign: 'printemps' },
        ...(i < 3 ? [{ contact: { id }, type: 'EMAIL_OPENED', occurredAt: PAST, campaign: 'printemps' }] : []),
        ...(i < 2 ? [{ contact: { id }, type: 'FORM_SUBMISSION', occurredAt: monthsAgo(3) }] : []),
      ]),
    });
    expect(withData(await benchmarks(org, 'EMAIL_OPEN_RATE'))).toMatchObject({ mine: 0.5, minePeople: 6 });
    const retention = withData(await benchmarks(org, 'RETENTION'));
    expect(retention).toMatchObject({ minePeople: 6, organizations: null, median: null });
    expect(retention.mine).toBeCloseTo(2 / 6);
    expect(new Date(retention.periodStart).getTime()).toBeGreaterThan(new Date(PAST).getTime());
    const answer = await benchmarks(orgs[3]);
    expect(answer.contributing).toBe(false);
    expect(withData(answer)).toMatchObject({
      mine: 1,
      minePeople: 6,
      organizations: null,
      median: null,
      suppressed: true,
    });
    // every metric and interval answers (mine computed from my own data only)
    const attendance = await benchmarks(orgs[3], 'ATTENDANCE_FREQUENCY', 'QUARTER');
    expect(attendance.periods).toHaveLength(8);
    expect(withData(attendance)).toMatchObject({ mine: 1, minePeople: 6 });
    expect((await benchmarks(orgs[3], 'RETENTION', 'YEAR')).periods).toHaveLength(3);
  });

  it('five contributing organizations: the quartiles too', async () => {
    for (const org of orgs.slice(3)) await contribute(org);
    // 1, 2, 3, 4, 5 tickets per buyer
    expect(withData(await benchmarks(orgs[1]))).toMatchObject({ mine: 3, organizations: 5, median: 3, q1: 2, q3: 4 });
  });

  it('the figures job is idempotent: running it again stores the same figures', async () => {
    const figures = async () =>
      (
        await owner.query(
          `SELECT metric, period_unit, period_start, value, people FROM pool_benchmark_figures WHERE org_id = $1
            ORDER BY 1, 2, 3`,
          [orgs[0].id],
        )
      ).rows;
    const before = await figures();
    expect(before.length).toBeGreaterThan(0);
    const counts = await contribute(orgs[0]);
    expect(counts).toEqual({ contributing: 1, figures: before.length });
    expect(await figures()).toEqual(before);
    // and the next day's run is waiting
    const { rows: waiting } = await owner.query(
      `SELECT count(*)::int AS n FROM job_runs WHERE org_id = $1 AND kind = 'pools.benchmark-figures' AND status = 'QUEUED'`,
      [orgs[0].id],
    );
    expect(waiting).toEqual([{ n: 1 }]);
  });

  it('stopping in the last pool deletes my figures; the pool goes back under five organizations', async () => {
    expect(await contribute(orgs[4], false)).toMatchObject({ contributing: false, figuresJobRun: null });
    const { rows } = await owner.query(`SELECT count(*)::int AS n FROM pool_benchmark_figures WHERE org_id = $1`, [
      orgs[4].id,
    ]);
    expect(rows).toEqual([{ n: 0 }]);
    expect(withData(await benchmarks(orgs[0]))).toMatchObject({ organizations: 4, median: 2.5, q1: null });
  });

  it('errors name the field: a pool I am not in, a malformed id, a role too low', async () => {
    const variables = { poolId: pool, metric: 'RETENTION', interval: 'YEAR' };
    expect(errorOf(await api.gql(outsider.owner, BENCHMARKS, variables))).toEqual({
      code: 'NOT_FOUND',
      field: 'poolId',
    });
    expect(errorOf(await api.gql(outsider.owner, SET_BENCHMARKS, { poolId: pool, contribute: true }))).toEqual({
      code: 'NOT_FOUND',
      field: 'poolId',
    });
    expect(errorOf(await api.gql(orgs[0].owner, BENCHMARKS, { ...variables, poolId: 'nope' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'poolId',
    });
    const viewer = await api.memberKey(orgs[0].id, Role.VIEWER);
    expect(errorOf(await api.gql(viewer, SET_BENCHMARKS, { poolId: pool, contribute: false }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await api.gql(viewer, BENCHMARKS, variables)).errors).toBeUndefined();
  });

  it("sharedSegmentBreakdown: a member reads a shared segment's people by language, small buckets suppressed", async () => {
    const [publisher, member] = orgs;
    const { createAudience } = await api.ok<any>(publisher.owner, CREATE_AUDIENCE, {
      input: { name: 'Abonnés', kind: 'STATIC' },
    });
    await api.ok(publisher.owner, ADD, { id: createAudience.id, target: { ids: publisher.contacts } });
    const { shareAudience } = await api.ok<any>(publisher.owner, SHARE, {
      input: { audienceId: createAudience.id, poolId: pool, purpose: 'AUDIENCE_RESEARCH' },
    });
    expect(shareAudience.size).toBe(12);
    const { sharedSegmentBreakdown } = await api.ok<any>(member.owner, BREAKDOWN, {
      id: shareAudience.id,
      by: 'PREFERRED_LANGUAGE',
    });
    // FR 7, EN 5, none 0: the empty bucket is under k, and with EN (the smallest shown) so that 12 − FR tells nothing
    expect(sharedSegmentBreakdown).toEqual({
      sharedSegmentId: shareAudience.id,
      by: 'PREFERRED_LANGUAGE',
      buckets: [
        { key: 'FR', label: 'French', people: expect.any(Number), suppressed: false },
        { key: 'EN', label: 'English', people: null, suppressed: true },
        { key: 'UNKNOWN', label: 'No preferred language', people: null, suppressed: true },
      ],
    });
    expect(sharedSegmentBreakdown.buckets[0].people % 5).toBe(0);
    const { rows: ledger } = await owner.query(
      `SELECT actor_org_id, data_org_ids FROM pool_ledger WHERE pool_id = $1 AND action = 'BREAKDOWN'`,
      [pool],
    );
    expect(ledger).toEqual([{ actor_org_id: member.id, data_org_ids: [publisher.id] }]);
    expect(errorOf(await api.gql(outsider.owner, BREAKDOWN, { id: shareAudience.id, by: 'DISCIPLINE' }))).toEqual({
      code: 'NOT_FOUND',
      field: 'sharedSegmentId',
    });
    expect(errorOf(await api.gql(member.owner, BREAKDOWN, { id: 'nope', by: 'DISCIPLINE' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'sharedSegmentId',
    });
  });
});
