import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { domainError, TenantContexts, TenantDb, type Tx } from '@app/database';
import { type ShareAudienceInput, type SharedSegmentModel } from './shared-segment.models.js';
import { ShareExpiries } from './sync-segments.job.js';

type SegmentRow = Omit<SharedSegmentModel, 'sizeSuppressed'>;

/**
 * Shared segments (issue 15, step 2a): my audiences published to pools, and the pools' catalogues. Everything goes
 * through the broker's functions of the shared-segments migration: crm_pool_share and crm_pool_unshare (which
 * fingerprint the audience with the pool's secret, or delete its fingerprints), crm_pool_segments (the catalogue, for
 * an ACTIVE member only, sizes under k withheld). No pool secret and no fingerprint ever reaches the application.
 * Afterwards the segments follow their audiences by queued job (SyncPoolSegmentsJob).
 */
@Injectable()
export class SharedSegmentsService {
  constructor(
    private readonly db: TenantDb,
    private readonly expiries: ShareExpiries,
  ) {}

  /** The live shared segments of a pool my organization is ACTIVE in (none for any other pool). */
  catalogue(poolId: string): Promise<SharedSegmentModel[]> {
    return this.db.transaction((tx) => this.read(tx, poolId));
  }

  /** One of my live shares, as its pool's catalogue shows it; NOT_FOUND for any other. */
  get(id: string): Promise<SharedSegmentModel> {
    return this.db.transaction(async (tx) => {
      const [own] = await tx.query<{ poolId: string }>(
        'SELECT pool_id AS "poolId" FROM shared_segments WHERE id = $1',
        [id],
      );
      const segment = own && (await this.read(tx, own.poolId)).find((s) => s.id === id);
      if (!segment) throw new AppError(ErrorCode.NOT_FOUND, 'Shared segment not found', 'id');
      return segment;
    });
  }

  /**
   * Publishes one of my audiences to a pool; its fingerprints are computed in the same transaction. A share with an
   * expiry gets its delayed pools.sync-segments, which deletes its fingerprints then.
   */
  async share(input: ShareAudienceInput): Promise<SharedSegmentModel> {
    const { segment, expiry } = await this.change(
      (column) => `input.${column}`,
      async (tx) => {
        const [{ id }] = await tx.query<{ id: string }>(`SELECT crm_pool_share($1, $2, $3, $4, $5, $6) AS id`, [
          input.audienceId,
          input.poolId,
          input.purpose,
          input.expiresAt ?? null,
          input.description ?? null,
          TenantContexts.current()?.userId ?? null,
        ]);
        const segment = (await this.read(tx, input.poolId)).find((s) => s.id === id);
        if (!segment) throw new Error(`shared segment ${id} not in its pool's catalogue`);
        return { segment, expiry: segment.expiresAt ? await this.expiries.plan(tx, id) : null };
      },
    );
    if (expiry) await this.expiries.enqueue(expiry);
    return segment;
  }

  /** Withdraws one of my shares at once (its fingerprints leave the pool). */
  async unshare(id: string): Promise<boolean> {
    return this.change(
      (column) => column,
      async (tx) => {
        await tx.query(`SELECT crm_pool_unshare($1, $2)`, [id, TenantContexts.current()?.userId ?? null]);
        return true;
      },
    );
  }

  private async read(tx: Tx, poolId: string): Promise<SharedSegmentModel[]> {
    const rows = await tx.query<SegmentRow>(
      `SELECT id, pool_id AS "poolId", publisher_name AS "publisherName", audience_name AS "audienceName", purpose,
              description, expires_at AS "expiresAt", created_at AS "createdAt", mine AS "isMine", size
         FROM crm_pool_segments($1)`,
      [poolId],
    );
    return rows.map((row) => ({ ...row, sizeSuppressed: row.size === null }));
  }

  private async change<T>(field: (column: string) => string, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      throw domainError(error, field) ?? error;
    }
  }
}
