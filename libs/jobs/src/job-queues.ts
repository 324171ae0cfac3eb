import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { type JobName, QUEUE_OF, QueueName } from './job-name.enum.js';

/**
 * What a queued job carries: where its run is, nothing else. The processor reads the run (kind, params, creator,
 * role) from its row under row-level security: whoever can write to the queue cannot choose them.
 */
export interface QueuedJob {
  orgId: string;
  jobRunId: string;
}

/** Where a run's job is: still to run (waiting, delayed, running), finished, or not on the queue. */
export type QueuedJobState = 'pending' | 'completed' | 'failed' | 'missing';

const FINISHED = new Set(['completed', 'failed']);

/** QUEUE_PREFIX: on Redis, the queues' keys start with it. */
export const QUEUE_PREFIX = Symbol('QUEUE_PREFIX');

/** The queues of this process, by name. */
@Injectable()
export class JobQueues {
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    @InjectQueue(QueueName.CONTACTS) contacts: Queue,
    /** Runs record it: a process reconciles only the runs it can find the jobs of (see JobRunsReaper). */
    @Inject(QUEUE_PREFIX) readonly prefix: string,
  ) {
    this.queues = { [QueueName.CONTACTS]: contacts };
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  /** The state of the job of run `runId` (its job's id is the run's). A job that failed is failed for good: a retry is delayed or waiting. */
  async state(kind: JobName, runId: string): Promise<QueuedJobState> {
    const state = await this.queues[QUEUE_OF[kind]].getJobState(runId);
    if (state === 'unknown') return 'missing';
    return FINISHED.has(state) ? (state as 'completed' | 'failed') : 'pending';
  }
}
