import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { Role } from '@app/tenancy';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { type GraphqlResponse, TestApi } from './support/test-app.js';
import { setTenant } from './support/tenant-claim.js';
import { sleep } from './support/wait.js';

/**
 * Audiences over real HTTP, with the jobs and the change listener running in the API under test: dynamic audiences
 * materialized and kept current as contacts change, static lists, overlaps, exports and analytics by audience, roles
 * and tenant isolation. Expected members come from an in-memory model of the contacts and the rule.
 *
 * "Settled" (nothing left for the audience jobs to do) is read from the database as its owner: no contact noted as
 * changed and no audience job waiting or running. The API shows neither (a sync does not make an audience REFRESHING),
 * and waiting for the expected members instead would hide a sync that does too much, or nothing.
 */
const AUDIENCE_FIELDS = 'id name kind rule timeRelative dependsOn status refreshedAt size';
const CREATE = `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { ${AUDIENCE_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateAudienceInput!) { updateAudience(id: $id, input: $input) { ${AUDIENCE_FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteAudience(id: $id) }`;
const REFRESH = `mutation($id: ID!) { refreshAudience(id: $id) { id kind status } }`;
const AUDIENCE = `query($id: ID!) { audience(id: $id) { ${AUDIENCE_FIELDS} sizeHistory { at size entered left reason } } }`;
const MEMBERS = `query($id: ID!, $first: Int, $after: String) { audience(id: $id) { size
  members(first: $first, after: $after) { totalCount edges { cursor node { id firstName lastName email } } pageInfo { hasNextPage endCursor } } } }`;
const PREVIEW = `query($rule: AudienceRuleInput!) { previewAudience(rule: $rule) { count sample { id firstName lastName email } } }`;
const OVERLAP = `query($ids: [ID!]!) { audienceOverlap(ids: $ids) { intersections { audienceIds size } union } }`;
const ADD = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { addAudienceMembers(id: $id, target: $target) { affected size } }`;
const REMOVE = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { removeAudienceMembers(id: $id, target: $target) { affected size } }`;
const CREATE_CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const RECORD = `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted rejected } }`;
const CONTACT_IDS = `query($filter: ContactFilterInput) { contacts(first: 100, filter: $filter) { totalCount edges { node { id } } } }`;
const STATS = `query($filter: EngagementFilterInput!) { engagementStats(filter: $filter) { totals { interactions uniqueContacts amountCents } } }`;
const EXPORT = `mutation($filter: ContactFilterInput, $format: ExportFormat!) { startExport(filter: $filter, format: $format) { id } }`;

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
const SETTLE_TIMEOUT_MS = 60_000;

/** What the test knows of a contact, enough to evaluate its rules. */
interface Person {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  city: string;
  tags: Set<string>;
  consent: 'GRANTED' | 'WITHDRAWN' | 'UNKNOWN';
  /** Dance interactions in the last 365 days. */
  recentDance: number;
  /** Every interaction recorded, and their CAD amounts. */
  interactions: number;
  amountCents: number;
}

/** firstName, lastName, city, tags, EMAIL_MARKETING granted, dance tickets in the year, 400 days ago, music tickets in the year. */
type PersonSpec = [string, string, string, string[], boolean, number, number, number];

/** The rule of the main audience, mixing every kind of condition the sync must follow. */
const RULE = {
  and: [
    { field: { field: 'CITY', in: ['montreal', 'LAVAL'] } },
    { tags: { any: ['abonné', 'VIP'] } },
    { consent: { purpose: 'EMAIL_MARKETING', states: ['GRANTED'] } },
    { interactions: { filter: { disciplines: ['danse'] }, withinLastDays: 365, comparison: 'AT_LEAST', value: 2 } },
  ],
};
/** Accent- and case-insensitive, as the rule compares text. */
const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const inCity = (p: Person) => ['montreal', 'laval'].includes(fold(p.city));
const ruleHolds = (p: Person) =>
  inCity(p) && (p.tags.has('abonné') || p.tags.has('vip')) && p.consent === 'GRANTED' && p.recentDance >= 2;
/** The same rule without its city condition (the rule change). */
const RULE_WITHOUT_CITY = { and: RULE.and.slice(1) };
const ruleWithoutCityHolds = (p: Person) =>
  (p.tags.has('abonné') || p.tags.has('vip')) && p.consent === 'GRANTED' && p.recentDance >= 2;

// each test waits for jobs: generous limits, never reached when they work
jest.setTimeout(90_000);

// rules compiled and refreshed, kept current by the sync, and checked against the evaluator: on both queue backends
describeOnQueueBackends((backend) => `audiences (${backend} queues)`, audiencesSuite);

function audiencesSuite(env: Record<string, string>): void {
  let api: TestApi;
  let db: pg.Client;
  let owner: string;
  let orgId: string;
  const people = new Map<string, Person>();
  const byName = (firstName: string) => [...people.values()].find((p) => p.firstName === firstName)!;
  /** The main audience (RULE), the one naming it (B: main ∩ vip), and the static list. */
  let mainId: string;
  let mainHolds: (p: Person) => boolean = ruleHolds;
  let namingId: string;
  let staticId: string;
  /** A DYNAMIC audience naming the static list: its members but the lots. */
  let followingId: string;
  let otherOrgId: string | undefined;
  const staticMembers = new Set<string>();

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Audiences Org', { ...env, RUN_JOBS_IN_API: 'true' }));
    db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();

    // name, city, tags, consent granted, dance in the year, dance 400 days ago, music in the year
    const rows: PersonSpec[] = [
      ['Anne', 'Archambault', 'Montréal', ['abonné'], true, 2, 0, 1],
      ['Béatrice', 'Bouchard', 'Laval', ['vip'], true, 3, 0, 0],
      ['Carl', 'Côté', 'Québec', ['abonné', 'vip'], true, 2, 0, 0],
      ['Denise', 'Dubé', 'Montréal', [], true, 2, 0, 0],
      ['Émile', 'Éthier', 'Montréal', ['vip'], true, 1, 1, 0],
      ['France', 'Fortin', 'Montréal', ['abonné'], false, 2, 0, 0],
      ['Gilles', 'Gagnon', 'Montréal', ['abonné'], true, 0, 0, 2],
      ['Hélène', 'Hébert', 'MONTREAL', ['abonné', 'vip'], true, 2, 0, 0],
      ['Irène', 'Isabelle', 'Laval', ['vip'], true, 4, 0, 1],
      ['Louis', 'Lavoie', 'Québec', ['abonné'], true, 3, 0, 0],
    ];
    for (const row of rows) await createPerson(row);
    // a lot of people in Sherbrooke, for the static list, paging and a preview's sample
    for (let i = 1; i <= 25; i++) {
      const n = String(i).padStart(2, '0');
      await createPerson(['Lot', `Lot${n}`, 'Sherbrooke', i <= 5 ? ['lot', 'lot-b'] : ['lot'], false, 0, 0, 0]);
    }
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  /** Creates the contact (with its tags and consent) and records its interactions, in two requests. */
  async function createPerson([
    firstName,
    lastName,
    city,
    tags,
    granted,
    recentDance,
    oldDance,
    music,
  ]: PersonSpec): Promise<Person> {
    const email = `${fold(firstName)}.${fold(lastName).replace(/[^a-z0-9]/g, '')}@example.org`;
    const grant = {
      purpose: 'EMAIL_MARKETING',
      status: 'GRANTED',
      legalBasis: 'EXPRESS',
      source: 'form',
      occurredAt: daysAgo(60),
    };
    const { createContact } = await api.ok<any>(owner, CREATE_CONTACT, {
      input: { firstName, lastName, email, city, tags, consents: granted ? [grant] : [] },
    });
    const person: Person = {
      id: createContact.id,
      firstName,
      lastName,
      email,
      city,
      tags: new Set(tags),
      consent: granted ? 'GRANTED' : 'UNKNOWN',
      recentDance,
      interactions: 0,
      amountCents: 0,
    };
    const interactions: Record<string, unknown>[] = [];
    const add = (count: number, days: number, discipline: string) => {
      for (let i = 0; i < count; i++) {
        interactions.push({
          contact: { id: person.id },
          type: 'TICKET_PURCHASE',
          discipline,
          occurredAt: daysAgo(days + i),
          amountCents: 2500,
          quantity: 1,
        });
        person.interactions++;
        person.amountCents += 2500;
      }
    };
    add(recentDance, 10, 'DANCE');
    add(oldDance, 400, 'DANCE');
    add(music, 20, 'MUSIC');
    if (interactions.length) {
      expect((await api.ok<any>(owner, RECORD, { input: interactions })).recordInteractions).toEqual({
        accepted: interactions.length,
        rejected: 0,
      });
    }
    people.set(person.id, person);
    return person;
  }

  const gql = <T = any>(
    query: string,
    variables: Record<string, unknown> = {},
    token = owner,
  ): Promise<GraphqlResponse<T>> => api.gql<T>(token, query, variables);
  const ok = <T = any>(query: string, variables: Record<string, unknown> = {}, token = owner): Promise<T> =>
    api.ok<T>(token, query, variables);
  const errorOf = (result: GraphqlResponse) => result.errors?.[0]?.extensions;
  const audience = async (id: string, token = owner) => (await ok(AUDIENCE, { id }, token)).audience;
  const expected = (holds: (p: Person) => boolean) => new Set([...people.values()].filter(holds).map((p) => p.id));
  const namesOf = (ids: Iterable<string>) =>
    [...ids].map((id) => (people.has(id) ? `${people.get(id)!.firstName} ${people.get(id)!.lastName}` : id)).sort();
  const firstNames = (ids: Iterable<string>) => [...ids].map((id) => people.get(id)!.firstName).sort();
  const isNamingMember = (p: Person) => mainHolds(p) && p.tags.has('vip');
  const isFollowingMember = (p: Person) => staticMembers.has(p.id) && !p.tags.has('lot');

  /** Every member, through every page. */
  async function memberIds(id: string, token = owner, first = 100): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await ok(MEMBERS, { id, first, after }, token)).audience.members;
      ids.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) return ids;
      after = page.pageInfo.endCursor;
    }
  }

  /** Waits until the organization's audience jobs have nothing left to do (see the top of the file). */
  async function settle(org = orgId): Promise<void> {
    let state: Record<string, number> = {};
    for (const started = Date.now(); Date.now() - started < SETTLE_TIMEOUT_MS; await sleep(100)) {
      ({
        rows: [state],
      } = await db.query<{ pending: number; active: number; refreshing: number }>(
        `SELECT (SELECT count(*) FROM audience_pending_contacts WHERE org_id = $1)::int AS pending,
                (SELECT count(*) FROM job_runs WHERE org_id = $1 AND kind IN ('audiences.sync', 'audiences.refresh')
                    AND status IN ('QUEUED', 'RUNNING') AND coalesce(payload->>'reason', '') <> 'DAILY')::int AS active,
                (SELECT count(*) FROM audiences WHERE org_id = $1 AND kind = 'DYNAMIC' AND materialized_version < rule_version)::int AS refreshing`,
        [org],
      ));
      if (state.pending === 0 && state.active === 0 && state.refreshing === 0) return;
    }
    const { rows: failed } = await db.query(
      `SELECT kind, errors FROM job_runs WHERE org_id = $1 AND kind LIKE 'audiences.%' AND status = 'FAILED'`,
      [org],
    );
    throw new Error(
      `The audiences of ${org} did not settle within ${SETTLE_TIMEOUT_MS} ms: ${JSON.stringify({ state, failed })}`,
    );
  }

  /** Polls the audience over the API until it is CURRENT; fails at once if its refresh failed. */
  async function current(id: string, token = owner): Promise<any> {
    for (const started = Date.now(); Date.now() - started < SETTLE_TIMEOUT_MS; await sleep(100)) {
      const found = await audience(id, token);
      if (found.status === 'CURRENT') return found;
      const { rows } = await db.query(
        `SELECT errors FROM job_runs WHERE kind = 'audiences.refresh' AND status = 'FAILED' AND payload->>'audienceId' = $1`,
        [id],
      );
      if (rows.length) throw new Error(`The refresh of audience ${id} failed: ${JSON.stringify(rows[0].errors)}`);
    }
    throw new Error(`Audience ${id} did not become CURRENT within ${SETTLE_TIMEOUT_MS} ms`);
  }

  async function expectMembers(id: string, wanted: Set<string>, token = owner): Promise<void> {
    const ids = await memberIds(id, token);
    expect(namesOf(ids)).toEqual(namesOf(wanted));
    expect(new Set(ids)).toEqual(wanted);
    expect(ids).toHaveLength(wanted.size);
    expect((await audience(id, token)).size).toBe(wanted.size);
  }

  it('previews a rule: how many, and up to 20 of them; nothing is saved', async () => {
    const preview = (await ok(PREVIEW, { rule: RULE })).previewAudience;
    const wanted = expected(ruleHolds);
    expect(firstNames(wanted)).toEqual(['Anne', 'Béatrice', 'Hélène', 'Irène']);
    expect(preview.count).toBe(wanted.size);
    // by name (last name, first name)
    expect(preview.sample.map((c: any) => c.firstName)).toEqual(['Anne', 'Béatrice', 'Hélène', 'Irène']);
    expect(preview.sample.find((c: any) => c.firstName === 'Anne').email).toBe('anne.archambault@example.org');

    const lots = (await ok(PREVIEW, { rule: { tags: { any: ['LOT'] } } })).previewAudience;
    expect(lots.count).toBe(25);
    expect(lots.sample).toHaveLength(20);
    for (const contact of lots.sample) expect(people.get(contact.id)?.tags.has('lot')).toBe(true);
    expect(new Set(lots.sample.map((c: any) => c.id)).size).toBe(20);

    const none = (await ok(PREVIEW, { rule: { and: [{ tags: { all: ['lot', 'vip'] } }] } })).previewAudience;
    expect(none).toEqual({ count: 0, sample: [] });

    expect((await ok('{ audiences { id } }')).audiences).toEqual([]);
    expect(
      (await ok(`{ jobRuns(filter: { kinds: [REFRESH_AUDIENCE, SYNC_AUDIENCES] }) { edges { node { id } } } }`)).jobRuns
        .edges,
    ).toEqual([]);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM audience_pending_contacts WHERE org_id = $1', [
      orgId,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('creates a DYNAMIC audience: REFRESHING, then CURRENT with exactly its members and a CREATED point', async () => {
    const { createAudience } = await ok(CREATE, {
      input: { name: 'Danse Montréal', description: 'Abonnés en danse', kind: 'DYNAMIC', rule: RULE },
    });
    mainId = createAudience.id;
    expect(createAudience).toMatchObject({
      name: 'Danse Montréal',
      kind: 'DYNAMIC',
      status: 'REFRESHING',
      timeRelative: true,
      dependsOn: [],
      refreshedAt: null,
      rule: RULE,
    });
    const done = await current(mainId);
    const wanted = expected(ruleHolds);
    expect(done.refreshedAt).toEqual(expect.any(String));
    expect(done.sizeHistory).toEqual([
      { at: expect.any(String), size: wanted.size, entered: wanted.size, left: 0, reason: 'CREATED' },
    ]);
    await expectMembers(mainId, wanted);
    expect((await ok('{ audiences { id name status size } }')).audiences).toEqual([
      { id: mainId, name: 'Danse Montréal', status: 'CURRENT', size: wanted.size },
    ]);
    // the members are a contact filter, too
    const filtered = (await ok(CONTACT_IDS, { filter: { audiences: [mainId] } })).contacts;
    expect(filtered.totalCount).toBe(wanted.size);
    expect(new Set(filtered.edges.map((e: any) => e.node.id))).toEqual(wanted);
    const andTagged = (await ok(CONTACT_IDS, { filter: { audiences: [mainId], tagsAny: ['vip'] } })).contacts;
    expect(new Set(andTagged.edges.map((e: any) => e.node.id))).toEqual(
      expected((p) => ruleHolds(p) && p.tags.has('vip')),
    );
  });

  it('names the path of what is wrong in a rule, and saves nothing', async () => {
    const before = (await ok('{ audiences { id } }')).audiences;
    const cases: [unknown, string][] = [
      // two fields in one node
      [{ and: [{ field: { field: 'CITY', equals: 'Laval' }, tags: { any: ['vip'] } }] }, 'input.rule.and.0'],
      [{}, 'input.rule'],
      [{ and: [] }, 'input.rule.and'],
      [
        {
          or: [
            { field: { field: 'CITY', equals: 'Laval' } },
            {
              interactions: {
                filter: { disciplines: ['danse', 'sculpture sur glace'] },
                comparison: 'AT_LEAST',
                value: 1,
              },
            },
          ],
        },
        'input.rule.or.1.interactions.filter.disciplines.1',
      ],
      [{ not: { interactions: { comparison: 'AT_LEAST', value: -1 } } }, 'input.rule.not.interactions.value'],
      [
        { interactions: { withinLastDays: -3, comparison: 'AT_LEAST', value: 1 } },
        'input.rule.interactions.withinLastDays',
      ],
      [{ field: { field: 'CITY', equals: 'Laval', prefix: 'La' } }, 'input.rule.field'],
      [{ field: { field: 'CREATED_AT', equals: 'Laval' } }, 'input.rule.field.equals'],
      [{ tags: { any: [' '] } }, 'input.rule.tags.any.0'],
      [{ consent: { purpose: 'SMS', states: [] } }, 'input.rule.consent.states'],
      [{ attribute: { key: 'nope', equals: '1' } }, 'input.rule.attribute.key'],
      [{ inAudience: '00000000-0000-4000-8000-000000000000' }, 'input.rule.inAudience'],
    ];
    for (const [rule, field] of cases) {
      const result = await gql(CREATE, { input: { name: `Bad ${field}`, kind: 'DYNAMIC', rule } });
      expect({ rule, error: errorOf(result) }).toEqual({
        rule,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      });
    }
    // a preview names the same paths from its argument
    const preview = await gql(PREVIEW, {
      rule: { and: [{ tags: { any: ['vip'] } }, { interactions: { comparison: 'MORE_THAN', value: -2 } }] },
    });
    expect(errorOf(preview)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rule.and.1.interactions.value' });
    // and an update its input
    const update = await gql(UPDATE, { id: mainId, input: { rule: { field: { field: 'CITY', in: [] } } } });
    expect(errorOf(update)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rule.field.in' });

    expect(errorOf(await gql(CREATE, { input: { name: 'No rule', kind: 'DYNAMIC' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.rule',
    });
    expect(errorOf(await gql(CREATE, { input: { name: 'Ruled list', kind: 'STATIC', rule: RULE } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.rule',
    });
    expect(errorOf(await gql(CREATE, { input: { name: ' ', kind: 'STATIC' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.name',
    });
    expect(errorOf(await gql(UPDATE, { id: mainId, input: { name: '  ' } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.name',
    });
    expect(errorOf(await gql(CREATE, { input: { name: 'danse montréal', kind: 'STATIC' } }))).toMatchObject({
      code: 'CONFLICT',
      field: 'input.name',
    });
    expect((await ok('{ audiences { id } }')).audiences).toEqual(before);
    expect(await audience(mainId)).toMatchObject({ status: 'CURRENT', rule: RULE });
  });

  it('lets a rule name another audience, refuses cycles, and refuses to delete an audience another names', async () => {
    const { createAudience } = await ok(CREATE, {
      input: {
        name: 'Danse VIP',
        kind: 'DYNAMIC',
        rule: { and: [{ inAudience: mainId }, { tags: { any: ['vip'] } }] },
      },
    });
    namingId = createAudience.id;
    expect(createAudience).toMatchObject({ status: 'REFRESHING', dependsOn: [mainId], timeRelative: false });
    await current(namingId);
    await expectMembers(namingId, expected(isNamingMember));
    expect(firstNames(expected(isNamingMember))).toEqual(['Béatrice', 'Hélène', 'Irène']);

    const cycles: [string, unknown, string][] = [
      [mainId, { inAudience: namingId }, 'input.rule.inAudience'],
      [mainId, { and: [...RULE.and, { not: { inAudience: namingId } }] }, 'input.rule.and.4.not.inAudience'],
      [mainId, { or: [{ inAudience: mainId }] }, 'input.rule.or.0.inAudience'],
      [namingId, { inAudience: namingId }, 'input.rule.inAudience'],
    ];
    for (const [id, rule, field] of cycles) {
      const result = await gql(UPDATE, { id, input: { rule } });
      expect({ id, rule, error: errorOf(result) }).toEqual({
        id,
        rule,
        error: expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      });
    }
    expect(await audience(mainId)).toMatchObject({ status: 'CURRENT', dependsOn: [], rule: RULE });

    const refused = await gql(DELETE, { id: mainId });
    expect(errorOf(refused)).toMatchObject({ code: 'CONFLICT' });
    expect(refused.errors?.[0].message).toContain('Danse VIP');
    expect((await audience(mainId)).id).toBe(mainId);

    // an audience named by nobody goes, with its members; a previewed rule may name a saved audience
    const { createAudience: spare } = await ok(CREATE, {
      input: { name: 'Spare', kind: 'DYNAMIC', rule: { inAudience: namingId } },
    });
    await settle();
    expect((await ok(PREVIEW, { rule: { inAudience: spare.id } })).previewAudience.count).toBe(
      expected(isNamingMember).size,
    );
    expect((await ok(DELETE, { id: spare.id })).deleteAudience).toBe(true);
    expect(errorOf(await gql(AUDIENCE, { id: spare.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await gql(DELETE, { id: spare.id }))).toMatchObject({ code: 'NOT_FOUND' });
    const { rows } = await db.query('SELECT count(*)::int AS n FROM audience_members WHERE audience_id = $1', [
      spare.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  /** The dynamic audiences followed after each change, and who should be in them. */
  const tracked: { id: () => string; holds: (p: Person) => boolean }[] = [
    { id: () => mainId, holds: (p) => mainHolds(p) },
    { id: () => namingId, holds: (p) => isNamingMember(p) },
  ];

  /**
   * Applies a change (over the API) and to the model, waits until the audiences settle, then checks every tracked
   * audience's members against the model, and the main audience's new size-history points: one CHANGES point with who
   * entered and left (as the model says, unless `point` says otherwise), or none when nobody moved.
   */
  async function step(
    change: () => Promise<unknown>,
    apply: () => void,
    point?: { entered: number; left: number } | null,
  ): Promise<void> {
    const before = expected(mainHolds);
    const points = (await audience(mainId)).sizeHistory.length;
    await change();
    apply();
    await settle();
    for (const { id, holds } of tracked) await expectMembers(id(), expected(holds));
    const after = expected(mainHolds);
    const main = await audience(mainId);
    expect(main.status).toBe('CURRENT');
    const moved =
      point === undefined
        ? {
            entered: [...after].filter((id) => !before.has(id)).length,
            left: [...before].filter((id) => !after.has(id)).length,
          }
        : point;
    const added = main.sizeHistory.slice(points);
    if (moved === null || moved.entered + moved.left === 0) expect(added).toEqual([]);
    else expect(added).toEqual([{ at: expect.any(String), size: after.size, ...moved, reason: 'CHANGES' }]);
  }

  it('follows contact changes incrementally: fields, tags, consent, interactions, deletion', async () => {
    const carl = byName('Carl');
    // updateContact: Carl moves to Montréal and enters (and, with his vip tag, the audience naming this one)
    await step(
      () => ok(`mutation($id: ID!) { updateContact(id: $id, input: { city: "Montréal" }) { id } }`, { id: carl.id }),
      () => {
        carl.city = 'Montréal';
      },
    );
    // a change that moves nobody records nothing
    const gilles = byName('Gilles');
    await step(
      () => ok(`mutation($id: ID!) { updateContact(id: $id, input: { lastName: "Gagné" }) { id } }`, { id: gilles.id }),
      () => {
        gilles.lastName = 'Gagné';
      },
    );
    // tagContacts: Denise enters
    const denise = byName('Denise');
    await step(
      () =>
        ok(`mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["Abonné"]) { affected } }`, {
          ids: [denise.id],
        }),
      () => {
        denise.tags.add('abonné');
      },
    );
    // untagContacts: Béatrice loses her only qualifying tag and leaves both audiences
    const bea = byName('Béatrice');
    await step(
      () =>
        ok(`mutation($ids: [ID!]) { untagContacts(target: { ids: $ids }, tags: ["vip"]) { affected } }`, {
          ids: [bea.id],
        }),
      () => {
        bea.tags.delete('vip');
      },
    );
    // recordConsent (a withdrawal): Anne leaves
    const anne = byName('Anne');
    await step(
      () =>
        ok(
          `mutation($id: ID!) { recordConsent(contactId: $id, input: { purpose: EMAIL_MARKETING, status: WITHDRAWN, source: "unsubscribe" }) { id } }`,
          { id: anne.id },
        ),
      () => {
        anne.consent = 'WITHDRAWN';
      },
    );
    // recordInteractions: Émile's second dance in the year makes him enter; Hélène's music ticket changes nothing
    const emile = byName('Émile');
    const helene = byName('Hélène');
    await step(
      () =>
        ok(RECORD, {
          input: [
            { contact: { id: emile.id }, type: 'ATTENDANCE', discipline: 'Danse', occurredAt: daysAgo(3) },
            {
              contact: { id: helene.id },
              type: 'TICKET_PURCHASE',
              discipline: 'MUSIC',
              occurredAt: daysAgo(3),
              amountCents: 1000,
            },
          ],
        }),
      () => {
        emile.recentDance++;
        emile.interactions++;
        helene.interactions++;
        helene.amountCents += 1000;
      },
    );
    // one statement for several people: Béatrice is back, Gilles (no dance) is not
    await step(
      () =>
        ok(`mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["vip"]) { affected } }`, {
          ids: [bea.id, gilles.id],
        }),
      () => {
        bea.tags.add('vip');
        gilles.tags.add('vip');
      },
    );
    // a grant where there was no consent at all: France enters
    const france = byName('France');
    await step(
      () =>
        ok(
          `mutation($id: ID!) { recordConsent(contactId: $id, input: { purpose: EMAIL_MARKETING, status: GRANTED, legalBasis: EXPRESS, source: "form" }) { id } }`,
          { id: france.id },
        ),
      () => {
        france.consent = 'GRANTED';
      },
    );
    // deleteContact: the member goes with the contact (no refresh, so no point in the history)
    await step(
      () => ok(`mutation($id: ID!) { deleteContact(id: $id) }`, { id: helene.id }),
      () => {
        people.delete(helene.id);
      },
      null,
    );
    expect((await ok(CONTACT_IDS, { filter: { audiences: [mainId], ids: [helene.id] } })).contacts.totalCount).toBe(0);
    expect(firstNames(expected(mainHolds))).toEqual(['Béatrice', 'Carl', 'Denise', 'France', 'Irène', 'Émile'].sort());
  });

  it('keeps STATIC lists by ids and by filter; a rule naming the list follows it; a DYNAMIC audience takes no members', async () => {
    const { createAudience } = await ok(CREATE, { input: { name: 'Liste', kind: 'STATIC' } });
    staticId = createAudience.id;
    expect(createAudience).toMatchObject({ kind: 'STATIC', status: 'CURRENT', rule: null, dependsOn: [], size: 0 });
    // a dynamic audience naming the list: its members but the lots
    const { createAudience: following } = await ok(CREATE, {
      input: {
        name: 'Liste sans lots',
        kind: 'DYNAMIC',
        rule: { and: [{ inAudience: staticId }, { not: { tags: { any: ['lot'] } } }] },
      },
    });
    followingId = following.id;
    expect(following).toMatchObject({ dependsOn: [staticId], status: 'REFRESHING' });
    await current(followingId);
    tracked.push({ id: () => followingId, holds: isFollowingMember });

    const [carl, france, gilles] = ['Carl', 'France', 'Gilles'].map(byName);
    const lots = [...people.values()].filter((p) => p.tags.has('lot'));
    const change = async (mutation: string, target: unknown, wanted: { affected: number; size: number }) => {
      const result = await ok(mutation, { id: staticId, target });
      expect(result.addAudienceMembers ?? result.removeAudienceMembers).toEqual(wanted);
    };
    await step(
      () => change(ADD, { ids: [carl.id, france.id, gilles.id] }, { affected: 3, size: 3 }),
      () => {
        for (const p of [carl, france, gilles]) staticMembers.add(p.id);
      },
    );
    await step(
      () => change(ADD, { ids: [carl.id] }, { affected: 0, size: 3 }),
      () => undefined,
    );
    await step(
      () => change(ADD, { filter: { tagsAny: ['LOT'] } }, { affected: 25, size: 28 }),
      () => {
        for (const p of lots) staticMembers.add(p.id);
      },
    );
    await step(
      () => change(REMOVE, { ids: [france.id] }, { affected: 1, size: 27 }),
      () => {
        staticMembers.delete(france.id);
      },
    );
    await step(
      () => change(REMOVE, { filter: { tagsAny: ['lot-b'] } }, { affected: 5, size: 22 }),
      () => {
        for (const p of lots.filter((l) => l.tags.has('lot-b'))) staticMembers.delete(p.id);
      },
    );
    await expectMembers(staticId, staticMembers);
    expect((await audience(staticId)).sizeHistory.map(({ at: _at, ...point }: any) => point)).toEqual([
      { reason: 'MEMBERS_ADDED', entered: 3, left: 0, size: 3 },
      { reason: 'MEMBERS_ADDED', entered: 25, left: 0, size: 28 },
      { reason: 'MEMBERS_REMOVED', entered: 0, left: 1, size: 27 },
      { reason: 'MEMBERS_REMOVED', entered: 0, left: 5, size: 22 },
    ]);
    const followingHistory = (await audience(followingId)).sizeHistory.map(({ at: _at, ...point }: any) => point);
    expect(followingHistory).toEqual([
      { reason: 'CREATED', entered: 0, left: 0, size: 0 },
      { reason: 'CHANGES', entered: 3, left: 0, size: 3 },
      { reason: 'CHANGES', entered: 0, left: 1, size: 2 },
    ]);

    // refused: a DYNAMIC audience's members, a target with neither ids nor filter, a rule on a STATIC one
    expect(errorOf(await gql(ADD, { id: mainId, target: { ids: [carl.id] } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect(errorOf(await gql(REMOVE, { id: mainId, target: { ids: [carl.id] } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect(errorOf(await gql(ADD, { id: staticId, target: {} }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'target',
    });
    expect(errorOf(await gql(ADD, { id: staticId, target: { ids: ['not-a-uuid'] } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(
      errorOf(await gql(ADD, { id: '00000000-0000-4000-8000-000000000000', target: { ids: [carl.id] } })),
    ).toMatchObject({ code: 'NOT_FOUND' });
    expect(errorOf(await gql(UPDATE, { id: staticId, input: { rule: RULE } }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.rule',
    });
    expect(errorOf(await gql(REFRESH, { id: staticId }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    await expectMembers(mainId, expected(mainHolds));
    await expectMembers(staticId, staticMembers);
    // a new name and description leave the members alone
    expect(
      (await ok(UPDATE, { id: staticId, input: { name: 'Liste de presse', description: 'Médias' } })).updateAudience,
    ).toMatchObject({ name: 'Liste de presse', status: 'CURRENT', size: 22 });
  });

  it('keeps memberships right through a merge of duplicates and its undo', async () => {
    const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!, $fieldChoices: [MergeFieldChoiceInput!]) {
      mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds, fieldChoices: $fieldChoices) { id } }`;
    const UNMERGE = `mutation($mergeId: ID!) { unmergeContacts(mergeId: $mergeId) { id } }`;
    let jeanne!: Person;
    let jeanneDuplicate!: Person;
    let karl!: Person;
    let karlDuplicate!: Person;
    // Jeanne has the tag and the consent, her duplicate (on the list) the other dance ticket: neither is a member yet.
    // Karl's duplicate is a member; Karl, in Québec without consent or dance, is not.
    await step(
      async () => {
        jeanne = await createPerson(['Jeanne', 'Jolicoeur', 'Montréal', ['abonné'], true, 1, 0, 0]);
        jeanneDuplicate = await createPerson(['Jeanne', 'Jolicœur', 'Montréal', [], false, 1, 0, 0]);
        karlDuplicate = await createPerson(['Karl', 'Kirouac', 'Laval', ['vip'], true, 2, 0, 0]);
        karl = await createPerson(['Karl', 'Kirouac', 'Québec', ['vip'], false, 0, 0, 0]);
        expect(
          (await ok(ADD, { id: staticId, target: { ids: [jeanneDuplicate.id] } })).addAudienceMembers.affected,
        ).toBe(1);
      },
      () => {
        staticMembers.add(jeanneDuplicate.id);
      },
    );
    expect(expected(mainHolds).has(karlDuplicate.id)).toBe(true);

    // Jeanne gets her duplicate's ticket and list: she enters the main audience and the one following the list
    const jeanneBefore = { ...jeanne, tags: new Set(jeanne.tags) };
    const duplicateBefore = { ...jeanneDuplicate, tags: new Set(jeanneDuplicate.tags) };
    let mergeId = '';
    await step(
      async () => {
        mergeId = (await ok(MERGE, { survivorId: jeanne.id, mergedIds: [jeanneDuplicate.id] })).mergeContacts.id;
      },
      () => {
        jeanne.recentDance += jeanneDuplicate.recentDance;
        jeanne.interactions += jeanneDuplicate.interactions;
        jeanne.amountCents += jeanneDuplicate.amountCents;
        people.delete(jeanneDuplicate.id);
        staticMembers.delete(jeanneDuplicate.id);
        staticMembers.add(jeanne.id);
      },
    );
    expect(expected(mainHolds).has(jeanne.id)).toBe(true);

    // Karl takes his duplicate's city, consent and tickets: he is a member in its place. The duplicate's membership goes
    // with it (a deleted contact is not counted as leaving), so the sync counts one entry and no exit.
    await step(
      () =>
        ok(MERGE, {
          survivorId: karl.id,
          mergedIds: [karlDuplicate.id],
          fieldChoices: [{ field: 'city', contactId: karlDuplicate.id }],
        }),
      () => {
        karl.city = karlDuplicate.city;
        karl.consent = 'GRANTED';
        karl.recentDance += karlDuplicate.recentDance;
        karl.interactions += karlDuplicate.interactions;
        karl.amountCents += karlDuplicate.amountCents;
        people.delete(karlDuplicate.id);
      },
      { entered: 1, left: 0 },
    );
    expect(expected(isNamingMember).has(karl.id)).toBe(true);

    // the undo puts Jeanne and her duplicate back as they were: Jeanne leaves, her duplicate is on the list again
    await step(
      () => ok(UNMERGE, { mergeId }),
      () => {
        people.set(jeanne.id, jeanneBefore);
        people.set(jeanneDuplicate.id, duplicateBefore);
        staticMembers.delete(jeanne.id);
        staticMembers.add(jeanneDuplicate.id);
      },
    );
    await expectMembers(staticId, staticMembers);
  });

  it('materializes a rule change (RULE_CHANGED), the audiences naming it (DEPENDENCY), and a refresh on demand (MANUAL)', async () => {
    const before = expected(mainHolds);
    const namingBefore = expected(isNamingMember);
    const namingPoints = (await audience(namingId)).sizeHistory.length;
    const { updateAudience } = await ok(UPDATE, { id: mainId, input: { rule: RULE_WITHOUT_CITY } });
    expect(updateAudience).toMatchObject({ status: 'REFRESHING', rule: RULE_WITHOUT_CITY, dependsOn: [] });
    mainHolds = ruleWithoutCityHolds;
    const done = await current(mainId);
    await settle();
    const after = expected(mainHolds);
    // Louis, in Québec, enters now
    expect(after.has(byName('Louis').id)).toBe(true);
    const moved = (from: Set<string>, to: Set<string>) => ({
      entered: [...to].filter((id) => !from.has(id)).length,
      left: [...from].filter((id) => !to.has(id)).length,
    });
    expect(moved(before, after).entered).toBeGreaterThan(0);
    expect(done.sizeHistory.at(-1)).toEqual({
      at: expect.any(String),
      reason: 'RULE_CHANGED',
      size: after.size,
      ...moved(before, after),
    });
    for (const { id, holds } of tracked) await expectMembers(id(), expected(holds));
    const naming = (await audience(namingId)).sizeHistory.slice(namingPoints);
    const namingAfter = expected(isNamingMember);
    expect(naming).toEqual([
      { at: expect.any(String), reason: 'DEPENDENCY', size: namingAfter.size, ...moved(namingBefore, namingAfter) },
    ]);

    // a refresh on demand: a job run that succeeds, moves nobody, and leaves a MANUAL point (and a DEPENDENCY one)
    const { refreshAudience } = await ok(REFRESH, { id: mainId });
    expect(refreshAudience).toMatchObject({ kind: 'REFRESH_AUDIENCE' });
    const run = await api.finishedRun(owner, refreshAudience.id);
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      errors: [],
      counts: { audiences: 2, size: after.size, entered: 0, left: 0 },
    });
    expect((await audience(mainId)).sizeHistory.at(-1)).toEqual({
      at: expect.any(String),
      reason: 'MANUAL',
      size: after.size,
      entered: 0,
      left: 0,
    });
    expect((await audience(namingId)).sizeHistory.at(-1)).toEqual({
      at: expect.any(String),
      reason: 'DEPENDENCY',
      size: namingAfter.size,
      entered: 0,
      left: 0,
    });
    for (const { id, holds } of tracked) await expectMembers(id(), expected(holds));
  });

  it('pages members by name with first/after, with their total count', async () => {
    const wanted = [...staticMembers]
      .map((id) => people.get(id)!)
      .sort((a, b) => (fold(`${a.lastName} ${a.firstName}`) < fold(`${b.lastName} ${b.firstName}`) ? -1 : 1));
    expect(wanted.length).toBeGreaterThan(20);
    const pages: any[] = [];
    let after: string | null = null;
    do {
      const page: any = (await ok(MEMBERS, { id: staticId, first: 10, after })).audience.members;
      pages.push(page);
      expect(page.totalCount).toBe(wanted.length);
      after = page.pageInfo.endCursor;
      if (page.pageInfo.hasNextPage) expect(page.edges).toHaveLength(10);
    } while (pages.at(-1).pageInfo.hasNextPage);
    expect(pages).toHaveLength(Math.ceil(wanted.length / 10));
    const seen = pages.flatMap((page) => page.edges.map((e: any) => e.node));
    expect(seen.map((node: any) => node.id)).toEqual(wanted.map((p) => p.id));
    expect(seen.every((node: any) => node.email !== null)).toBe(true);
    // a field resolver's arguments are checked too, and named
    for (const first of [0, 101]) {
      const refused = await gql(MEMBERS, { id: staticId, first });
      expect(refused.data).toBeNull();
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors?.[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('measures the overlap of three audiences', async () => {
    const ids = [mainId, namingId, staticId];
    const sets = [expected(mainHolds), expected(isNamingMember), staticMembers];
    const { audienceOverlap } = await ok(OVERLAP, { ids });
    // every non-empty subset, the single audiences first
    const subsets = [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    const size = (subset: number[]) => [...sets[subset[0]]].filter((id) => subset.every((i) => sets[i].has(id))).length;
    expect(audienceOverlap.intersections).toEqual(
      subsets.map((subset) => ({ audienceIds: subset.map((i) => ids[i]), size: size(subset) })),
    );
    expect(audienceOverlap.union).toBe(new Set(sets.flatMap((set) => [...set])).size);
    // the main audience and the list share someone, and the naming audience is inside the main one
    expect(size([0, 2])).toBeGreaterThan(0);
    expect(size([0, 1])).toBe(sets[1].size);

    const pair = (await ok(OVERLAP, { ids: [staticId, followingId] })).audienceOverlap;
    const following = expected(isFollowingMember).size;
    expect(pair.intersections.map((i: any) => i.size)).toEqual([staticMembers.size, following, following]);
    expect(errorOf(await gql(OVERLAP, { ids: [mainId, mainId] }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'ids',
    });
    expect(errorOf(await gql(OVERLAP, { ids: [mainId] }))).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(errorOf(await gql(OVERLAP, { ids: [mainId, '00000000-0000-4000-8000-000000000000'] }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('exports exactly the members, and counts only their interactions in engagementStats', async () => {
    const exported = async (filter: unknown, token = owner) => {
      const { startExport } = await ok(EXPORT, { filter, format: 'NDJSON' }, token);
      const run = await api.finishedRun(token, startExport.id);
      expect(run.status).toBe('SUCCEEDED');
      const text = await (
        await fetch(`${api.url}${run.downloadPath}`, { headers: { authorization: `Bearer ${token}` } })
      ).text();
      return text.trim()
        ? text
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
        : [];
    };
    const main = expected(mainHolds);
    const rows = await exported({ audiences: [mainId] });
    expect(new Set(rows.map((row: any) => row.id))).toEqual(main);
    expect(rows).toHaveLength(main.size);
    expect(rows.find((row: any) => row.id === byName('Carl').id)).toMatchObject({
      firstName: 'Carl',
      email: byName('Carl').email,
    });
    // every audience given: the members of all of them
    const both = await exported({ audiences: [mainId, staticId] });
    expect(new Set(both.map((row: any) => row.id))).toEqual(new Set([...main].filter((id) => staticMembers.has(id))));

    const totals = async (filter: Record<string, unknown>) => (await ok(STATS, { filter })).engagementStats.totals;
    const of = (ids: Set<string>) => {
      const members = [...ids].map((id) => people.get(id)!);
      return {
        interactions: members.reduce((sum, p) => sum + p.interactions, 0),
        uniqueContacts: members.filter((p) => p.interactions > 0).length,
        amountCents: members.reduce((sum, p) => sum + p.amountCents, 0),
      };
    };
    expect(await totals({ audiences: [mainId] })).toEqual(of(main));
    expect(await totals({ audiences: [staticId] })).toEqual(of(staticMembers));
    expect(await totals({ audiences: [mainId, namingId] })).toEqual(of(expected(isNamingMember)));
  });

  it('lets an ANALYST read audiences and preview rules without identifiers, and change nothing', async () => {
    const analyst = await api.memberKey(orgId, Role.ANALYST);
    const listed = (await ok('{ audiences { id name size } }', {}, analyst)).audiences;
    expect(listed.map((a: any) => a.id).sort()).toEqual([mainId, namingId, staticId, followingId].sort());
    const { audience: seen } = await ok(MEMBERS, { id: mainId, first: 100 }, analyst);
    expect(seen.members.totalCount).toBe(expected(mainHolds).size);
    expect(seen.members.edges.length).toBe(expected(mainHolds).size);
    for (const { node } of seen.members.edges) {
      expect(node.email).toBeNull();
      expect(node.firstName).toBe(people.get(node.id)!.firstName);
    }
    const preview = (await ok(PREVIEW, { rule: { field: { field: 'CITY', equals: 'laval' } } }, analyst))
      .previewAudience;
    expect(preview.count).toBe(expected((p) => fold(p.city) === 'laval').size);
    expect(preview.sample.length).toBe(preview.count);
    for (const contact of preview.sample) expect(contact.email).toBeNull();
    expect((await ok(OVERLAP, { ids: [mainId, staticId] }, analyst)).audienceOverlap.union).toBeGreaterThan(0);

    // no rule on identifiers, wherever it sits
    for (const [rule, field] of [
      [{ field: { field: 'EMAIL', contains: 'example' } }, 'rule.field.field'],
      [
        { and: [{ tags: { any: ['vip'] } }, { not: { field: { field: 'PHONE', isEmpty: true } } }] },
        'rule.and.1.not.field.field',
      ],
    ] as const) {
      expect(errorOf(await gql(PREVIEW, { rule }, analyst))).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    // the owner may
    expect(
      (await ok(PREVIEW, { rule: { field: { field: 'EMAIL', contains: 'example' } } })).previewAudience.count,
    ).toBe(people.size);

    const writes: [string, Record<string, unknown>][] = [
      [CREATE, { input: { name: 'Analyste', kind: 'STATIC' } }],
      [UPDATE, { id: mainId, input: { name: 'Renommée' } }],
      [DELETE, { id: followingId }],
      [REFRESH, { id: mainId }],
      [ADD, { id: staticId, target: { ids: [byName('Anne').id] } }],
      [REMOVE, { id: staticId, target: { ids: [byName('Carl').id] } }],
    ];
    for (const [mutation, variables] of writes)
      expect(errorOf(await gql(mutation, variables, analyst))?.code).toBe('FORBIDDEN');
    expect((await ok('{ audiences { id name size } }')).audiences).toEqual(
      expect.arrayContaining(listed.map((a: any) => expect.objectContaining({ id: a.id, name: a.name, size: a.size }))),
    );
  });

  it('keeps audiences inside their organization: not seen, not named, never filled with its contacts', async () => {
    const other = await api.createOrganization('Other Audiences Org');
    const token = other.token;
    otherOrgId = other.organization.id;
    const foreign = [
      await gql(AUDIENCE, { id: mainId }, token),
      await gql(MEMBERS, { id: staticId }, token),
      await gql(UPDATE, { id: mainId, input: { name: 'Volée' } }, token),
      await gql(DELETE, { id: followingId }, token),
      await gql(REFRESH, { id: mainId }, token),
      await gql(ADD, { id: staticId, target: { filter: {} } }, token),
      await gql(REMOVE, { id: staticId, target: { filter: {} } }, token),
      await gql(OVERLAP, { ids: [mainId, staticId] }, token),
    ];
    for (const result of foreign) expect(errorOf(result)?.code).toBe('NOT_FOUND');
    const named = [
      [await gql(PREVIEW, { rule: { inAudience: mainId } }, token), 'rule.inAudience'],
      [
        await gql(
          CREATE,
          {
            input: {
              name: 'Copie',
              kind: 'DYNAMIC',
              rule: { and: [{ tags: { any: ['vip'] } }, { inAudience: staticId }] },
            },
          },
          token,
        ),
        'input.rule.and.1.inAudience',
      ],
    ] as const;
    for (const [result, field] of named) expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(JSON.stringify([foreign, named])).not.toMatch(/Danse|Liste|example\.org|Archambault/);
    expect((await ok('{ audiences { id } }', {}, token)).audiences).toEqual([]);
    expect((await ok(CONTACT_IDS, { filter: { audiences: [mainId] } }, token)).contacts.totalCount).toBe(0);
    expect((await ok(STATS, { filter: { audiences: [mainId] } }, token)).engagementStats.totals.interactions).toBe(0);

    // its own contacts that fit the rule, and its own audience with the same rule: only they are in it
    const grant = {
      purpose: 'EMAIL_MARKETING',
      status: 'GRANTED',
      legalBasis: 'EXPRESS',
      source: 'form',
      occurredAt: daysAgo(60),
    };
    const theirs: string[] = [];
    for (const firstName of ['Autre', 'Ailleurs']) {
      const { createContact } = await ok(
        CREATE_CONTACT,
        { input: { firstName, city: 'Montréal', tags: ['abonné', 'vip'], consents: [grant] } },
        token,
      );
      theirs.push(createContact.id);
      await ok(
        RECORD,
        {
          input: [10, 11].map((days) => ({
            contact: { id: createContact.id },
            type: 'ATTENDANCE',
            discipline: 'DANCE',
            occurredAt: daysAgo(days),
          })),
        },
        token,
      );
    }
    const { createAudience } = await ok(
      CREATE,
      { input: { name: 'Danse Montréal', kind: 'DYNAMIC', rule: RULE } },
      token,
    );
    await current(createAudience.id, token);
    expect(new Set(await memberIds(createAudience.id, token))).toEqual(new Set(theirs));
    // and neither organization's audiences see the other's contacts, after changes, syncs and a full refresh
    await ok(
      `mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["lot"]) { affected } }`,
      { ids: theirs },
      token,
    );
    expect((await ok(ADD, { id: staticId, target: { ids: theirs } })).addAudienceMembers).toEqual({
      affected: 0,
      size: staticMembers.size,
    });
    expect(
      (
        await ok(`mutation($ids: [ID!]) { tagContacts(target: { ids: $ids }, tags: ["vip"]) { affected } }`, {
          ids: theirs,
        })
      ).tagContacts.affected,
    ).toBe(0);
    const run = await api.finishedRun(owner, (await ok(REFRESH, { id: mainId })).refreshAudience.id);
    expect(run.status).toBe('SUCCEEDED');
    await settle(other.organization.id);
    await settle();
    for (const { id, holds } of tracked) await expectMembers(id(), expected(holds));
    await expectMembers(staticId, staticMembers);
    expect(new Set(await memberIds(createAudience.id, token))).toEqual(new Set(theirs));
    expect(errorOf(await gql(AUDIENCE, { id: createAudience.id }))?.code).toBe('NOT_FOUND');
  });

  it('materializes rules with absolute dates (saved as JSON, compiled again by the jobs)', async () => {
    const since = new Date(Date.now() - 365 * DAY_MS).toISOString();
    const rule = {
      and: [
        {
          field: {
            field: 'CREATED_AT',
            from: '2020-01-01T00:00:00.000Z',
            to: new Date(Date.now() + 365 * DAY_MS).toISOString(),
          },
        },
        { interactions: { filter: { disciplines: ['DANCE'], from: since }, comparison: 'AT_LEAST', value: 1 } },
      ],
    };
    const holds = (p: Person) => p.recentDance >= 1;
    const { createAudience } = await ok(CREATE, { input: { name: 'Danse cette année', kind: 'DYNAMIC', rule } });
    try {
      expect(createAudience).toMatchObject({ status: 'REFRESHING', timeRelative: false });
      await current(createAudience.id);
      await expectMembers(createAudience.id, expected(holds));
      // and the sync follows it too
      tracked.push({ id: () => createAudience.id, holds });
      await step(
        () =>
          ok(RECORD, {
            input: [
              { contact: { id: byName('Gilles').id }, type: 'ATTENDANCE', discipline: 'DANCE', occurredAt: daysAgo(2) },
            ],
          }),
        () => {
          const gilles = byName('Gilles');
          gilles.recentDance++;
          gilles.interactions++;
        },
      );
    } finally {
      if (tracked.at(-1)?.holds === holds) tracked.pop();
      await gql(DELETE, { id: createAudience.id });
    }
  });

  it('loses no change committed while a sync is running', async () => {
    // Marc qualifies but for a tag. A first change (his name, unchanged) is noted, and its sync waits for the audiences lock.
    const marc = await createPerson(['Marc', 'Martel', 'Montréal', [], true, 2, 0, 0]);
    await settle();
    const lock = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    const writer = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await lock.connect();
    await writer.connect();
    try {
      await lock.query('BEGIN');
      await lock.query(`SELECT pg_advisory_xact_lock(hashtextextended('crm_audiences:' || $1::text, 0))`, [orgId]);
      const syncs = async (status: string) =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM job_runs WHERE org_id = $1 AND kind = 'audiences.sync' AND status = $2`,
            [orgId, status],
          )
        ).rows[0].n;
      const runningBefore = await syncs('RUNNING');
      await ok(`mutation($id: ID!) { updateContact(id: $id, input: { lastName: "Martel" }) { id } }`, { id: marc.id });
      for (const started = Date.now(); (await syncs('RUNNING')) === runningBefore; await sleep(50)) {
        if (Date.now() - started > SETTLE_TIMEOUT_MS) throw new Error('no sync started');
      }
      // a second change, in a transaction still open while that sync runs: the tag that makes him a member
      await writer.query('BEGIN');
      await setTenant(writer, orgId);
      await writer.query(
        `INSERT INTO contact_tags (org_id, contact_id, tag_id) SELECT org_id, $1, id FROM tags WHERE name = 'abonné'`,
        [marc.id],
      );
      await lock.query('COMMIT');
      // the sync may finish without the open change, or wait for it: either way it is not lost
      for (const started = Date.now(); (await syncs('RUNNING')) > 0 && Date.now() - started < 5_000;) await sleep(50);
      await writer.query('COMMIT');
      marc.tags.add('abonné');
      await settle();
      expect(expected(mainHolds).has(marc.id)).toBe(true);
      for (const { id, holds } of tracked) await expectMembers(id(), expected(holds));
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await writer.query('ROLLBACK').catch(() => undefined);
      await lock.end();
      await writer.end();
    }
  });

  it('failed no audience job', async () => {
    const { rows } = await db.query(
      `SELECT kind, status, errors FROM job_runs WHERE org_id = ANY($1::uuid[]) AND kind LIKE 'audiences.%' AND status IN ('FAILED', 'CANCELLED')`,
      [[orgId, otherOrgId].filter(Boolean)],
    );
    expect(rows).toEqual([]);
  });
}
