import { Injectable } from '@nestjs/common';
import type { Tx } from '@app/database';
import { normalizeName } from '../normalization/normalize-name.util.js';
import { ContactDuplicates } from './contact-duplicates.js';
import { checkContactFields, type ContactFieldValues } from './contact-fields.util.js';
import { CONTACT_COLUMNS, type ContactRow, toModel } from './contact-row.js';
import type { ContactModel } from './contact.model.js';

/**
 * What other contexts ask of contacts, inside their own transactions: contacts by id, the contacts that ids, emails
 * and external ids name, the contacts created for incoming records (an interactions import), and bounces.
 */
@Injectable()
export class ContactLookupService {
  constructor(private readonly duplicates: ContactDuplicates) {}

  /** The contacts with these ids that exist, in no particular order. */
  async getMany(tx: Tx, ids: readonly string[]): Promise<ContactModel[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ANY($1::uuid[])`, [
      [...new Set(ids)],
    ]);
    return rows.map(toModel);
  }

  /**
   * The contacts that ids, external ids and (normalized) emails name, for recording what people did. An email several
   * contacts share names the earliest created (the one a merge of them keeps when nothing else decides).
   */
  async lookUp(tx: Tx, refs: ContactReferences): Promise<ContactLookup> {
    // one after the other: a transaction's connection runs one statement at a time
    const ids = refs.ids.length
      ? await tx.query<{ id: string }>('SELECT id FROM contacts WHERE id = ANY($1::uuid[])', [refs.ids])
      : [];
    const externalIds = refs.externalIds.length
      ? await tx.query<{ source: string; externalId: string; contactId: string }>(
          // one key at a time through the primary key (OFFSET 0: never a join reading the organization's every id,
          // which took a tenth of an import's time at 1 million ids, or worse under a shared instance's statistics)
          `SELECT r.source, r.external_id AS "externalId", x.contact_id AS "contactId"
           FROM unnest($1::text[], $2::text[]) AS r(source, external_id)
           CROSS JOIN LATERAL (SELECT x.contact_id FROM contact_external_ids x
                                WHERE x.source = r.source AND x.external_id = r.external_id OFFSET 0) AS x`,
          [refs.externalIds.map((r) => r.source), refs.externalIds.map((r) => r.externalId)],
        )
      : [];
    const emails = refs.emails.length
      ? await tx.query<{ email: string; contactId: string }>(
          `SELECT DISTINCT ON (email) email, id AS "contactId" FROM contacts WHERE email = ANY($1::text[]) ORDER BY email, created_at, id`,
          [refs.emails],
        )
      : [];
    return {
      ids: new Set(ids.map((row) => row.id)),
      byExternalId: new Map(externalIds.map((row) => [externalIdKey(row.source, row.externalId), row.contactId])),
      byEmail: new Map(emails.map((row) => [row.email, row.contactId])),
    };
  }

  /**
   * Creates a contact for each person a record names who is not known yet (an interactions import with
   * createContacts): its email, names and external id. Returns their ids, in order.
   */
  async createForRecords(tx: Tx, people: readonly NewPerson[]): Promise<string[]> {
    if (people.length === 0) return [];
    const name = (value: string | null) => {
      const normalized = normalizeName(value);
      return normalized.ok ? normalized.value : null;
    };
    const rows = await tx.query<{ id: string }>(
      `WITH people AS (
         SELECT crm_uuidv7() AS id, p.* FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS p(email, first_name, last_name, ord)
       ), created AS (
         INSERT INTO contacts (org_id, id, email, first_name, last_name) SELECT (SELECT crm_current_org()), id, email, first_name, last_name FROM people
       )
       SELECT id FROM people ORDER BY ord`,
      [people.map((p) => p.email), people.map((p) => name(p.firstName)), people.map((p) => name(p.lastName))],
    );
    const ids = rows.map((row) => row.id);
    await this.duplicates.refresh(tx, ids);
    const withExternalId = people.flatMap((p, i) => (p.externalId ? [{ ...p.externalId, contactId: ids[i] }] : []));
    if (withExternalId.length) {
      await tx.execute(
        `INSERT INTO contact_external_ids (org_id, source, external_id, contact_id)
         SELECT (SELECT crm_current_org()), * FROM unnest($1::text[], $2::text[], $3::uuid[]) ON CONFLICT DO NOTHING`,
        [
          withExternalId.map((x) => x.source),
          withExternalId.map((x) => x.externalId),
          withExternalId.map((x) => x.contactId),
        ],
      );
    }
    return ids;
  }

  /**
   * The contacts holding these emails and E.164 phones (normalized as stored: normalizeEmail, normalizePhone): for
   * each value, the earliest created contact holding it (the one a merge of them keeps when nothing else decides).
   */
  async byContactPoints(
    tx: Tx,
    emails: readonly string[],
    phones: readonly string[],
  ): Promise<{ byEmail: Map<string, string>; byPhone: Map<string, string> }> {
    const emailRows = emails.length
      ? await tx.query<{ value: string; contactId: string }>(
          `SELECT DISTINCT ON (email) email AS value, id AS "contactId" FROM contacts WHERE email = ANY($1::text[])
            ORDER BY email, created_at, id`,
          [[...new Set(emails)]],
        )
      : [];
    const phoneRows = phones.length
      ? await tx.query<{ value: string; contactId: string }>(
          `SELECT DISTINCT ON (phone) phone AS value, id AS "contactId" FROM contacts WHERE phone = ANY($1::text[])
            ORDER BY phone, created_at, id`,
          [[...new Set(phones)]],
        )
      : [];
    return {
      byEmail: new Map(emailRows.map((row) => [row.value, row.contactId])),
      byPhone: new Map(phoneRows.map((row) => [row.value, row.contactId])),
    };
  }

  /**
   * Creates one contact per person, set-based, with the fields given normalized as every write normalizes them
   * (checkContactFields); a field that does not normalize is left empty rather than refusing the person. Returns
   * their ids, in order. The search tokens and the audience sync follow by the contacts' triggers, as for any insert.
   */
  async createPeople(tx: Tx, people: readonly ContactFieldValues[]): Promise<string[]> {
    if (people.length === 0) return [];
    const rows = people.map((person, ord) => {
      const { columns, entered } = checkContactFields(person, person.country);
      return { ...columns, entered, ord };
    });
    const created = await tx.query<{ id: string }>(
      `WITH people AS (
         SELECT crm_uuidv7() AS id, p.*
           FROM jsonb_to_recordset($1::jsonb) AS p(first_name text, last_name text, email text,
                phone text, address_line1 text, address_line2 text, city text, postal_code text, region text,
                country text, preferred_language text, birth_date date, entered jsonb, ord int)
       ), created AS (
         INSERT INTO contacts (org_id, id, first_name, last_name, email, phone, address_line1, address_line2, city,
                               postal_code, region, country, preferred_language, birth_date, entered)
         SELECT (SELECT crm_current_org()), id, first_name, last_name, email, phone, address_line1, address_line2, city,
                postal_code, region, country, preferred_language, birth_date, coalesce(entered, '{}')
           FROM people
       )
       SELECT id FROM people ORDER BY ord`,
      [JSON.stringify(rows)],
    );
    const ids = created.map((row) => row.id);
    await this.duplicates.refresh(tx, ids);
    return ids;
  }

  /** A hard bounce: the contacts' current email addresses are undeliverable until they change. */
  async markEmailBounced(tx: Tx, contactIds: readonly string[], at: Date): Promise<void> {
    await tx.execute(
      `UPDATE contacts SET bounced_email = email, bounced_at = $2
        WHERE id = ANY($1::uuid[]) AND email IS NOT NULL AND bounced_email IS DISTINCT FROM email`,
      [contactIds, at],
    );
  }
}

export interface ContactReferences {
  ids: readonly string[];
  externalIds: readonly { source: string; externalId: string }[];
  /** Normalized (normalizeEmail). */
  emails: readonly string[];
}

/** Someone a record names, to create: email normalized. */
export interface NewPerson {
  email: string | null;
  externalId: { source: string; externalId: string } | null;
  firstName: string | null;
  lastName: string | null;
}

export interface ContactLookup {
  ids: ReadonlySet<string>;
  /** By externalIdKey(source, externalId). */
  byExternalId: ReadonlyMap<string, string>;
  byEmail: ReadonlyMap<string, string>;
}

export function externalIdKey(source: string, externalId: string): string {
  return `${source}\u0000${externalId}`;
}
