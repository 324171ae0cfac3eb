import { Injectable } from '@nestjs/common';
import { domainError, TenantContexts, TenantDb } from '@app/database';
import { type BreakdownDimension, type SegmentBreakdownModel } from './segment-breakdown.models.js';

/**
 * A shared segment's breakdown (issue 15): computed by crm_pool_breakdown in the database, which reads the publisher's
 * rows of the segment's people (broker policy pool_broker_shared), checks membership and liveness, applies k, noise,
 * complementary suppression and the daily question budget, and writes the ledger. The application sees counts only.
 */
@Injectable()
export class SegmentBreakdownService {
  constructor(private readonly db: TenantDb) {}

  async breakdown(sharedSegmentId: string, by: BreakdownDimension): Promise<SegmentBreakdownModel> {
    try {
      const buckets = await this.db.transaction((tx) =>
        tx.query<{ key: string; label: string; people: number | null; suppressed: boolean }>(
          `SELECT bucket AS key, label, people, suppressed FROM crm_pool_breakdown($1, $2, $3)`,
          [sharedSegmentId, by, TenantContexts.current()?.userId ?? null],
        ),
      );
      return { sharedSegmentId, by, buckets };
    } catch (error) {
      throw domainError(error) ?? error;
    }
  }
}
