import { Injectable } from '@nestjs/common';
import { AppError, type Connection, decodeCursor, ErrorCode } from '@app/common';
import { domainError, keysetConnection, type KeysetRow, TenantContexts, TenantDb, type Tx } from '@app/database';
import { hasRole, Role } from '@app/tenancy';
import {
  type PoolLedgerAction,
  type PoolLedgerCountModel,
  type PoolLedgerEntryModel,
  type PoolOverlapCellModel,
  type SegmentOverlapModel,
} from './pool-aggregates.models.js';
import { type PoolPurpose } from './pool.models.js';

/** The most ledger entries a CSV export holds (the newest). */
export const LEDGER_CSV_MAX_ROWS = 10_000;
/** crm_pool_ledger answers at most this many entries per call. */
const LEDGER_BATCH = 1000;

interface LedgerRow {
  seq: string;
  at: Date;
  action: PoolLedgerAction;
  askedBy: string;
  askedByMe: boolean;
  askedByUserId: string | null;
  dataOrganizations: string[];
  sharedSegmentIds: string[];
  purpose: PoolPurpose | null;
  outcome: unknown;
}

const LEDGER_COLUMNS = `seq::text AS seq, at, action, actor_name AS "askedBy", actor_org_id = crm_current_org() AS "askedByMe",
  actor_user_id AS "askedByUserId", data_org_names AS "dataOrganizations", segment_ids AS "sharedSegmentIds", purpose,
  outcome`;

/**
 * What members learn of each other's shared segments (issue 15, "What members can learn") and the sharing ledger:
 * everything through the broker's functions (the pool-overlaps and pool-ledger migrations), which check membership,
 * liveness and k, add the seeded noise, spend the daily budget and write the ledger themselves. The application never
 * reads a row of another organization; what it gets is the noisy counts.
 */
@Injectable()
export class PoolAggregatesService {
  constructor(private readonly db: TenantDb) {}

  /** The overlap of a shared segment with all my contacts (audienceId null) or one of my audiences. */
  overlap(sharedSegmentId: string, audienceId: string | null): Promise<SegmentOverlapModel> {
    return this.asking(async (tx) => {
      const [row] = await tx.query<{ overlap: number | null; new_reach: number | null; min_group_size: number }>(
        `SELECT overlap, new_reach, min_group_size FROM crm_pool_overlap($1, $2, $3)`,
        [sharedSegmentId, audienceId, userId()],
      );
      return {
        sharedSegmentId,
        overlap: row.overlap,
        overlapSuppressed: row.overlap === null,
        newReach: row.new_reach,
        newReachSuppressed: row.new_reach === null,
        effectiveMinGroupSize: row.min_group_size,
      };
    });
  }

  /**
   * The overlap of every pair of a pool's live shared segments. Who asks: any role of the pool's steward organization;
   * in another ACTIVE member, ANALYST, ADMIN or OWNER (whose work is analysis or the pool itself), not EDITOR or VIEWER.
   * A non-member is told NOT_FOUND by the function, before any role is looked at.
   */
  matrix(poolId: string): Promise<PoolOverlapCellModel[]> {
    return this.asking(async (tx) => {
      const [me] = await tx.query<{ role: string }>(
        `SELECT role FROM pool_members WHERE pool_id = $1 AND org_id = crm_current_org() AND status = 'ACTIVE'`,
        [poolId],
      );
      if (me && me.role !== 'STEWARD' && !mayReadMatrix(callerRole())) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          "The overlap matrix is for the pool's steward, and for the ANALYST, ADMIN and OWNER roles of its members",
        );
      }
      const rows = await tx.query<{
        segment_a: string;
        segment_b: string;
        overlap: number | null;
        min_group_size: number;
      }>(`SELECT segment_a, segment_b, overlap, min_group_size FROM crm_pool_overlap_matrix($1, $2)`, [
        poolId,
        userId(),
      ]);
      return rows.map((row) => ({
        segmentA: row.segment_a,
        segmentB: row.segment_b,
        overlap: row.overlap,
        suppressed: row.overlap === null,
        effectiveMinGroupSize: row.min_group_size,
      }));
    });
  }

  /**
   * A page of the pool's sharing ledger as my organization may read it (the steward all of it; a member what was asked
   * of its data and what it asked), newest first. NOT_FOUND unless my organization is ACTIVE in the pool.
   */
  ledger(poolId: string, first: number, after: string | null | undefined): Promise<Connection<PoolLedgerEntryModel>> {
    const before = after ? ledgerCursor(after) : null;
    return this.db.transaction(async (tx) => {
      await this.requireActive(tx, poolId);
      const rows = await tx.query<LedgerRow & KeysetRow>(
        `SELECT ${LEDGER_COLUMNS}, json_build_array(seq::text)::text AS "keysetCursor" FROM crm_pool_ledger($1, $2, $3)`,
        [poolId, before, first + 1],
      );
      return keysetConnection(rows, { first, after }, toEntry);
    });
  }

  /** The newest LEDGER_CSV_MAX_ROWS entries of the ledger my organization may read, for the CSV export. */
  ledgerEntries(poolId: string): Promise<PoolLedgerEntryModel[]> {
    return this.db.transaction(async (tx) => {
      await this.requireActive(tx, poolId);
      const entries: PoolLedgerEntryModel[] = [];
      let before: string | null = null;
      while (entries.length < LEDGER_CSV_MAX_ROWS) {
        const limit = Math.min(LEDGER_BATCH, LEDGER_CSV_MAX_ROWS - entries.length);
        const rows: LedgerRow[] = await tx.query<LedgerRow>(
          `SELECT ${LEDGER_COLUMNS} FROM crm_pool_ledger($1, $2, $3)`,
          [poolId, before, limit],
        );
        entries.push(...rows.map(toEntry));
        if (rows.length < limit) break;
        before = rows[rows.length - 1].seq;
      }
      return entries;
    });
  }

  /** NOT_FOUND (poolId) unless my organization is ACTIVE in the pool: the same answer for a pool that does not exist. */
  private async requireActive(tx: Tx, poolId: string): Promise<void> {
    const [me] = await tx.query(
      `SELECT 1 FROM pool_members WHERE pool_id = $1 AND org_id = crm_current_org() AND status = 'ACTIVE'`,
      [poolId],
    );
    if (!me) throw new AppError(ErrorCode.NOT_FOUND, 'Pool not found', 'poolId');
  }

  /** A question to the broker: its refusals (CP4xx) name the argument (sharedSegmentId, audienceId, poolId). */
  private async asking<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      throw domainError(error) ?? error;
    }
  }
}

/** The matrix's roles outside the steward organization: ANALYST, ADMIN, OWNER. */
function mayReadMatrix(role: Role): boolean {
  return role === Role.ANALYST || hasRole(role, Role.ADMIN);
}

function callerRole(): Role {
  return (TenantContexts.current()?.role as Role | undefined) ?? Role.OWNER;
}

function userId(): string | null {
  return TenantContexts.current()?.userId ?? null;
}

/** A ledger page's cursor: the seq of the last entry seen. */
function ledgerCursor(after: string): string {
  const [seq] = decodeCursor(after);
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw AppError.badInput('after', 'Invalid cursor');
  return seq;
}

function toEntry({ seq: _seq, outcome, ...row }: Omit<LedgerRow, 'keysetCursor'>): PoolLedgerEntryModel {
  return { ...row, outcome: outcomeCounts(outcome) };
}

/**
 * A ledger outcome (a JSON object of counts, possibly nested) as a flat list of named counts. A list of objects (a
 * breakdown's buckets: `[{bucket, people}]`) names each by its text field: `buckets.Estrie.people`.
 */
export function outcomeCounts(outcome: unknown, prefix = ''): PoolLedgerCountModel[] {
  if (typeof outcome !== 'object' || outcome === null) return [];
  const entries = Array.isArray(outcome)
    ? (outcome as unknown[]).map((item, i): [string, unknown] => {
        const label = item && typeof item === 'object' ? Object.values(item).find((v) => typeof v === 'string') : null;
        return [typeof label === 'string' ? label : String(i), item];
      })
    : Object.entries(outcome as Record<string, unknown>);
  const counts: PoolLedgerCountModel[] = [];
  for (const [key, value] of entries) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || typeof value === 'number')
      counts.push({ name, value: value === null ? null : Math.round(value) });
    else if (typeof value === 'object') counts.push(...outcomeCounts(value, name));
  }
  return counts;
}
