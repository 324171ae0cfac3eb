import { InjectQueue } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { TenantContexts, TenantDb } from '@app/database';
import type { JobPayload } from './job-handler.js';
import { JobName, QUEUE_OF, QueueName } from './job-name.enum.js';
import type { JobRunModel } from './job-run.model.js';
import { JobRunsService } from './job-runs.service.js';

/** Retries with exponential backoff; finished jobs trimmed (the job run keeps the record). */
export const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
} as const;

/** Starts jobs: a job run row (the tenant's record), then the queued job, whose id is the run's id. */
@Injectable()
export class JobsService implements BeforeApplicationShutdown {
  private readonly queues: Record<QueueName, Queue>;
  private stopping = false;

  constructor(
    private readonly db: TenantDb,
    private readonly runs: JobRunsService,
    @InjectQueue(QueueName.CONTACTS) contacts: Queue,
  ) {
    this.queues = { [QueueName.CONTACTS]: contacts };
  }

  /**
   * `prepare`, when given, runs between the run's creation and its queueing
   * (an import stores its upload there) and may add to the params; if it
   * throws, the run and what it stored are deleted.
   */
  async start<P extends object>(name: JobName, params: P, prepare?: (runId: string) => Promise<Partial<P>>, delayMs = 0): Promise<JobRunModel> {
    const { orgId, userId, role } = TenantContexts.require();
    const run = await this.db.transaction((tx) => this.runs.create(tx, name, params));
    let full = params;
    if (prepare) {
      try {
        const extra = await prepare(run.id);
        await this.runs.extendPayload(run.id, extra);
        full = { ...params, ...extra };
      } catch (error) {
        await this.db.transaction((tx) => tx.execute('DELETE FROM job_runs WHERE id = $1', [run.id]));
        throw error;
      }
    }
    const payload: JobPayload<P> = { orgId, jobRunId: run.id, userId: userId ?? null, role: role ?? null, params: full };
    await this.enqueue(name, payload, delayMs);
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

  /** Queues the job of a run (to start in `delayMs`); its id is the run's, so queueing it again is a no-op. */
  async enqueue(name: JobName, payload: JobPayload, delayMs = 0): Promise<void> {
    await this.queues[QUEUE_OF[name]].add(name, payload, { ...JOB_OPTIONS, jobId: payload.jobRunId, ...(delayMs > 0 ? { delay: delayMs } : {}) });
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }
}
