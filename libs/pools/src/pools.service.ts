import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { domainError, TenantContexts, TenantDb, type Tx } from '@app/database';
import {
  type CreatePoolInput,
  type PoolMemberModel,
  type PoolMembershipModel,
  type PoolModel,
  type UpdatePoolInput,
} from './pool.models.js';

const MEMBERSHIP = `m.pool_id AS "poolId", m.role, m.status, m.invited_at AS "invitedAt",
  m.own_min_group_size AS "ownMinGroupSize", m.accepted_at AS "acceptedAt", m.accepted_by AS "acceptedBy",
  m.agreed_purposes AS "agreedPurposes", m.agreed_min_group_size AS "agreedMinGroupSize",
  m.agreed_terms_version AS "agreedTermsVersion", m.left_at AS "leftAt"`;

const POOL = `p.id, p.name, p.description, p.purposes, p.min_group_size AS "minGroupSize",
  p.terms_version AS "termsVersion", p.frozen_at IS NOT NULL AS frozen, p.frozen_at AS "frozenAt",
  p.created_at AS "createdAt", ${MEMBERSHIP}`;

type MembershipRow = Omit<PoolMembershipModel, 'agreement'> & {
  acceptedAt: Date | null;
  acceptedBy: string | null;
  agreedPurposes: string[] | null;
  agreedMinGroupSize: number | null;
  agreedTermsVersion: number | null;
};
type PoolRow = Omit<PoolModel, 'myMembership'> & MembershipRow;

/**
 * Pools (issue 15, first step): my organization's pools and memberships, read under row-level security, and every
 * change through the database's narrow interface (the crm_pool_* functions of the pools migration, owned by
 * crm_pool_broker), which checks the tenant claim, membership and stewardship itself. Another organization's
 * membership is only ever seen through crm_pool_members (names, roles, statuses).
 */
@Injectable()
export class PoolsService {
  constructor(private readonly db: TenantDb) {}

  /** The pools my organization is INVITED to or ACTIVE in, by name. */
  list(): Promise<PoolModel[]> {
    return this.db.transaction(async (tx) => (await this.read(tx)).map(toPool));
  }

  /** One of them; NOT_FOUND for any other id, existing or not (a non-member learns nothing). */
  get(id: string): Promise<PoolModel> {
    return this.db.transaction(async (tx) => {
      const [row] = await this.read(tx, id);
      if (!row) throw AppError.notFound('Pool');
      return toPool(row);
    });
  }

  /** The INVITED and ACTIVE members of each of these pools (empty for a pool my organization is not in). */
  async members(poolIds: readonly string[]): Promise<Map<string, PoolMemberModel[]>> {
    const rows = await this.db.transaction((tx) =>
      tx.query<PoolMemberModel & { poolId: string }>(
        `SELECT pool_id AS "poolId", organization_name AS "organizationName", role, status, since, mine AS "isMine"
           FROM crm_pool_members($1::uuid[])`,
        [poolIds],
      ),
    );
    const byPool = new Map<string, PoolMemberModel[]>(poolIds.map((id) => [id, []]));
    for (const { poolId, ...member } of rows) byPool.get(poolId)?.push(member);
    return byPool;
  }

  create(input: CreatePoolInput): Promise<PoolModel> {
    return this.change(inInput, async (tx) => {
      const [{ id }] = await tx.query<{ id: string }>(`SELECT crm_pool_create($1, $2, $3::text[], $4, $5) AS id`, [
        input.name,
        input.description ?? null,
        input.purposes,
        input.minGroupSize,
        userId(),
      ]);
      return this.get(id);
    });
  }

  update(id: string, input: UpdatePoolInput): Promise<PoolModel> {
    return this.change(inInput, async (tx) => {
      await tx.query(`SELECT crm_pool_update($1, $2, $3, $4, $5::text[], $6)`, [
        id,
        input.name ?? null,
        input.description ?? null,
        input.description !== undefined,
        input.purposes ?? null,
        input.minGroupSize ?? null,
      ]);
      return this.get(id);
    });
  }

  invite(poolId: string, organizationId: string): Promise<PoolModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_invite($1, $2)`, [poolId, organizationId]);
      return this.get(poolId);
    });
  }

  removeMember(poolId: string, organizationId: string): Promise<PoolModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_remove_member($1, $2)`, [poolId, organizationId]);
      return this.get(poolId);
    });
  }

  /** Accepts my organization's invitation; with `termsVersion`, only if the pool's terms are still that version. */
  accept(poolId: string, termsVersion: number | null = null): Promise<PoolModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_accept($1, $2, $3)`, [poolId, userId(), termsVersion]);
      return this.get(poolId);
    });
  }

  /** Declines an invitation: my membership after it (the pool is no longer visible). */
  decline(poolId: string): Promise<PoolMembershipModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_decline($1)`, [poolId]);
      return this.myMembership(tx, poolId);
    });
  }

  /** Leaves a pool: my membership after it (the pool is no longer visible; the last steward leaving freezes it). */
  leave(poolId: string): Promise<PoolMembershipModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_leave($1)`, [poolId]);
      return this.myMembership(tx, poolId);
    });
  }

  /** My organization's own k in the pool (null: the pool's). */
  setOwnMinGroupSize(poolId: string, minGroupSize: number | null): Promise<PoolModel> {
    return this.change(asArgument, async (tx) => {
      await tx.query(`SELECT crm_pool_set_own_k($1, $2)`, [poolId, minGroupSize]);
      return this.get(poolId);
    });
  }

  private read(tx: Tx, id?: string): Promise<PoolRow[]> {
    return tx.query<PoolRow>(
      `SELECT ${POOL} FROM pool_members m JOIN pools p ON p.id = m.pool_id
        WHERE m.org_id = crm_current_org() AND m.status IN ('INVITED', 'ACTIVE') ${id ? 'AND m.pool_id = $1' : ''}
        ORDER BY p.name, p.id`,
      id ? [id] : [],
    );
  }

  private async myMembership(tx: Tx, poolId: string): Promise<PoolMembershipModel> {
    const [row] = await tx.query<MembershipRow>(
      `SELECT ${MEMBERSHIP} FROM pool_members m WHERE m.org_id = crm_current_org() AND m.pool_id = $1`,
      [poolId],
    );
    if (!row) throw AppError.notFound('Pool');
    return toMembership(row);
  }

  /** A change through the broker's functions, their CP4xx errors as AppErrors naming the field by `field`. */
  private async change<T>(field: (column: string) => string, work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      throw domainError(error, field) ?? error;
    }
  }
}

const inInput = (column: string) => (column === 'poolId' ? 'id' : `input.${column}`);
const asArgument = (column: string) => column;

function userId(): string | null {
  return TenantContexts.current()?.userId ?? null;
}

function toPool(row: PoolRow): PoolModel {
  const { id, name, description, purposes, minGroupSize, termsVersion, frozen, frozenAt, createdAt } = row;
  return {
    id,
    name,
    description,
    purposes,
    minGroupSize,
    termsVersion,
    frozen,
    frozenAt,
    createdAt,
    myMembership: toMembership(row),
  };
}

function toMembership(row: MembershipRow): PoolMembershipModel {
  return {
    poolId: row.poolId,
    role: row.role,
    status: row.status,
    invitedAt: row.invitedAt,
    ownMinGroupSize: row.ownMinGroupSize,
    leftAt: row.leftAt,
    agreement: row.acceptedAt
      ? {
          purposes: (row.agreedPurposes ?? []) as PoolModel['purposes'],
          minGroupSize: row.agreedMinGroupSize ?? 0,
          termsVersion: row.agreedTermsVersion ?? 0,
          acceptedAt: row.acceptedAt,
          acceptedBy: row.acceptedBy,
        }
      : null,
  };
}
