import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { TenantContexts, TenantDb } from '@app/database';
import { JobName, QUEUE_OF, QueueName } from './job-name.enum.js';
import { JobQueues, type QueuedJob } from './job-queues.js';
import type { JobRunModel } from './job-run.model.js';
import { JobRunsService } from './job-runs.service.js';
import { DEFAULT_RETENTION, finishedJobsKept } from './retention/retention-policy.js';

/**
 * Retries with exponential backoff; finished jobs trimmed (the job run keeps the record): JobsModule.forRoot sets
 * how long from RETENTION_DAYS_QUEUE.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  ...finishedJobsKept(DEFAULT_RETENTION),
};

/**
 * Starts jobs: a job run row (the tenant's record: what to do, for whom, with which role), then the queued job, whose
 * id is the run's id and whose data only points at the run. A process that dies between the two leaves a QUEUED run
 * without job: the reaper queues it (JobRunsReaper).
 */
@Injectable()
export class JobsService implements BeforeApplicationShutdown {
  private stopping = false;

  constructor(
    private readonly db: TenantDb,
    private readonly runs: JobRunsService,
    private readonly queues: JobQueues,
  ) {}

  /**
   * `prepare`, when given, runs between the run's creation and its queueing
   * (an import stores its upload there) and may add to the params; if it
   * throws, the run and what it stored are deleted.
   */
  async start<P extends object>(
    name: JobName,
    params: P,
    prepare?: (runId: string) => Promise<Partial<P>>,
    delayMs = 0,
  ): Promise<JobRunModel> {
    const { orgId } = TenantContexts.require();
    const run = await this.db.transaction((tx) => this.runs.create(tx, name, params, { ready: !prepare, delayMs }));
    if (prepare) {
      try {
        await this.runs.prepared(run.id, await prepare(run.id), delayMs);
      } catch (error) {
        await this.db.transaction((tx) => tx.execute('DELETE FROM job_runs WHERE id = $1', [run.id]));
        throw error;
      }
    }
    await this.enqueue(name, { orgId, jobRunId: run.id }, delayMs);
    return run;
  }

  /**
   * A job that a finishing job asks for (an import's dedup run): started like any other, unless this process is
   * stopping — its queues are closing while the running jobs drain, and queueing then would hang the shutdown.
   * Returns null then; the caller says so in its counts.
   */
  async startFollowUp<P extends object>(name: JobName, params: P): Promise<JobRunModel | null> {
    return this.stopping ? null : this.start(name, params);
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
  }

  /**
   * Queues the job of a run (to start in `delayMs`); its id is the run's, so queueing it again is a no-op. Its data is
   * the run's address and nothing else, whatever `run` holds besides.
   */
  async enqueue(name: JobName, run: QueuedJob, delayMs = 0): Promise<void> {
    const data: QueuedJob = { orgId: run.orgId, jobRunId: run.jobRunId };
    await this.queues
      .queue(QUEUE_OF[name])
      .add(name, data, { ...JOB_OPTIONS, jobId: run.jobRunId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
  }

  /**
   * This process's queue prefix: a job run written for it by the database (a cross-promotion's relay, written by the
   * pools' broker in the publisher's tenant) names it in its dispatch row, so that the reaper of these queues takes it.
   */
  get queuePrefix(): string {
    return this.queues.prefix;
  }

  queue(name: QueueName): Queue {
    return this.queues.queue(name);
  }
}
