import { Injectable } from '@nestjs/common';
import { TenantDb, type Tx } from '@app/database';
import { BLOCKING_KEYS, keyHash } from '../matching/blocking.js';
import {
  type ContactToMatch,
  MATCH_RECORD_VERSION,
  type MatchRecord,
  toMatchRecord,
} from '../matching/match-record.js';
import { type MatchInput, MatchInputBuilder, NAME_KINDS, NameFrequencies } from '../matching/matcher.js';

/** A contact's values as matching reads them (a birth date that was not a date counts as entered). */
export const MATCH_COLUMNS = `id, first_name AS "firstName", last_name AS "lastName", email, phone, address_line1 AS "addressLine1",
  address_line2 AS "addressLine2", city, postal_code AS "postalCode",
  coalesce(to_char(birth_date, 'YYYY-MM-DD'), entered->>'birthDate') AS "birthDate"`;
/** Contacts refreshed per statement: their rows as read, records and keys stay small in memory. */
const REFRESH_BATCH = 5_000;
const LOAD_BATCH = 50_000;

/** The distinct non-zero hashes of a record's blocking keys (every key of BLOCKING_KEYS, whatever they are). */
export function keyHashesOf(record: MatchRecord): number[] {
  const hashes = new Set<number>();
  for (const key of BLOCKING_KEYS) {
    // a sorted neighbourhood is a full run's: its neighbours are not found by looking a value up
    if (key.sorted) continue;
    const hash = keyHash(key.of(record));
    if (hash !== 0) hashes.add(hash);
  }
  return [...hashes];
}

/** The names a record is counted under in contact_match_names ("kind:name"). */
export function nameTermsOf(record: MatchRecord): string[] {
  const terms = NameFrequencies.termsOf(record);
  return NAME_KINDS.flatMap((kind) => terms[kind].map((name) => `${kind}:${name}`));
}

/**
 * Each contact's stored match record, blocking key hashes and names (migration 1765540800000): written by the
 * writers of contacts in their transaction (`refresh`), caught up at the start of every dedup run for contacts that
 * other paths wrote or an older MATCH_RECORD_VERSION computed (`catchUp`), and read by full runs (`loadAll`).
 */
@Injectable()
export class MatchKeysService {
  constructor(private readonly db: TenantDb) {}

  /**
   * Recomputes what is stored for these contacts from their current values, in batches read by SQL. A writer calls
   * it in its transaction, after its write: it holds the contacts' row locks (or created them), so two refreshes of
   * one contact never interleave. The catch-up (`skipLocked`) locks the contacts it refreshes and leaves those
   * another transaction is writing to that writer. Returns how many were refreshed.
   */
  async refresh(tx: Tx, contactIds: readonly string[], { skipLocked = false } = {}): Promise<number> {
    let refreshed = 0;
    for (let start = 0; start < contactIds.length; start += REFRESH_BATCH) {
      const batch = contactIds.slice(start, start + REFRESH_BATCH);
      // updated_at as text: exact to the microsecond (a Date is not), compared by the catch-up
      const contacts = await tx.query<ContactToMatch & { updatedAt: string }>(
        `SELECT ${MATCH_COLUMNS}, updated_at::text AS "updatedAt" FROM contacts WHERE id = ANY($1::uuid[]) ${skipLocked ? 'FOR NO KEY UPDATE SKIP LOCKED' : ''}`,
        [batch],
      );
      const ids = skipLocked ? contacts.map((contact) => contact.id) : batch;
      for (const table of ['contact_match_records', 'contact_match_keys', 'contact_match_names'])
        await tx.execute(`DELETE FROM ${table} WHERE contact_id = ANY($1::uuid[])`, [ids]);
      if (contacts.length === 0) continue;
      const records = contacts.map(toMatchRecord);
      await tx.execute(
        `INSERT INTO contact_match_records (org_id, contact_id, version, contact_updated_at, sort_key, record)
         SELECT (SELECT crm_current_org()), id, $5, updated_at::timestamptz, sort_key, record::jsonb
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS r(id, updated_at, sort_key, record)`,
        [
          records.map((record) => record.id),
          contacts.map((contact) => contact.updatedAt),
          records.map((record) => record.sortKey),
          records.map((record) => JSON.stringify(record)),
          MATCH_RECORD_VERSION,
        ],
      );
      const keys = { hashes: [] as number[], sortKeys: [] as string[], ids: [] as string[] };
      const names = { names: [] as string[], ids: [] as string[] };
      for (const record of records) {
        for (const hash of keyHashesOf(record)) {
          keys.hashes.push(hash);
          keys.sortKeys.push(record.sortKey);
          keys.ids.push(record.id);
        }
        for (const name of nameTermsOf(record)) {
          names.names.push(name);
          names.ids.push(record.id);
        }
      }
      await tx.execute(
        `INSERT INTO contact_match_keys (org_id, key_hash, sort_key, contact_id)
         SELECT (SELECT crm_current_org()), h, s, id FROM unnest($1::int4[], $2::text[], $3::uuid[]) AS k(h, s, id)`,
        [keys.hashes, keys.sortKeys, keys.ids],
      );
      await tx.execute(
        `INSERT INTO contact_match_names (org_id, name, contact_id)
         SELECT (SELECT crm_current_org()), n, id FROM unnest($1::text[], $2::uuid[]) AS k(n, id)`,
        [names.names, names.ids],
      );
      refreshed += records.length;
    }
    return refreshed;
  }

  /**
   * Refreshes the contacts whose stored record is missing, of another MATCH_RECORD_VERSION or older than the contact
   * (written by a path that does not refresh, or before this existed): one anti-join, over every contact or only
   * `contactIds`, then a transaction per batch, two batches at a time.
   */
  async catchUp(contactIds?: readonly string[]): Promise<number> {
    const stale = await this.db.transaction((tx) =>
      tx.query<{ id: string }>(
        `SELECT c.id FROM contacts c LEFT JOIN contact_match_records r ON r.org_id = c.org_id AND r.contact_id = c.id
          WHERE (r.contact_id IS NULL OR r.version <> $1 OR r.contact_updated_at <> c.updated_at)
            ${contactIds ? 'AND c.id = ANY($2::uuid[])' : ''}`,
        contactIds ? [MATCH_RECORD_VERSION, contactIds] : [MATCH_RECORD_VERSION],
      ),
    );
    let [refreshed, next] = [0, 0];
    const slot = async () => {
      while (next < stale.length) {
        const batch = stale.slice(next, (next += REFRESH_BATCH)).map((row) => row.id);
        refreshed += await this.db.transaction((tx) => this.refresh(tx, batch, { skipLocked: true }));
      }
    };
    // two at a time: one batch is normalized here while the database writes the other
    const outcomes = await Promise.allSettled([slot(), slot()]);
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    return refreshed;
  }

  /**
   * Every stored record of the current version, in contact id order (keyset batches, a transaction each), as a full
   * run compares them; `onLoaded` is told how many are loaded so far.
   */
  async loadAll(onLoaded: (loaded: number) => Promise<void>): Promise<MatchInput> {
    const input = new MatchInputBuilder();
    const batchAfter = (afterId: string) =>
      this.db.transaction((tx) =>
        tx.query<{ id: string; record: MatchRecord }>(
          `SELECT contact_id AS id, record FROM contact_match_records
            WHERE contact_id > $1 AND version = $2 ORDER BY contact_id LIMIT ${LOAD_BATCH}`,
          [afterId, MATCH_RECORD_VERSION],
        ),
      );
    let next = batchAfter('00000000-0000-0000-0000-000000000000');
    for (let loaded = 0; ;) {
      const batch = await next;
      const more = batch.length === LOAD_BATCH;
      // the database reads the next batch while this one is added (awaited next time round; caught till then)
      if (more) (next = batchAfter(batch[batch.length - 1].id)).catch(() => undefined);
      input.add(batch.map((row) => row.record));
      await onLoaded((loaded += batch.length));
      if (!more) return input.build();
    }
  }

  /** How many contacts the organization has: the base of name frequencies (an index-only count). */
  async count(tx: Tx): Promise<number> {
    const [{ count }] = await tx.query<{ count: number }>('SELECT count(*)::int AS count FROM contacts');
    return count;
  }
}
