import { Injectable } from '@nestjs/common';
import { logger } from '@app/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import {
  JobHandler,
  type JobHandlerContract,
  JobName,
  type JobPayload,
  JobRunsService,
  JobsService,
  type QueuedJob,
} from '@app/jobs';

/** Why a pools.sync-segments run was queued: changes noted by the triggers (the listener), or a share's expiry. */
export enum SyncSegmentsReason {
  CHANGES = 'CHANGES',
  EXPIRY = 'EXPIRY',
}

export interface SyncSegmentsParams {
  reason?: SyncSegmentsReason;
  /** For EXPIRY: the share whose expiry it is queued for. */
  sharedSegmentId?: string;
}

/** What the listener queues (and how it tells its runs from a waiting expiry). */
export const CHANGES_PARAMS = { reason: SyncSegmentsReason.CHANGES };

/** Above this many changed contacts, every live share is recomputed whole: one pass costs less than a huge list. */
export const FULL_REFRESH_ABOVE = 50_000;

/**
 * The longest delay an expiry's run is queued with (run rows keep it as an int of ms): a share that expires later
 * gets a run at this horizon, which queues the next one.
 */
const MAX_DELAY_MS = 7 * 86_400_000;
/** After the expiry: a run due a little early (another clock) would find the share still live. */
const AFTER_EXPIRY_MS = 1_000;

interface PlannedExpiry extends QueuedJob {
  delayMs: number;
}

/** The delayed pools.sync-segments that deletes a share's fingerprints when it expires. */
@Injectable()
export class ShareExpiries {
  constructor(
    private readonly runs: JobRunsService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * Records the run for the expiry of share `id` in `tx`, so that it commits with what asked for it (the reaper
   * queues a run whose process died before `enqueue`). Null when the share does not expire (any more), or a run for
   * it is already waiting. The run is the system's: it must happen even if the member who shared is gone by then.
   */
  async plan(tx: Tx, id: string): Promise<PlannedExpiry | null> {
    const [share] = await tx.query<{ ms: string }>(
      `SELECT ceil(extract(epoch FROM expires_at - now()) * 1000)::bigint AS ms FROM shared_segments
        WHERE id = $1 AND withdrawn_at IS NULL AND expires_at > now()`,
      [id],
    );
    if (!share) return null;
    const params: SyncSegmentsParams = { reason: SyncSegmentsReason.EXPIRY, sharedSegmentId: id };
    const { orgId } = TenantContexts.require();
    return TenantContexts.run({ orgId, job: true }, async () => {
      if (await this.runs.queued(JobName.SYNC_POOL_SEGMENTS, { ...params })) return null;
      const delayMs = Math.min(Number(share.ms) + AFTER_EXPIRY_MS, MAX_DELAY_MS);
      const run = await this.runs.create(tx, JobName.SYNC_POOL_SEGMENTS, params, { delayMs });
      return { orgId, jobRunId: run.id, delayMs };
    });
  }

  /** Queues a planned run, after its transaction committed. A failure here is the reaper's to repair: logged. */
  async enqueue(planned: PlannedExpiry): Promise<void> {
    const { orgId, jobRunId, delayMs } = planned;
    await this.jobs
      .enqueue(JobName.SYNC_POOL_SEGMENTS, { orgId, jobRunId }, delayMs)
      .catch((error: unknown) =>
        logger.warn({ err: error, orgId, jobRunId }, 'could not queue a share expiry; the reaper will'),
      );
  }
}

/**
 * Brings the organization's shared segments up to date: takes the contacts the triggers noted since the last sync
 * (the pool-sync migration) and recomputes their fingerprints in every live share, through the broker
 * (crm_pool_contacts_refresh; above FULL_REFRESH_ABOVE, every live share whole with crm_pool_segment_refresh); then
 * deletes the fingerprints of expired shares (crm_pool_expire_shares). One transaction under the organization's pool
 * lock (crm_pool_unshare takes it too): a crash leaves the changes pending and the retry does the same work. Queued by
 * the listener on changes, and for each share's expiry (ShareExpiries).
 */
@Injectable()
@JobHandler(JobName.SYNC_POOL_SEGMENTS)
export class SyncPoolSegmentsJob implements JobHandlerContract<SyncSegmentsParams> {
  constructor(
    private readonly db: TenantDb,
    private readonly expiries: ShareExpiries,
  ) {}

  async run({ params }: JobPayload<SyncSegmentsParams>): Promise<Record<string, number>> {
    // the request only wakes a worker (the pending rows are the work): taken apart, so that writers never wait for the sync
    await this.db.transaction((tx) =>
      tx.execute('DELETE FROM pool_sync_requests WHERE organization_id = crm_current_org()'),
    );
    const { counts, next } = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('crm_pools:' || crm_current_org()::text, 0))`);
      const changed = (
        await tx.query<{ id: string }>(
          'WITH taken AS (DELETE FROM pool_pending_contacts RETURNING contact_id) SELECT DISTINCT contact_id AS id FROM taken',
        )
      ).map((row) => row.id);
      const counts = { contacts: changed.length, fingerprints: 0, segments: 0, expired: 0 };
      if (changed.length > FULL_REFRESH_ABOVE) {
        const live = await tx.query<{ id: string }>(
          `SELECT id FROM shared_segments WHERE withdrawn_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY id`,
        );
        for (const { id } of live) await tx.query('SELECT crm_pool_segment_refresh($1)', [id]);
        counts.segments = live.length;
      } else if (changed.length > 0) {
        const [{ n }] = await tx.query<{ n: number }>('SELECT crm_pool_contacts_refresh($1::uuid[]) AS n', [changed]);
        counts.fingerprints = n;
      }
      // last: a share that expired while this ran loses what this wrote for it too
      const [{ n }] = await tx.query<{ n: number }>('SELECT crm_pool_expire_shares() AS n');
      counts.expired = n;
      // an expiry beyond the longest delay: the next run, nearer to it
      const next = params.sharedSegmentId ? await this.expiries.plan(tx, params.sharedSegmentId) : null;
      return { counts, next };
    });
    if (next) await this.expiries.enqueue(next);
    return counts;
  }
}
