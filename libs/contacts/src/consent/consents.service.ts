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
    const [record] = await tx.query<ConsentRecordModel>(
      `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, implied_reason, source, proof, occurred_at, expires_at, recorded_by, merge_id)
       VALUES (crm_current_org(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
      [contactId, ...checked(input, path), TenantContexts.current()?.userId ?? null, mergeId],
    );
    return record;
  }

  /**
   * Appends one record per item in one statement (a copy of many people: the consents' statement triggers run once),
   * each checked as record() checks it (`path.<index>` names a bad one). Returns the records' ids, in order.
   */
  async recordMany(
    tx: Tx,
    records: readonly { contactId: string; input: ConsentInput }[],
    path: string,
  ): Promise<string[]> {
    if (records.length === 0) return [];
    const rows = records.map(({ contactId, input }, ord) => {
      const [purpose, status, legalBasis, impliedReason, source, proof, occurredAt, expiresAt] = checked(
        input,
        `${path}.${ord}`,
      );
      return { ord, contactId, purpose, status, legalBasis, impliedReason, source, proof, occurredAt, expiresAt };
    });
    const inserted = await tx.query<{ id: string }>(
      `WITH records AS (
         SELECT gen_random_uuid() AS id, r.*
           FROM jsonb_to_recordset($1::jsonb) AS r("ord" int, "contactId" uuid, purpose text, status text,
                "legalBasis" text, "impliedReason" text, source text, proof text, "occurredAt" timestamptz,
                "expiresAt" timestamptz)
       ), inserted AS (
         INSERT INTO consents (org_id, id, contact_id, purpose, status, legal_basis, implied_reason, source, proof,
                               occurred_at, expires_at, recorded_by)
         SELECT crm_current_org(), id, "contactId", purpose, status, "legalBasis", "impliedReason", source, proof,
                "occurredAt", "expiresAt", $2 FROM records
       )
       SELECT id FROM records ORDER BY ord`,
      [JSON.stringify(rows), TenantContexts.current()?.userId ?? null],
    );
    return inserted.map((row) => row.id);
  }

  /** Every record of each contact, oldest first, for the DataLoader: one statement for the batch. */
  async forContacts(tx: Tx, contactIds: readonly string[]): Promise<(ConsentRecordModel & { contactId: string })[]> {
    return tx.query(
      `SELECT contact_id AS "contactId", ${COLUMNS} FROM consents WHERE contact_id = ANY($1::uuid[]) ORDER BY occurred_at, created_at`,
      [contactIds],
    );
  }
}

/**
 * A record's values as stored, from purpose to expiry: a grant needs its legal basis, an implied one its reason (which
 * sets its expiry), and nothing is recorded as happening in the future. Throws BAD_USER_INPUT naming the field.
 */
function checked(
  input: ConsentInput,
  path: string,
): [string, string, string | null, string | null, string, string | null, Date, Date | null] {
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
  return [
    input.purpose,
    input.status,
    granted ? (input.legalBasis ?? null) : null,
    implied ? (input.impliedReason ?? null) : null,
    input.source.trim(),
    input.proof ?? null,
    occurredAt,
    expiresAt,
  ];
}
