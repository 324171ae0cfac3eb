import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, JobRunsService, JobsService, QueueName } from '@app/jobs';
import { ApiKeysService, MembersService, Role } from '@app/tenancy';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';
import { finishedQueueJob } from '../support/wait.js';

/**
 * Issue 13, item 9: the queue is not trusted. Whoever can write to it (the application role reads and writes every
 * organization's queued jobs) adds jobs with forged data: another organization's id, a role of OWNER, other params,
 * another kind. A job only points at its run; the run, read in its organization under row-level security, says what
 * to do and for whom. And what the queue keeps (data, failed reasons) holds no one's data.
 */
const RUN = `query($id: ID!) { jobRun(id: $id) { id kind status attempts counts errors { message } } }`;
const EXPORT = `mutation($filter: ContactFilterInput) { startExport(format: NDJSON, filter: $filter) { id } }`;
const SECRET = 'secret.person@example.org';

// booting the app on a busy machine can take more than Jest's 5 s; jobs are waited for
jest.setTimeout(90_000);

describe('the application role and the queue schema', () => {
  it("crm_app may use BullMQ's tables but not create in its schema, nor rewrite its migration ledger", async () => {
    const owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
    try {
      const { rows } = await owner.query(`SELECT has_schema_privilege('crm_app', 'bullmq', 'CREATE') AS "create",
                                                 has_schema_privilege('crm_app', 'bullmq', 'USAGE') AS "usage",
                                                 has_table_privilege('crm_app', 'bullmq.job', 'SELECT, INSERT, UPDATE, DELETE') AS "jobs",
                                                 has_table_privilege('crm_app', 'bullmq.migration', 'INSERT, UPDATE, DELETE') AS "ledger"`);
      expect(rows[0]).toEqual({ create: false, usage: true, jobs: true, ledger: false });
    } finally {
      await owner.end();
    }
  });
});

describeOnQueueBackends(
  (backend) => `forged jobs, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let queue: Queue;
    let orgA: string;
    let ownerA: string;
    let orgB: string;
    let analystA: { userId: string; token: string };

    /** A run created as `context` would (a mutation's first step), whose job was not queued: the forger queues one. */
    const runWithoutJob = (context: { orgId: string; userId?: string; role?: string }, kind: JobName, params: object) =>
      TenantContexts.run(context, () =>
        api.app.get(TenantDb).transaction((tx) => api.app.get(JobRunsService).create(tx, kind, params)),
      );
    const runOf = async (token: string, id: string) => (await api.ok<any>(token, RUN, { id })).jobRun;

    beforeAll(async () => {
      api = await TestApi.start({ ...env, RUN_JOBS_IN_API: 'true' });
      queue = api.app.get(JobsService).queue(QueueName.CONTACTS);
      const a = await api.createOrganization('Forged A');
      orgA = a.organization.id;
      ownerA = a.token;
      orgB = (await api.createOrganization('Forged B')).organization.id;
      for (const [firstName, email] of [
        ['Hélène', 'helene@example.org'],
        ['Jean', 'jean@example.org'],
        ['Mary', 'mary@example.org'],
      ]) {
        await api.ok(ownerA, `mutation($i: CreateContactInput!) { createContact(input: $i) { id } }`, {
          i: { firstName, email, tags: ['forged'] },
        });
      }
      analystA = await TenantContexts.run({ orgId: orgA }, async () => {
        const member = await api.app.get(MembersService).add(`analyst-${randomUUID()}@example.org`, null, Role.ANALYST);
        return {
          userId: member.userId,
          token: (await api.app.get(ApiKeysService).create(member.userId, 'analyst', null)).token,
        };
      });
    });
    afterAll(() => api?.close());

    it("a job naming another organization's run fails and does nothing, in either organization", async () => {
      const victim = await runWithoutJob({ orgId: orgA }, JobName.EXPORT_CONTACTS, {
        filter: null,
        format: 'NDJSON',
        excel: false,
      });
      const jobId = randomUUID();
      await queue.add(
        JobName.EXPORT_CONTACTS,
        { orgId: orgB, jobRunId: victim.id, userId: null, role: 'OWNER', params: { filter: null, format: 'NDJSON' } },
        { jobId },
      );
      const job = await finishedQueueJob(queue, jobId);
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(/^Job refused/);
      expect(await runOf(ownerA, victim.id)).toMatchObject({ status: 'QUEUED', attempts: 0 });
      await api.ok(ownerA, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, { id: victim.id });
    });

    it("a job whose name is not its run's kind fails and leaves the run as it was", async () => {
      const victim = await runWithoutJob({ orgId: orgA }, JobName.EXPORT_CONTACTS, {
        filter: null,
        format: 'NDJSON',
        excel: false,
      });
      const jobId = randomUUID();
      await queue.add(
        JobName.IMPORT_CONTACTS,
        { orgId: orgA, jobRunId: victim.id, userId: null, role: 'OWNER', params: { strategy: 'CREATE_ALL' } },
        { jobId },
      );
      const job = await finishedQueueJob(queue, jobId);
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(/^Job refused/);
      expect(await runOf(ownerA, victim.id)).toMatchObject({ status: 'QUEUED', attempts: 0, errors: [] });
      await api.ok(ownerA, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, { id: victim.id });
    });

    it('a run does what its row says: forged params are ignored', async () => {
      const own = await runWithoutJob(
        { orgId: orgA, userId: analystA.userId, role: Role.ANALYST },
        JobName.EXPORT_CONTACTS,
        { filter: { tagsAny: ['no-such-tag'] }, format: 'NDJSON', excel: false },
      );
      await queue.add(
        JobName.EXPORT_CONTACTS,
        {
          orgId: orgA,
          jobRunId: own.id,
          userId: null,
          role: 'OWNER',
          params: { filter: null, format: 'NDJSON', excel: false },
        },
        { jobId: own.id },
      );
      const done = await api.finishedRun(analystA.token, own.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', counts: { exported: 0 } });
    });

    it("a run acts with its creator's role: an ANALYST's export forged as OWNER still has no identifiers", async () => {
      const own = await runWithoutJob(
        { orgId: orgA, userId: analystA.userId, role: Role.ANALYST },
        JobName.EXPORT_CONTACTS,
        { filter: { tagsAny: ['forged'] }, format: 'NDJSON', excel: false },
      );
      await queue.add(
        JobName.EXPORT_CONTACTS,
        {
          orgId: orgA,
          jobRunId: own.id,
          userId: null,
          role: 'OWNER',
          params: { filter: { tagsAny: ['forged'] }, format: 'NDJSON', excel: false },
        },
        { jobId: own.id },
      );
      const done = await api.finishedRun(analystA.token, own.id);
      expect(done).toMatchObject({ status: 'SUCCEEDED', counts: { exported: 3 } });
      const response = await fetch(`${api.url}/exports/${own.id}`, {
        headers: { authorization: `Bearer ${analystA.token}` },
      });
      expect(response.status).toBe(200);
      const rows = (await response.text())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toMatchObject({ email: null });
    });

    it('a run whose creator has left does not act', async () => {
      const leaver = await TenantContexts.run({ orgId: orgA }, () =>
        api.app.get(MembersService).add(`leaver-${randomUUID()}@example.org`, null, Role.ADMIN),
      );
      const own = await runWithoutJob(
        { orgId: orgA, userId: leaver.userId, role: Role.ADMIN },
        JobName.EXPORT_CONTACTS,
        { filter: null, format: 'NDJSON', excel: false },
      );
      await api.ok(ownerA, `mutation($id: ID!) { removeMember(userId: $id) { userId } }`, { id: leaver.userId });
      await api.app.get(JobsService).enqueue(JobName.EXPORT_CONTACTS, { orgId: orgA, jobRunId: own.id });
      const done = await api.finishedRun(ownerA, own.id);
      expect(done).toMatchObject({
        status: 'FAILED',
        errors: [{ message: expect.stringMatching(/no longer belongs/) }],
      });
      expect(
        (await fetch(`${api.url}/exports/${own.id}`, { headers: { authorization: `Bearer ${ownerA}` } })).status,
      ).toBe(409);
    });

    it('the queue keeps only where a run is, and fixed words for a failure', async () => {
      const { startExport } = await api.ok<any>(ownerA, EXPORT, { filter: { tagsAny: ['forged'] } });
      await api.finishedRun(ownerA, startExport.id);
      const job = (await queue.getJob(startExport.id))!;
      expect(job.data).toEqual({ orgId: orgA, jobRunId: startExport.id });

      // a file whose header line is someone's data: the import fails, the run says why, the queue does not repeat it
      const upload = await api.upload(ownerA, `${SECRET};Jean Tremblay\n${SECRET};Jean Tremblay\n`, {
        strategy: 'CREATE_ALL',
        source: 'test',
      });
      expect(upload.status).toBe(202);
      const failed = await api.finishedRun(ownerA, upload.body.jobRunId);
      expect(failed.status).toBe('FAILED');
      const failedJob = await finishedQueueJob(queue, upload.body.jobRunId);
      expect(failedJob.failedReason).toMatch(/^Job attempt failed/);
      expect(
        JSON.stringify({ data: failedJob.data, reason: failedJob.failedReason, stack: failedJob.stacktrace }),
      ).not.toMatch(/secret\.person|Tremblay/);
    });
  },
);
