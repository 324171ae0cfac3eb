import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-name.enum.js';

export const JOB_HANDLER = 'crm:job-handler';

/**
 * What a handler is given: the tenant (explicit at the edges), its run, who asked and with which role, and the params.
 * Built by the processor from the run's row, never from the queue (whose job carries only orgId and jobRunId).
 */
export interface JobPayload<P = unknown> {
  orgId: string;
  jobRunId: string;
  userId: string | null;
  role: string | null;
  params: P;
}

/** What a handler reports while it works. Throws JobCancelledError when the run was cancelled. */
export interface JobProgress {
  report(processed: number, total: number | null, counts: Record<string, number>): Promise<void>;
}

/**
 * One class per job: `@JobHandler(JobName.X)` on a provider implementing run().
 * It runs inside the job's tenant context; it must be idempotent (a retry after
 * a crash ends in the same state as one clean run). It returns the final counts.
 */
export interface JobHandlerContract<P> {
  run(payload: JobPayload<P>, progress: JobProgress): Promise<Record<string, number>>;
}

export const JobHandler = (name: JobName): ClassDecorator => SetMetadata(JOB_HANDLER, name);

export class JobCancelledError extends Error {
  constructor() {
    super('Job run cancelled');
    this.name = 'JobCancelledError';
  }
}
