import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { isUuid, logger } from '@app/common';
import { TenantContexts } from '@app/database';
import { JobCancelledError, type JobPayload, type JobProgress } from './job-handler.js';
import { JobHandlersRegistry } from './job-handlers.registry.js';
import { JobName, QueueName } from './job-name.enum.js';
import type { QueuedJob } from './job-queues.js';
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

/** What BullMQ keeps of a failed attempt, readable wherever the queue is: fixed words; the run's errors hold the details. */
export const JOB_FAILED_REASON = 'Job attempt failed: its job run holds the details';
/** A job that names no run of its own kind in its organization (forged, or its run deleted): it does nothing. */
export const JOB_REFUSED_REASON = 'Job refused: it names no run of its kind in its organization';
const QUEUE_REASONS = new Set([JOB_FAILED_REASON, JOB_REFUSED_REASON]);
const CREATOR_LEFT = 'The member who started this run no longer belongs to the organization: it was not run';

const JOB_NAMES: readonly string[] = Object.values(JobName);

/** The run a job's data points at, when it is well formed (whatever else the data holds is ignored). */
function queuedJobOf(data: unknown): QueuedJob | null {
  const { orgId, jobRunId } = (data ?? {}) as Partial<Record<keyof QueuedJob, unknown>>;
  return isUuid(orgId) && isUuid(jobRunId) ? { orgId, jobRunId } : null;
}

/**
 * Runs the jobs of the contacts queue: each in its organization's tenant
 * context, reflected in its job run (RUNNING, progress, SUCCEEDED, FAILED after
 * the last retry, CANCELLED). Stalled jobs are retried by BullMQ.
 *
 * The queue is not trusted: a job's data names its organization and run, and
 * the run, read in that organization under row-level security, says the rest
 * (kind, params, creator, role). A job whose run is not there, or of another
 * kind, fails without doing anything.
 */
@Processor(QueueName.CONTACTS, WORKER_OPTIONS)
export class ContactsQueueProcessor extends WorkerHost {
  constructor(
    private readonly handlers: JobHandlersRegistry,
    private readonly runs: JobRunsService,
  ) {
    super();
  }

  async process(job: Job<unknown>): Promise<Record<string, number>> {
    try {
      return await this.attempt(job);
    } catch (error) {
      if (error instanceof Error && QUEUE_REASONS.has(error.message)) throw error;
      // whatever else failed (the database, before the run could record it) keeps its words out of the queue too
      logger.warn({ err: error, job: job.name, jobId: job.id }, 'job attempt failed before its run could record it');
      throw error instanceof UnrecoverableError
        ? new UnrecoverableError(JOB_FAILED_REASON)
        : new Error(JOB_FAILED_REASON);
    }
  }

  private async attempt(job: Job<unknown>): Promise<Record<string, number>> {
    const ref = queuedJobOf(job.data);
    if (!ref || !JOB_NAMES.includes(job.name)) throw new UnrecoverableError(JOB_REFUSED_REASON);
    const { orgId, jobRunId } = ref;
    const run = await TenantContexts.run({ orgId, job: true }, () => this.runs.start(jobRunId, job.name));
    if (run === 'missing') throw new UnrecoverableError(JOB_REFUSED_REASON);
    if (run === 'done') return { skipped: 1 };
    const payload: JobPayload = { orgId, jobRunId, userId: run.userId, role: run.role, params: run.params };
    return TenantContexts.run(
      { orgId, userId: run.userId ?? undefined, role: run.role ?? undefined, job: true },
      async () => {
        if (run.creatorLeft) {
          await this.runs.recordError(jobRunId, { message: CREATOR_LEFT }, true);
          throw new UnrecoverableError(JOB_FAILED_REASON);
        }
        return this.work(job, payload);
      },
    );
  }

  private async work(job: Job<unknown>, payload: JobPayload): Promise<Record<string, number>> {
    const { jobRunId } = payload;
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
      const counts = await this.handlers.get(job.name).run(payload, progress);
      await this.runs.finish(jobRunId, JobRunStatus.SUCCEEDED, counts, last);
      return counts;
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await this.runs.finish(jobRunId, JobRunStatus.CANCELLED, {}, last);
        return { cancelled: 1 };
      }
      // UnrecoverableError: the input itself is wrong (e.g. a file without known columns); BullMQ does not retry it
      const unrecoverable = error instanceof UnrecoverableError;
      const final = unrecoverable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      logger.warn({ err: error, job: job.name, jobRunId, attempt: job.attemptsMade + 1, final }, 'job attempt failed');
      // the run keeps the message; if it cannot, the reaper ends the run once its job has failed for good
      await this.runs
        .recordError(jobRunId, { message: error instanceof Error ? error.message : String(error) }, final)
        .catch((recordError: unknown) =>
          logger.warn({ err: recordError, jobRunId }, "could not record a job attempt's failure"),
        );
      throw unrecoverable ? new UnrecoverableError(JOB_FAILED_REASON) : new Error(JOB_FAILED_REASON);
    }
  }
}
