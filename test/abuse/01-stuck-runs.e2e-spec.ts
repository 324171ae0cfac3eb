import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import type { Queue } from 'bullmq';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, type JobRunModel, JobRunsService, JobsService, QueueName, REAPED } from '@app/jobs';
import { describeOnQueueBackends } from '../support/queue-backends.js';
import { TestApi } from '../support/test-app.js';
import { sleep } from '../support/wait.js';

/**
 * Issue 13, item 1 (the reaper): a run whose job is gone, or failed for good without the run recording it (a worker
 * that dies on the job each time it runs it, until BullMQ gives up), showed RUNNING forever. The reaper of the
 * processes that run jobs marks it FAILED, with a fixed message. A short JOB_REAPER_INTERVAL_MS keeps the test short.
 */
const PARAMS = { filter: null, format: 'NDJSON', excel: false };

// booting the app on a busy machine can take more than Jest's 5 s; the reaper is waited for
jest.setTimeout(90_000);

describeOnQueueBackends(
  (backend) => `stuck runs, on the ${backend} backend`,
  (env) => {
    let api: TestApi;
    let queue: Queue;
    let orgId: string;
    let owner: string;

    /** A run that a worker started (RUNNING, one attempt), as a worker that then died leaves it; its job is not queued. */
    const startedRun = (): Promise<JobRunModel> =>
      TenantContexts.run({ orgId }, () =>
        api.app.get(TenantDb).transaction(async (tx) => {
          const runs = api.app.get(JobRunsService);
          const created = await runs.create(tx, JobName.EXPORT_CONTACTS, PARAMS);
          // the same transaction: the reaper never sees it QUEUED
          expect(await runs.start(created.id, JobName.EXPORT_CONTACTS)).toMatchObject({ creatorLeft: false });
          return created;
        }),
      );

    beforeAll(async () => {
      ({ api, owner, orgId } = await TestApi.withOrganization('Stuck runs', {
        ...env,
        RUN_JOBS_IN_API: 'true',
        JOB_REAPER_INTERVAL_MS: '300',
      }));
      queue = api.app.get(JobsService).queue(QueueName.CONTACTS);
    });
    afterAll(() => api?.close());

    it('a RUNNING run whose job is gone (removed, or lost with the queue) ends FAILED', async () => {
      const stuck = await startedRun();
      expect(await queue.getJobState(stuck.id)).toBe('unknown');
      const done = await api.finishedRun(owner, stuck.id);
      expect(done).toMatchObject({ status: 'FAILED', attempts: 1, errors: [{ message: REAPED.gone }] });
    });

    it('a RUNNING run whose job failed for good without the run knowing ends FAILED', async () => {
      const stuck = await startedRun();
      // a job that fails at once, for good, without touching its run (its data cannot be read)
      await queue.add(JobName.EXPORT_CONTACTS, { damaged: true }, { jobId: stuck.id, attempts: 1 });
      const done = await api.finishedRun(owner, stuck.id);
      expect(await queue.getJobState(stuck.id)).toBe('failed');
      expect(done).toMatchObject({ status: 'FAILED', attempts: 1, errors: [{ message: REAPED.failed }] });
    });

    it('a run whose job still runs, or waits, is left alone', async () => {
      const { startExport } = await api.ok<any>(owner, `mutation { startExport(format: CSV) { id } }`);
      expect(await api.finishedRun(owner, startExport.id)).toMatchObject({ status: 'SUCCEEDED', errors: [] });
      // a job due tomorrow (a daily refresh): its run waits, QUEUED, past several reaper passes
      const later = await TenantContexts.run({ orgId }, () =>
        api.app.get(JobsService).start(JobName.EXPORT_CONTACTS, PARAMS, undefined, 86_400_000),
      );
      // an absence (the reaper leaves it alone), and no observable point when it would have acted: a fixed pause of
      // five reaper intervals
      await sleep(1_500);
      expect(
        (await api.ok<any>(owner, `query($id: ID!) { jobRun(id: $id) { status } }`, { id: later.id })).jobRun.status,
      ).toBe('QUEUED');
      expect(await queue.getJobState(later.id)).toBe('delayed');
      await api.ok(owner, `mutation($id: ID!) { cancelJobRun(id: $id) { status } }`, { id: later.id });
    });
  },
);
