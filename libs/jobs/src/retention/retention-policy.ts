import { SetMetadata } from '@nestjs/common';
import type { KeepJobs } from 'bullmq';
import type { Config } from '@app/common';
import type { Tx } from '@app/database';

const DAY_MS = 86_400_000;

/** How long personal data kept for a purpose lives after it (RETENTION_DAYS_*), in days. */
export interface RetentionPolicy {
  /** Files of finished job runs: exports, import uploads, rejected rows. */
  filesDays: number;
  /** Errors of finished job runs (they quote rows' values). */
  jobErrorsDays: number;
  /** Failed jobs in the queue (their data and failure); completed ones stay at most a day. */
  queueDays: number;
  /** A merge's snapshot of the contacts before it: what its undo needs. */
  mergeUndoDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  filesDays: 30,
  jobErrorsDays: 30,
  queueDays: 30,
  mergeUndoDays: 365,
};

export function retentionPolicy(config: Config): RetentionPolicy {
  return {
    filesDays: config.RETENTION_DAYS_FILES,
    jobErrorsDays: config.RETENTION_DAYS_JOB_ERRORS,
    queueDays: config.RETENTION_DAYS_QUEUE,
    mergeUndoDays: config.RETENTION_DAYS_MERGE_UNDO,
  };
}

/** The moment before which data kept `days` is expired. */
export function expiredBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * DAY_MS);
}

/** How long the queue keeps finished jobs (BullMQ's removeOnComplete / removeOnFail); 0 days: not at all. */
export function finishedJobsKept(policy: RetentionPolicy): {
  removeOnComplete: KeepJobs | true;
  removeOnFail: KeepJobs | true;
} {
  const keep = (days: number, count: number): KeepJobs | true => (days === 0 ? true : { age: days * 86_400, count });
  return { removeOnComplete: keep(Math.min(1, policy.queueDays), 1_000), removeOnFail: keep(policy.queueDays, 5_000) };
}

export const RETENTION_PURGE = 'crm:retention-purge';

/**
 * What a context expires of its own tables: `@RetentionPurge()` on a provider implementing purge(). The sweep calls
 * it in each organization's tenant transaction (`tx`), with the time it runs at; it returns what it removed, by kind.
 */
export interface RetentionPurgeContract {
  purge(tx: Tx, now: Date, policy: RetentionPolicy): Promise<Record<string, number>>;
}

export const RetentionPurge = (): ClassDecorator => SetMetadata(RETENTION_PURGE, true);
