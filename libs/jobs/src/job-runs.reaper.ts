import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { logger } from '@app/common';
import { TenantContexts } from '@app/database';
import { JobQueues, type QueuedJobState } from './job-queues.js';
import { JobRunStatus } from './job-run.model.js';
import { JobRunsService, type WatchedRun } from './job-runs.service.js';
import { JobsService } from './jobs.service.js';
import { PeriodicTask } from './periodic-task.js';

/** JOB_REAPER_INTERVAL_MS: how often the reaper runs, and how long a run is left alone before it looks. */
export const REAPER_INTERVAL_MS = Symbol('REAPER_INTERVAL_MS');

/** Runs looked at per pass, the least recently looked at first. */
const BATCH = 500;

/** Why the reaper ended a run: fixed words, on the run as its error. */
export const REAPED = {
  gone: 'The run stopped: its queued job disappeared (the queue lost it, or it was removed). Start it again.',
  failed:
    'The run stopped: its job failed for good without finishing (its worker stopped while running it, again and again).',
  ended: 'The run stopped: its job ended without recording how.',
  unprepared: 'The run never started: its upload was not stored completely.',
} as const;

export type ReapAction =
  | { kind: 'keep' }
  | { kind: 'requeue' }
  | { kind: 'end'; status: JobRunStatus.FAILED | JobRunStatus.CANCELLED; message: string | null };

/**
 * What becomes of an unfinished run, given where its job is. A job still to run (waiting, delayed, running) is left
 * to it. A ready QUEUED run without job never had one queued (its process died between the commit and the enqueue)
 * or lost it: it is queued again. Otherwise the run can no longer finish: FAILED, or CANCELLED when that was asked.
 */
export function reapAction(
  run: Pick<WatchedRun, 'status' | 'ready' | 'cancelRequested'>,
  job: QueuedJobState,
): ReapAction {
  if (job === 'pending') return { kind: 'keep' };
  if (run.cancelRequested) return { kind: 'end', status: JobRunStatus.CANCELLED, message: null };
  if (job === 'failed') return { kind: 'end', status: JobRunStatus.FAILED, message: REAPED.failed };
  if (job === 'completed') return { kind: 'end', status: JobRunStatus.FAILED, message: REAPED.ended };
  if (run.status === JobRunStatus.RUNNING) return { kind: 'end', status: JobRunStatus.FAILED, message: REAPED.gone };
  return run.ready ? { kind: 'requeue' } : { kind: 'end', status: JobRunStatus.FAILED, message: REAPED.unprepared };
}

/**
 * Reconciles job runs with the queue, in the processes that run jobs: at start, then every JOB_REAPER_INTERVAL_MS.
 * It reads job_dispatches (one row per unfinished run, across organizations: ids and times only) for the runs due a
 * look, then looks at each in its own tenant and acts (reapAction). Only runs queued under this process's
 * QUEUE_PREFIX (or before prefixes were kept): another deployment's jobs are not in its queues. Several processes may
 * reap at once: queueing a run twice is a no-op (the job's id is the run's) and a run is ended only if unchanged since.
 */
@Injectable()
export class JobRunsReaper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
    private readonly queues: JobQueues,
    @Inject(REAPER_INTERVAL_MS) private readonly intervalMs: number,
  ) {
    this.task = new PeriodicTask(() => this.reap(), intervalMs, 'job run reaper failed; retried at its next pass');
  }

  onApplicationBootstrap(): void {
    this.task.start(0);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One pass; answers how many runs it queued again and ended. */
  async reap(): Promise<{ requeued: number; ended: number }> {
    const due = await this.dataSource.query<{ orgId: string; runId: string }[]>(
      `SELECT organization_id AS "orgId", job_run_id AS "runId" FROM job_dispatches
        WHERE (queue_prefix = $1 OR queue_prefix IS NULL) AND watch_from < now() - $2::int * interval '1 millisecond'
        ORDER BY watch_from LIMIT ${BATCH}`,
      [this.queues.prefix, this.intervalMs],
    );
    const byOrg = new Map<string, string[]>();
    for (const { orgId, runId } of due) byOrg.set(orgId, [...(byOrg.get(orgId) ?? []), runId]);
    const totals = { requeued: 0, ended: 0 };
    for (const [orgId, ids] of byOrg) {
      if (this.task.stopping) break;
      try {
        const counts = await TenantContexts.run({ orgId }, () => this.reapTenant(orgId, ids));
        totals.requeued += counts.requeued;
        totals.ended += counts.ended;
      } catch (error) {
        // one organization's failure must not keep the others' runs stuck
        logger.warn({ err: error, orgId }, 'job run reaper failed for an organization; retried at its next pass');
      }
    }
    return totals;
  }

  private async reapTenant(orgId: string, ids: string[]): Promise<{ requeued: number; ended: number }> {
    const counts = { requeued: 0, ended: 0 };
    for (const run of await this.runs.watched(ids)) {
      const action = reapAction(run, await this.queues.state(run.kind, run.id));
      if (action.kind === 'requeue') {
        await this.jobs.enqueue(run.kind, { orgId, jobRunId: run.id });
        counts.requeued++;
        logger.warn({ orgId, jobRunId: run.id, kind: run.kind }, 'job run had no queued job: queued again');
      } else if (action.kind === 'end' && (await this.runs.endStale(run, action.status, action.message))) {
        counts.ended++;
        logger.warn({ orgId, jobRunId: run.id, kind: run.kind, status: action.status }, 'stale job run ended');
      }
    }
    // looked at (an ended run's row is gone): the next pass looks at others first
    await this.dataSource.query(
      'UPDATE job_dispatches SET watch_from = now() WHERE organization_id = $1 AND job_run_id = ANY($2::uuid[])',
      [orgId, ids],
    );
    return counts;
  }
}
