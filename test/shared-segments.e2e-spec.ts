import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { describeOnQueueBackends } from './support/queue-backends.js';
import { errorOf, POOL_GQL, poolOf, poolOrganization, type PoolOrg as Org, staticAudience } from './support/pools.js';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

const SEGMENT_FIELDS = `id poolId publisherName audienceName purpose description expiresAt isMine size sizeSuppressed`;
const SHARE = `mutation($input: ShareAudienceInput!) { shareAudience(input: $input) { ${SEGMENT_FIELDS} } }`;
const UNSHARE = `mutation($id: ID!) { unshareAudience(id: $id) }`;
const CATALOGUE = `query($id: ID!) { pool(id: $id) { sharedSegments { ${SEGMENT_FIELDS} } } }`;
const REMOVE = `mutation($id: ID!, $target: AudienceMembersTargetInput!) { removeAudienceMembers(id: $id, target: $target) { size } }`;
const AUDIENCE = `query($id: ID!) { audience(id: $id) { status size } }`;
const TAG = `mutation($tags: [String!]!, $ids: [ID!]!) { tagContacts(tags: $tags, target: { ids: $ids }) { affected } }`;
const UNTAG = `mutation($tags: [String!]!, $ids: [ID!]!) { untagContacts(tags: $tags, target: { ids: $ids }) { affected } }`;
const UPDATE_CONTACT = `mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }`;
const RECORD_CONSENT = `mutation($id: ID!, $input: ConsentInput!) { recordConsent(contactId: $id, input: $input) { id } }`;
const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!) { mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds) { id } }`;

/** How long a change may take to reach a shared segment here: generous (a loaded machine), never reached when it works. */
const REACH_MS = 30_000;
jest.setTimeout(180_000);

const { CREATE_CONTACT, CREATE_AUDIENCE, ADD } = POOL_GQL;

describe('shared segments (issue 15, step 2a: shareAudience, unshareAudience, the catalogue)', () => {
  let api: TestApi;
  let a: Org;
  let b: Org;
  let c: Org;
  let pool: string;
  let big: string;
  let small: string;
  let bAudience: string;

  const audience = async (org: Org, name: string, people: number) =>
    (
      await staticAudience(
        api,
        org,
        name,
        Array.from({ length: people }, (_, i) => ({
          firstName: `P${i}`,
          lastName: name,
          email: `${name.replace(/\W/g, '')}${i}@example.org`,
        })),
      )
    ).id;
  const share = (org: Org, input: Record<string, unknown>) =>
    api.gql<any>(org.owner, SHARE, { input: { poolId: pool, purpose: 'AUDIENCE_RESEARCH', ...input } });
  const catalogue = async (org: Org) => (await api.ok<any>(org.owner, CATALOGUE, { id: pool })).pool.sharedSegments;

  beforeAll(async () => {
    api = await TestApi.start();
    a = await poolOrganization(api, 'Théâtre du Lac');
    b = await poolOrganization(api, 'Salle Desjardins');
    c = await poolOrganization(api, 'Festival des Neiges');
    pool = await poolOf(api, a, [b], { name: 'Réseau', purposes: ['AUDIENCE_RESEARCH'], minGroupSize: 5 });
    big = await audience(a, 'Abonnés', 6);
    small = await audience(a, 'Mécènes', 2);
    bAudience = await audience(b, 'Public B', 1);
  });
  afterAll(async () => {
    await api.close();
  });

  it('shares an audience: the catalogue shows it to members, sizes under k suppressed (null, never 0)', async () => {
    const shared = await share(a, { audienceId: big, description: 'Nos abonnés' });
    expect(shared.errors).toBeUndefined();
    expect(shared.data.shareAudience).toMatchObject({
      poolId: pool,
      publisherName: a.name,
      audienceName: 'Abonnés',
      purpose: 'AUDIENCE_RESEARCH',
      description: 'Nos abonnés',
      isMine: true,
      size: 6,
      sizeSuppressed: false,
    });
    expect((await share(a, { audienceId: small })).errors).toBeUndefined();
    const seen = await catalogue(b);
    expect(seen).toEqual([
      expect.objectContaining({ audienceName: 'Abonnés', publisherName: a.name, isMine: false, size: 6 }),
      expect.objectContaining({ audienceName: 'Mécènes', size: null, sizeSuppressed: true }),
    ]);
  });

  it('refuses bad input: another org’s audience, a purpose the pool does not allow, an expired expiresAt, a non-member', async () => {
    expect(errorOf(await share(b, { audienceId: big }))).toEqual({ code: 'NOT_FOUND', field: 'input.audienceId' });
    expect(errorOf(await share(a, { audienceId: bAudience }))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.audienceId',
    });
    expect(errorOf(await share(a, { audienceId: big, purpose: 'JOINT_CAMPAIGN' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.purpose',
    });
    expect(errorOf(await share(a, { audienceId: big, expiresAt: '2020-01-01T00:00:00.000Z' }))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.expiresAt',
    });
    const cAudience = await audience(c, 'Public C', 1);
    expect(errorOf(await share(c, { audienceId: cAudience }))).toEqual({ code: 'NOT_FOUND', field: 'input.poolId' });
    // a non-member does not see the pool at all
    expect(errorOf(await api.gql(c.owner, CATALOGUE, { id: pool }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('unshares at once; an expired share behaves as withdrawn', async () => {
    const [first] = await catalogue(a);
    expect((await api.ok<any>(a.owner, UNSHARE, { id: first.id })).unshareAudience).toBe(true);
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes']);
    expect(errorOf(await api.gql(a.owner, UNSHARE, { id: first.id }))).toMatchObject({ code: 'NOT_FOUND' });
    // only the publisher withdraws its share
    const [second] = await catalogue(b);
    expect(errorOf(await api.gql(b.owner, UNSHARE, { id: second.id }))).toMatchObject({ code: 'NOT_FOUND' });

    const soon = await share(a, { audienceId: big, expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect(soon.errors).toBeUndefined();
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes', 'Abonnés']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await catalogue(b)).map((s: any) => s.audienceName)).toEqual(['Mécènes']);
  });
});

/**
 * A shared segment stays current with its audience by queued job, with the jobs and the listeners running in the API
 * under test: the triggers note what changed, the listener queues pools.sync-segments, which recomputes the noted
 * contacts' fingerprints. Fingerprints are read as the database owner (row-level security does not bind it); sizes as
 * another member of the pool sees them in the catalogue (k = 5).
 */
describeOnQueueBackends(
  (backend) => `shared segments stay current by queued job (${backend} queues)`,
  (env) => {
    let api: TestApi;
    let db: pg.Client;
    let a: Org;
    let b: Org;
    let pool: string;
    let n = 0;

    const contact = async (name: string, input: Record<string, unknown> = {}) =>
      (
        await api.ok<any>(a.owner, CREATE_CONTACT, {
          input: { firstName: name, lastName: 'Pool', email: `${name.toLowerCase()}-${++n}@example.org`, ...input },
        })
      ).createContact.id as string;
    const contacts = async (name: string, count: number, input: Record<string, unknown> = {}) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push(await contact(`${name}${i}`, input));
      return ids;
    };
    const staticAudience = async (name: string, ids: string[]) => {
      const { createAudience } = await api.ok<any>(a.owner, CREATE_AUDIENCE, { input: { name, kind: 'STATIC' } });
      await api.ok(a.owner, ADD, { id: createAudience.id, target: { ids } });
      return createAudience.id as string;
    };
    const share = async (audienceId: string, expiresAt?: Date) =>
      (
        await api.ok<any>(a.owner, SHARE, {
          input: { poolId: pool, audienceId, purpose: 'AUDIENCE_RESEARCH', expiresAt: expiresAt?.toISOString() },
        })
      ).shareAudience as { id: string; size: number | null };
    /** The segment's size as b sees it in the catalogue (null: under k). */
    const size = async (segment: string) =>
      ((await api.ok<any>(b.owner, CATALOGUE, { id: pool })).pool.sharedSegments as any[]).find((s) => s.id === segment)
        ?.size as number | null | undefined;
    /** How many fingerprints of `contact` the segment holds. */
    const prints = async (segment: string, contact: string) =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM segment_fingerprints WHERE segment_id = $1 AND contact_id = $2`,
          [segment, contact],
        )
      ).rows[0].n;
    /** Whether the segment holds the fingerprint of this email. */
    const holdsEmail = async (segment: string, email: string) =>
      (
        await db.query(
          `SELECT 1 FROM segment_fingerprints f JOIN pool_secrets s USING (pool_id)
            WHERE f.segment_id = $1 AND f.fingerprint = hmac(convert_to($2, 'UTF8'), s.secret, 'sha256')`,
          [segment, email],
        )
      ).rowCount === 1;
    const reaches = <T>(what: string, probe: () => Promise<T | undefined | null | false>) =>
      until(what, probe, { timeoutMs: REACH_MS, everyMs: 200 });
    /** Nothing left for the audience and pool jobs of a to do: no change noted, no sync waiting or running. */
    const settled = () =>
      reaches('the jobs of a to settle', async () => {
        const { rows } = await db.query<{ busy: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pool_pending_contacts WHERE org_id = $1)
               OR EXISTS (SELECT 1 FROM audience_pending_contacts WHERE org_id = $1)
               OR EXISTS (SELECT 1 FROM job_runs WHERE org_id = $1 AND status IN ('QUEUED', 'RUNNING')
                            AND (kind IN ('audiences.sync', 'audiences.refresh')
                                 OR (kind = 'pools.sync-segments' AND payload->>'reason' = 'CHANGES'))) AS busy`,
          [a.id],
        );
        return !rows[0].busy;
      });

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await db.connect();
      a = await poolOrganization(api, 'Théâtre du Fleuve');
      b = await poolOrganization(api, 'Salle du Quai');
      pool = await poolOf(api, a, [b], { name: 'Réseau du Fleuve', purposes: ['AUDIENCE_RESEARCH'], minGroupSize: 5 });
    });
    afterAll(async () => {
      await db?.end();
      await api?.close();
    });

    it('a DYNAMIC audience: people entering or leaving it by a data change (its sync) reach the segment', async () => {
      const tagged = await contacts('Abonne', 6, { tags: ['abonné-réseau'] });
      const { createAudience } = await api.ok<any>(a.owner, CREATE_AUDIENCE, {
        input: { name: 'Abonnés du réseau', kind: 'DYNAMIC', rule: { tags: { any: ['abonné-réseau'] } } },
      });
      await reaches('the audience to be materialized', async () => {
        const { audience } = await api.ok<any>(a.owner, AUDIENCE, { id: createAudience.id });
        return audience.status === 'CURRENT' && audience.size === 6;
      });
      const segment = await share(createAudience.id);
      expect(segment.size).toBe(6);
      // a tag makes one more person enter the audience, then the pool
      const newcomer = await contact('Nouvelle');
      await api.ok(a.owner, TAG, { tags: ['abonné-réseau'], ids: [newcomer] });
      await reaches('the newcomer to reach the segment', async () => (await size(segment.id)) === 7);
      expect(await prints(segment.id, newcomer)).toBe(1);
      // three leave: 4 people, under k
      await api.ok(a.owner, UNTAG, { tags: ['abonné-réseau'], ids: tagged.slice(0, 3) });
      await reaches('the leavers to leave the segment', async () => {
        for (const id of tagged.slice(0, 3)) if ((await prints(segment.id, id)) > 0) return false;
        return true;
      });
      expect(await size(segment.id)).toBeNull();
    });

    it('a STATIC audience: members added and removed, an email change, a PARTNER_SHARING withdrawal and a merge reach the segment', async () => {
      const people = await contacts('Membre', 8);
      const list = await staticAudience('Liste du réseau', people);
      const segment = await share(list);
      expect(segment.size).toBe(8);

      const more = await contacts('Ajout', 2);
      await api.ok(a.owner, ADD, { id: list, target: { ids: more } });
      await reaches('the additions to reach the segment', async () => (await size(segment.id)) === 10);
      await api.ok(a.owner, REMOVE, { id: list, target: { ids: more } });
      await reaches('the removals to reach the segment', async () => (await size(segment.id)) === 8);

      // the email is what is fingerprinted: the old one's fingerprint leaves, the new one's enters
      const [first] = people;
      const { rows } = await db.query<{ email: string }>(`SELECT email FROM contacts WHERE id = $1`, [first]);
      expect(await holdsEmail(segment.id, rows[0].email)).toBe(true);
      await api.ok(a.owner, UPDATE_CONTACT, { id: first, input: { email: 'nouvelle.adresse@example.org' } });
      await reaches(
        'the new email to replace the old one',
        async () =>
          (await holdsEmail(segment.id, 'nouvelle.adresse@example.org')) &&
          !(await holdsEmail(segment.id, rows[0].email)),
      );
      expect(await size(segment.id)).toBe(8);

      // a PARTNER_SHARING withdrawal takes the person out of every pool
      await api.ok(a.owner, RECORD_CONSENT, {
        id: people[1],
        input: { purpose: 'PARTNER_SHARING', status: 'WITHDRAWN', source: 'désabonnement' },
      });
      await reaches('the withdrawal to reach the segment', async () => (await size(segment.id)) === 7);
      expect(await prints(segment.id, people[1])).toBe(0);

      // a merge: two members merged into a contact that was not on the list leave one person, the survivor
      const survivor = await contact('Survivante');
      await api.ok(a.owner, MERGE, { survivorId: survivor, mergedIds: [people[2], people[3]] });
      await reaches('the merge to reach the segment', async () => (await prints(segment.id, survivor)) > 0);
      expect(await size(segment.id)).toBe(6);
      expect([await prints(segment.id, people[2]), await prints(segment.id, people[3])]).toEqual([0, 0]);
    });

    it("an expired share's fingerprints are deleted by the delayed job queued for its expiry", async () => {
      const list = await staticAudience('Liste éphémère', await contacts('Passant', 5));
      await settled();
      const segment = await share(list, new Date(Date.now() + 3_000));
      expect(segment.size).toBe(5);
      const count = async () =>
        (
          await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM segment_fingerprints WHERE segment_id = $1`, [
            segment.id,
          ])
        ).rows[0].n;
      expect(await count()).toBe(5);
      const run = await reaches('the expiry run to succeed', async () => {
        const { rows } = await db.query<{ status: string; counts: Record<string, number> }>(
          `SELECT status, counts FROM job_runs WHERE org_id = $1 AND kind = 'pools.sync-segments'
              AND payload->>'sharedSegmentId' = $2`,
          [a.id, segment.id],
        );
        return rows.find((row) => row.status === 'SUCCEEDED');
      });
      // nothing else ran a sync meanwhile (settled, and nothing changed): this run deleted them
      expect(run.counts).toMatchObject({ expired: 5 });
      expect(await count()).toBe(0);
      expect(await size(segment.id)).toBeUndefined();
    });
  },
);
