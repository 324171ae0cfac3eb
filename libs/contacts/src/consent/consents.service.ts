import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { TenantContexts, TenantDb, type Tx } from '@app/database';
import { impliedConsentExpiry } from './consent-state.util.js';
import type { ConsentInput, ConsentRecordModel } from './consent.model.js';
import { ConsentStatus, LegalBasis } from './consent.types.js';

const COLUMNS = `id, purpose, status, legal_basis AS "legalBasis", implied_reason AS "impliedReason", source, proof,
  occurred_at AS "occurredAt", expires_at AS "expiresAt", created_at AS "createdAt"`;

/** Consent records: appended, never changed; the current state is derived (consent-state.util.ts). */
@Injectable()
export class ConsentsService {
  constructor(private readonly db: TenantDb) {}

  async recordForContact(contactId: string, input: ConsentInput): Promise<ConsentRecordModel> {
    return this.db.transaction(async (tx) => {
      const [exists] = await tx.query('SELECT 1 FROM contacts WHERE id = $1', [contactId]);
      if (!exists) throw AppError.notFound('Contact');
      return this.record(tx, contactId, input, 'input');
    });
  }

  /** Appends a record; `mergeId` marks a withdrawal a merge added (undoing the merge removes it). */
  async record(
    tx: Tx,
    contactId: string,
    input: ConsentInput,
    path: string,
    mergeId: string | null = null,
  ): Promise<ConsentRecordModel> {
    const granted = input.status === ConsentStatus.GRANTED;
    if (granted && !input.legalBasis)
      throw AppError.badInput(`${path}.legalBasis`, `${path}.legalBasis is required for a grant`);
    const implied = granted && input.legalBasis === LegalBasis.IMPLIED;
    if (implied && !input.impliedReason)
      throw AppError.badInput(`${path}.impliedReason`, `${path}.impliedReason is required for implied consent`);
    if (!implied && input.impliedReason)
      throw AppError.badInput(`${path}.impliedReason`, `${path}.impliedReason applies to implied grants only`);
    const occurredAt = input.occurredAt ?? new Date();
    if (occurredAt.getTime() > Date.now() + 60_000)
      throw AppError.badInput(`${path}.occurredAt`, `${path}.occurredAt must not be in the future`);
    const expiresAt = implied && input.impliedReason ? impliedConsentExpiry(input.impliedReason, occurredAt) : null;
    const [record] = await tx.query<ConsentRecordModel>(
      `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, implied_reason, source, proof, occurred_at, expires_at, recorded_by, merge_id)
       VALUES (crm_current_org(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [
        contactId,
        input.purpose,
        input.status,
        granted ? input.legalBasis : null,
        implied ? input.impliedReason : null,
        input.source.trim(),
        input.proof ?? null,
        occurredAt,
        expiresAt,
        TenantContexts.current()?.userId ?? null,
        mergeId,
      ],
    );
    return record;
  }

  /** Every record of each contact, oldest first, for the DataLoader: one statement for the batch. */
  async forContacts(tx: Tx, contactIds: readonly string[]): Promise<(ConsentRecordModel & { contactId: string })[]> {
    return tx.query(
      `SELECT contact_id AS "contactId", ${COLUMNS} FROM consents WHERE contact_id = ANY($1::uuid[]) ORDER BY occurred_at, created_at`,
      [contactIds],
    );
  }
}
