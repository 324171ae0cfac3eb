import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { logger } from '@app/common';
import { TenantContexts } from '@app/database';
import { JobCancelledError, type JobPayload, type JobProgress } from './job-handler.js';
import { JobHandlersRegistry } from './job-handlers.registry.js';
import { QueueName } from './job-name.enum.js';
import { JobRunStatus } from './job-run.model.js';
import { JobRunsService } from './job-runs.service.js';

/** How often a running job writes its progress (and learns of a cancellation). */
const PROGRESS_EVERY_MS = 500;

/**
 * Worker options. A job's lock is renewed while it runs; once a dead worker's
 * lock expires, the stalled-job check (as often as the lock lasts) queues the
 * job again. JobsModule.forRoot sets both from JOB_LOCK_MS.
 */
export const WORKER_OPTIONS = { concurrency: 2, lockDuration: 30_000, stalledInterval: 30_000, maxStalledCount: 2 };

/**
 * Runs the jobs of the contacts queue: each in its organization's tenant
 * context, reflected in its job run (RUNNING, progress, SUCCEEDED, FAILED after
 * the last retry, CANCELLED). Stalled jobs are retried by BullMQ.
 */
@Processor(QueueName.CONTACTS, WORKER_OPTIONS)
export class ContactsQueueProcessor extends WorkerHost {
  constructor(
    private readonly handlers: JobHandlersRegistry,
    private readonly runs: JobRunsService,
  ) {
    super();
  }

  async process(job: Job<JobPayload>): Promise<Record<string, number>> {
    const handler = this.handlers.get(job.name);
    const { orgId, jobRunId, userId, role } = job.data;
    return TenantContexts.run({ orgId, userId: userId ?? undefined, role: role ?? undefined }, async () => {
      if (!(await this.runs.start(jobRunId))) return { skipped: 1 };
      let reportedAt = 0;
      let last = { processed: 0, total: null as number | null };
      const progress: JobProgress = {
        report: async (processed, total, counts) => {
          last = { processed, total };
          if (Date.now() - reportedAt < PROGRESS_EVERY_MS) return;
          reportedAt = Date.now();
          const { cancelRequested } = await this.runs.progress(jobRunId, processed, total, counts);
          if (cancelRequested) throw new JobCancelledError();
        },
      };
      try {
        const counts = await handler.run(job.data, progress);
        await this.runs.finish(jobRunId, JobRunStatus.SUCCEEDED, counts, last);
        return counts;
      } catch (error) {
        if (error instanceof JobCancelledError) {
          await this.runs.finish(jobRunId, JobRunStatus.CANCELLED, {}, last);
          return { cancelled: 1 };
        }
        // UnrecoverableError: the input itself is wrong (e.g. a file without known columns); BullMQ does not retry it
        const final = error instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        logger.warn({ err: error, job: job.name, jobRunId, attempt: job.attemptsMade + 1, final }, 'job attempt failed');
        await this.runs.recordError(jobRunId, { message: error instanceof Error ? error.message : String(error) }, final);
        throw error;
      }
    });
  }
}
