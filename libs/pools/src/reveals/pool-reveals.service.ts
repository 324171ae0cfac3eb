import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode, logger } from '@app/common';
import { domainError, TenantContexts, TenantDb, type Tx } from '@app/database';
import { JobName, JobsService } from '@app/jobs';
import { type PoolPurpose } from '../pool.models.js';
import { ContactProvenanceModel, type PoolRevealModel, PoolRevealStatus } from './pool-reveal.models.js';

/** The columns of crm_pool_reveals as PoolRevealModel names them. */
export const REVEAL_COLUMNS = `id, pool_id AS "poolId", pool_name AS "poolName", shared_segment_id AS "sharedSegmentId",
  segment_name AS "segmentName", publisher_name AS "publisherName", requester_name AS "requesterName", purpose, status,
  requesting AS "isRequester", publishing AS "isPublisher", requested_by AS "requestedBy", requested_at AS "requestedAt",
  auto_approved AS "autoApproved", decided_by AS "decidedBy", decided_at AS "decidedAt",
  refusal_reason AS "refusalReason", failure, copied_at AS "copiedAt", copy_job_run_id AS "copyJobRunId", people,
  matched, created`;

export type RevealRow = PoolRevealModel;

const userId = () => TenantContexts.current()?.userId ?? null;

/**
 * Reveals (issue 15, "reveal with consent"): asked for by a member, decided by the publisher, copied by a queued job
 * of the requester. Every step goes through the broker's functions of the pool-reveals migration, which check the
 * claim, the membership and the reveal's state themselves; no application code reads another organization's rows.
 *
 * Who starts the copy: the approval does, in the requester's tenant. The requester asked, so the API acts for it
 * there, as the system (a run without creator: it does not stop if the member who asked leaves); a share set to
 * auto-approve starts it at once as the member who asked. If the process dies between the approval's commit and the
 * job's start, the reveal stays APPROVED: the requester starts its copy with copyReveal(id).
 */
@Injectable()
export class PoolRevealsService {
  constructor(
    private readonly db: TenantDb,
    private readonly jobs: JobsService,
  ) {}

  /** The reveals my organization asked for, or of its shared segments, in a pool it is ACTIVE in; NOT_FOUND for another pool. */
  list(poolId: string): Promise<PoolRevealModel[]> {
    return this.db.transaction(async (tx) => {
      const [pool] = await tx.query('SELECT 1 FROM pools WHERE id = $1', [poolId]);
      if (!pool) throw new AppError(ErrorCode.NOT_FOUND, 'Pool not found', 'poolId');
      return tx.query<PoolRevealModel>(`SELECT ${REVEAL_COLUMNS} FROM crm_pool_reveals($1, NULL)`, [poolId]);
    });
  }

  /** One reveal my organization asked for or decides; NOT_FOUND for any other. */
  get(id: string): Promise<PoolRevealModel> {
    return this.db.transaction((tx) => this.read(tx, id));
  }

  /** Asks for the revealable people of another member's shared segment; auto-approved shares start the copy at once. */
  async request(sharedSegmentId: string, purpose: PoolPurpose): Promise<PoolRevealModel> {
    const reveal = await this.change(async (tx) => {
      const [{ id }] = await tx.query<{ id: string }>('SELECT crm_pool_reveal_request($1, $2, $3) AS id', [
        sharedSegmentId,
        purpose,
        userId(),
      ]);
      return this.read(tx, id);
    });
    if (reveal.status !== PoolRevealStatus.APPROVED) return reveal;
    await this.startCopy(reveal.id, TenantContexts.require().orgId).catch((error: unknown) =>
      logger.warn({ err: error, revealId: reveal.id }, 'could not start the copy of an auto-approved reveal'),
    );
    return this.get(reveal.id);
  }

  /** The publisher approves; the copy starts in the requester's tenant. */
  async approve(id: string): Promise<PoolRevealModel> {
    const requesterOrgId = await this.change(async (tx) => {
      const [{ org }] = await tx.query<{ org: string }>('SELECT crm_pool_reveal_approve($1, $2) AS org', [
        id,
        userId(),
      ]);
      return org;
    });
    // the approval stands whatever happens here: the requester can start its copy itself (copyReveal)
    await this.startCopy(id, requesterOrgId).catch((error: unknown) =>
      logger.warn({ err: error, revealId: id }, 'could not start the copy of an approved reveal'),
    );
    return this.get(id);
  }

  async refuse(id: string, reason: string | null): Promise<PoolRevealModel> {
    return this.change(async (tx) => {
      await tx.query('SELECT crm_pool_reveal_refuse($1, $2, $3)', [id, reason, userId()]);
      return this.read(tx, id);
    });
  }

  async cancel(id: string): Promise<PoolRevealModel> {
    return this.change(async (tx) => {
      await tx.query('SELECT crm_pool_reveal_cancel($1)', [id]);
      return this.read(tx, id);
    });
  }

  /** The requester starts the copy of an APPROVED reveal (again): after a process died before starting it, or a failed run. */
  async copy(id: string): Promise<PoolRevealModel> {
    try {
      await this.startCopy(id, TenantContexts.require().orgId);
    } catch (error) {
      throw domainError(error) ?? error;
    }
    return this.get(id);
  }

  /** The publisher sets whether new reveals of one of its live shares are approved at once. */
  async setAutoApprove(sharedSegmentId: string, autoApprove: boolean): Promise<void> {
    await this.change((tx) => tx.query('SELECT crm_pool_segment_auto_approve($1, $2)', [sharedSegmentId, autoApprove]));
  }

  /** Whether each of these shared segments of my organization is set to auto-approve (absent: not mine). */
  async autoApprove(ids: readonly string[]): Promise<Map<string, boolean>> {
    const rows = await this.db.transaction((tx) =>
      tx.query<{ id: string; autoApprove: boolean }>(
        'SELECT id, auto_approve AS "autoApprove" FROM shared_segments WHERE id = ANY($1::uuid[])',
        [ids],
      ),
    );
    return new Map(rows.map((row) => [row.id, row.autoApprove]));
  }

  /** The provenance of each of these contacts, oldest first (one statement for the batch). */
  async provenance(contactIds: readonly string[]): Promise<Map<string, ContactProvenanceModel[]>> {
    const rows = await this.db.transaction((tx) =>
      tx.query<ContactProvenanceModel & { contactId: string }>(
        `SELECT contact_id AS "contactId", id, reveal_id AS "revealId", pool_id AS "poolId", pool_name AS "poolName",
                shared_segment_id AS "sharedSegmentId", segment_name AS "segmentName",
                publisher_name AS "publisherName", purpose, matched, consent_id AS "consentId",
                revealed_at AS "revealedAt"
           FROM contact_provenance WHERE contact_id = ANY($1::uuid[]) ORDER BY revealed_at, id`,
        [contactIds],
      ),
    );
    const byContact = new Map<string, ContactProvenanceModel[]>();
    for (const { contactId, ...row } of rows) byContact.set(contactId, [...(byContact.get(contactId) ?? []), row]);
    return byContact;
  }

  /**
   * Starts the copy job in the requester's tenant: as the current member when it is the requester itself, else as the
   * system there. The run is recorded on the reveal before its job is queued (crm_pool_reveal_copy_started refuses a
   * reveal that is not APPROVED, and the run is then deleted).
   */
  private async startCopy(revealId: string, requesterOrgId: string): Promise<void> {
    const start = async () => {
      await this.jobs.start(JobName.COPY_REVEAL, { revealId }, async (runId) => {
        await this.db.transaction((tx) => tx.query('SELECT crm_pool_reveal_copy_started($1, $2)', [revealId, runId]));
        return {};
      });
    };
    if (TenantContexts.require().orgId === requesterOrgId) await start();
    else await TenantContexts.run({ orgId: requesterOrgId, job: true }, start);
  }

  private async read(tx: Tx, id: string): Promise<PoolRevealModel> {
    const [row] = await tx.query<PoolRevealModel>(`SELECT ${REVEAL_COLUMNS} FROM crm_pool_reveals(NULL, $1)`, [id]);
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, 'Reveal not found', 'id');
    return row;
  }

  private async change<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (error) {
      throw domainError(error) ?? error;
    }
  }
}
