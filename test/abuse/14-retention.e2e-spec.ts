import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { JobsService, QueueName, RetentionService } from '@app/jobs';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';
import { finishedQueueJob, until } from '../support/wait.js';

/**
 * Personal data does not outlive its contact, nor its purpose. A deleted contact leaves nothing in any table (read
 * with the owner's connection, which row-level security does not bind): not in merge snapshots, candidate pairs,
 * dismissals or audiences. And the retention purge removes the files and errors of old job runs, old failed jobs
 * from the queue and old merges' undo snapshots, and keeps the young ones.
 */
const DAY_MS = 86_400_000;
const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`;
const MERGE = `mutation($survivorId: ID!, $mergedIds: [ID!]!) { mergeContacts(survivorId: $survivorId, mergedIds: $mergedIds) { id } }`;
const UNMERGE = `mutation($mergeId: ID!) { unmergeContacts(mergeId: $mergeId) { id undoneAt } }`;
const HISTORY = `query($contactId: ID!) { mergeHistory(contactId: $contactId) { id undoneAt } }`;
const RUN = `query($id: ID!) { jobRun(id: $id) { id status errors { message } downloadPath } }`;

/** The tables (schema public) in which some row, as text, contains one of `needles`. */
async function tablesHolding(db: pg.Client, needles: string[]): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname <> 'migrations' ORDER BY 1`,
  );
  const holding: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM public.${name} t WHERE t::text ILIKE ANY($1::text[])`,
      [needles.map((needle) => `%${needle}%`)],
    );
    if (rows[0].n > 0) holding.push(name);
  }
  return holding;
}

describe('a deleted contact leaves no trace', () => {
  let api: TestApi;
  let db: pg.Client;
  let token: string;

  beforeAll(async () => {
    api = await TestApi.start({ RUN_JOBS_IN_API: 'true' });
    token = (await api.createOrganization('Retention Deletion Org')).token;
    db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await api?.close();
  });

  const create = async (input: Record<string, unknown>): Promise<string> =>
    (await api.ok<any>(token, CREATE, { input })).createContact.id;

  it('takes its merges (and their snapshots of the contacts merged into it), candidate pairs, dismissals and memberships with it', async () => {
    const person = { firstName: 'Zéphirine', lastName: 'Beauchemin-Lafleur', city: 'Rimouski', postalCode: 'G5L 1A1' };
    const survivor = await create({
      ...person,
      email: 'zephirine.beauchemin@example.org',
      phone: '418 555-0199',
      tags: ['zz-fidèle'],
    });
    const absorbed = await create({ ...person, firstName: 'Zephirine', email: 'z.lafleur.absorbee@example.org' });
    const undone = await create({ ...person, email: 'zbl.defaite@example.org' });
    const twin = await create({ ...person, email: 'zephirine.beauchemin@example.org', phone: '418 555-0199' });
    const other = await create({ firstName: 'Anatole', lastName: 'Ferland', email: 'anatole.ferland@example.org' });

    // audiences: a static list and a dynamic one, both holding the survivor
    const audience = async (input: Record<string, unknown>) =>
      (
        await api.ok<any>(token, `mutation($input: CreateAudienceInput!) { createAudience(input: $input) { id } }`, {
          input,
        })
      ).createAudience.id;
    const list = await audience({ name: 'Liste Zéphirine', kind: 'STATIC' });
    await audience({ name: 'Fidèles', kind: 'DYNAMIC', rule: { tags: { any: ['zz-fidèle'] } } });
    await api.ok(
      token,
      `mutation($id: ID!, $ids: [ID!]!) { addAudienceMembers(id: $id, target: { ids: $ids }) { affected } }`,
      { id: list, ids: [survivor, absorbed] },
    );

    // an undone merge (the contact it restored lives on) and a merge that holds
    const undoneMerge = (await api.ok<any>(token, MERGE, { survivorId: survivor, mergedIds: [undone] })).mergeContacts
      .id;
    await api.ok(token, UNMERGE, { mergeId: undoneMerge });
    const merge = (await api.ok<any>(token, MERGE, { survivorId: survivor, mergedIds: [absorbed] })).mergeContacts.id;
    // a dismissal, and a pending pair from a dedup run
    await api.ok(token, `mutation($contactIds: [ID!]!) { dismissDuplicate(contactIds: $contactIds) }`, {
      contactIds: [survivor, other],
    });
    const { startDedupRun } = await api.ok<any>(token, `mutation { startDedupRun(scope: ALL) { id } }`);
    expect((await api.finishedRun(token, startDedupRun.id, 120_000)).status).toBe('SUCCEEDED');

    const traces = [survivor, absorbed, 'zephirine.beauchemin', 'z.lafleur.absorbee'];
    // what there is to forget (the twin shares the survivor's email: it is deleted too, to search for the email)
    expect(await tablesHolding(db, traces)).toEqual(
      expect.arrayContaining(['contact_merges', 'contact_merge_contacts', 'duplicate_candidates', 'audience_members']),
    );
    const { rows: pairs } = await db.query(
      `SELECT DISTINCT status FROM duplicate_candidates WHERE $1 IN (contact_a, contact_b) ORDER BY status`,
      [survivor],
    );
    expect(pairs.map((p) => p.status)).toEqual(['DISMISSED', 'PENDING']);

    for (const id of [survivor, twin])
      expect((await api.ok<any>(token, `mutation($id: ID!) { deleteContact(id: $id) }`, { id })).deleteContact).toBe(
        true,
      );

    // gone at once, but for the changes noted for the audiences' sync (a work queue, not a record): it takes them soon
    const holding = await tablesHolding(db, traces);
    expect(holding.filter((table) => table !== 'audience_pending_contacts')).toEqual([]);
    await until(
      "the audiences' sync to take the noted changes",
      async () => (await tablesHolding(db, traces)).length === 0,
      { timeoutMs: 20_000, everyMs: 200 },
    );

    // the merge went with its survivor: nothing left to undo
    expect((await api.gql(token, UNMERGE, { mergeId: merge })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // the restored contact lives on; the undone merge it shared with the deleted contact is gone
    expect((await api.ok<any>(token, `query($id: ID!) { contact(id: $id) { id } }`, { id: undone })).contact).toEqual({
      id: undone,
    });
    expect((await api.ok<any>(token, HISTORY, { contactId: undone })).mergeHistory).toEqual([]);
    expect((await api.ok<any>(token, `query($id: ID!) { contact(id: $id) { id } }`, { id: other })).contact).toEqual({
      id: other,
    });
  }, 180_000);
});

describeOnQueueBackends(
  (backend) => `the retention purge on the ${backend} backend`,
  (env, backend) => {
    let api: TestApi;
    let db: pg.Client;
    let token: string;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      token = (await api.createOrganization('Retention Purge Org')).token;
      db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await db.connect();
      for (const email of ['ariane@example.org', 'bastien@example.org', 'colette@example.org', 'damien@example.org']) {
        await api.ok(token, CREATE, { input: { firstName: email.split('@')[0], lastName: 'Rétention', email } });
      }
    }, 60_000);
    afterAll(async () => {
      await db?.end();
      await api?.close();
    });

    const exportRun = async () =>
      api.finishedRun(token, (await api.ok<any>(token, `mutation { startExport(format: CSV) { id } }`)).startExport.id);
    const failedImport = async () =>
      api.finishedRun(token, (await api.upload(token, 'colour,size\nZoé Secret,XL\n', {})).body.jobRunId);
    const filesOf = async (id: string) =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_files WHERE job_run_id = $1', [id])).rows[0].n;
    const download = (path: string) => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const runOf = async (id: string) => (await api.ok<any>(token, RUN, { id })).jobRun;
    /** Time passes for one failed job: its failure moves `ms` into the past, where each backend keeps it. */
    const backdateFailedJob = async (id: string, ms: number) => {
      if (backend === 'postgres') {
        await db.query(
          `UPDATE bullmq.job SET finished_at_ms = finished_at_ms - $2 WHERE id = $1 AND state = 'failed'`,
          [id, ms],
        );
        return;
      }
      const redis = new Redis(env.REDIS_URL);
      try {
        const failedAt = Number(await redis.zscore(`${env.QUEUE_PREFIX}:${QueueName.CONTACTS}:failed`, id));
        await redis.zadd(`${env.QUEUE_PREFIX}:${QueueName.CONTACTS}:failed`, 'XX', failedAt - ms, id);
        await redis.hset(`${env.QUEUE_PREFIX}:${QueueName.CONTACTS}:${id}`, 'finishedOn', String(failedAt - ms));
      } finally {
        redis.disconnect();
      }
    };

    it("removes the files and errors of runs finished longer ago than the retention, and old merges' undo, and keeps the young", async () => {
      const [oldExport, youngExport] = [await exportRun(), await exportRun()];
      const [oldImport, youngImport] = [await failedImport(), await failedImport()];
      expect([oldExport.status, youngExport.status, oldImport.status, youngImport.status]).toEqual([
        'SUCCEEDED',
        'SUCCEEDED',
        'FAILED',
        'FAILED',
      ]);
      expect(oldImport.errors).not.toEqual([]);
      expect(await filesOf(oldImport.id)).toBeGreaterThan(0);

      const contacts = (
        await api.ok<any>(token, `{ contacts(first: 10) { edges { node { id } } } }`)
      ).contacts.edges.map((e: any) => e.node.id);
      const oldMerge = (await api.ok<any>(token, MERGE, { survivorId: contacts[0], mergedIds: [contacts[1]] }))
        .mergeContacts.id;
      const youngMerge = (await api.ok<any>(token, MERGE, { survivorId: contacts[2], mergedIds: [contacts[3]] }))
        .mergeContacts.id;

      // time passes for the old ones (RETENTION_DAYS_FILES and _JOB_ERRORS 30, _MERGE_UNDO 365 by default)
      await db.query(
        `UPDATE job_runs SET created_at = created_at - interval '31 days', finished_at = finished_at - interval '31 days' WHERE id = ANY($1)`,
        [[oldExport.id, oldImport.id]],
      );
      await db.query(`UPDATE contact_merges SET created_at = created_at - interval '366 days' WHERE id = $1`, [
        oldMerge,
      ]);

      const removed = await api.app.get(RetentionService).sweep();
      expect(removed).toMatchObject({
        files: expect.any(Number),
        jobErrors: expect.any(Number),
        mergeSnapshots: expect.any(Number),
      });
      expect(removed.files).toBeGreaterThanOrEqual(2);

      // an old export: no download path, and its file is gone
      expect((await runOf(oldExport.id)).downloadPath).toBeNull();
      expect((await download(`/exports/${oldExport.id}`)).status).toBe(404);
      expect(await filesOf(oldExport.id)).toBe(0);
      const young = await runOf(youngExport.id);
      expect(young.downloadPath).toBe(`/exports/${youngExport.id}`);
      const response = await download(young.downloadPath);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('ariane@example.org');

      // an old failed import: its upload and its errors are gone; the run and its status stay
      expect(await runOf(oldImport.id)).toMatchObject({ status: 'FAILED', errors: [] });
      expect(await filesOf(oldImport.id)).toBe(0);
      expect((await runOf(youngImport.id)).errors).toEqual([{ message: youngImport.errors[0].message }]);
      expect(await filesOf(youngImport.id)).toBeGreaterThan(0);

      // an old merge stays in the history but can no longer be undone; a young one can
      const refused = await api.gql(token, UNMERGE, { mergeId: oldMerge });
      expect(refused.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/can no longer be undone/),
        extensions: { code: 'CONFLICT', field: 'mergeId' },
      });
      expect((await api.ok<any>(token, HISTORY, { contactId: contacts[0] })).mergeHistory).toEqual([
        { id: oldMerge, undoneAt: null },
      ]);
      const { rows } = await db.query(
        'SELECT before IS NULL AS erased FROM contact_merges WHERE id = ANY($1) ORDER BY id = $2',
        [[oldMerge, youngMerge], oldMerge],
      );
      expect(rows).toEqual([{ erased: false }, { erased: true }]);
      expect((await api.ok<any>(token, UNMERGE, { mergeId: youngMerge })).unmergeContacts.undoneAt).not.toBeNull();
    }, 120_000);

    it('keeps failed jobs in the queue for RETENTION_DAYS_QUEUE, then removes them with their data', async () => {
      const failed = await failedImport();
      const queue = api.app.get(JobsService).queue(QueueName.CONTACTS);
      // the run is FAILED before BullMQ moves its job to the failed set
      const job = await finishedQueueJob(queue, failed.id);
      expect(job?.failedReason).toBeTruthy();
      expect(job?.opts.removeOnFail).toEqual({ age: 30 * 86_400, count: 5_000 });

      const retention = api.app.get(RetentionService);
      await retention.sweep();
      expect(await queue.getJob(failed.id)).toBeDefined();
      await backdateFailedJob(failed.id, 31 * DAY_MS);
      const removed = await retention.sweep();
      expect(removed.failedJobs).toBeGreaterThanOrEqual(1);
      expect(await queue.getJob(failed.id)).toBeUndefined();
    }, 120_000);
  },
);
