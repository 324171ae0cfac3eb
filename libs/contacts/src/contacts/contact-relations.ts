import type { Tx } from '@app/database';
import type { ConsentRecordModel } from '../consent/consent.model.js';
import type { ConsentRecordLike } from '../consent/consent.types.js';
import type { TagModel } from '../tags/tag.model.js';
import type { ContactModel, ExternalIdModel } from './contact.model.js';

/**
 * A contact as a page of contacts reads it: the relations its query selects come with it, read in the page's own
 * statement as JSON (one statement for the page, not one per relation), so that their field resolvers only hand
 * them over. Contacts read otherwise (one by id, a mutation's answer) have none: their field resolvers read them with
 * the request's DataLoaders (contact-loaders.ts), through the same SQL (readRelation).
 */
export type ContactNode = ContactModel & Partial<ContactRelations>;

interface ContactRelations {
  tags: TagModel[];
  consentRecords: ConsentRecordModel[];
  /** Of each record, what the current consents are computed from (in any order): for a query without consentHistory. */
  consentBasis: ConsentRecordLike[];
  externalIds: ExternalIdModel[];
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

interface Relation<K extends keyof ContactRelations> {
  /** The fields of Contact that read it. */
  fields: readonly string[];
  /** A JSON array of contact `c`'s rows, in the order their DataLoader gives. */
  sql: string;
  /** Its dates, from JSON's text back to Date. */
  revive: (rows: Json<ContactRelations[K][number]>[]) => ContactRelations[K];
}

const date = (text: string) => new Date(text);
const dateOrNull = (text: string | null) => (text === null ? null : new Date(text));
/** A consent record's dates of the state rule, from JSON's text back to Date. */
const withDates = <T extends { occurredAt: string; expiresAt: string | null }>(record: T) => ({
  ...record,
  occurredAt: date(record.occurredAt),
  expiresAt: dateOrNull(record.expiresAt),
});

const RELATIONS: { [K in keyof ContactRelations]: Relation<K> } = {
  tags: {
    fields: ['tags'],
    sql: `SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'createdAt', t.created_at) ORDER BY t.name), '[]')
            FROM contact_tags ct JOIN tags t ON t.org_id = ct.org_id AND t.id = ct.tag_id
           WHERE ct.org_id = c.org_id AND ct.contact_id = c.id`,
    revive: (rows) => rows.map((tag) => ({ ...tag, createdAt: date(tag.createdAt) })),
  },
  consentRecords: {
    fields: ['consentHistory'],
    sql: `SELECT coalesce(json_agg(json_build_object('id', k.id, 'purpose', k.purpose, 'status', k.status,
                   'legalBasis', k.legal_basis, 'impliedReason', k.implied_reason, 'source', k.source, 'proof', k.proof,
                   'occurredAt', k.occurred_at, 'expiresAt', k.expires_at, 'createdAt', k.created_at)
                 ORDER BY k.occurred_at, k.created_at), '[]')
            FROM consents k WHERE k.org_id = c.org_id AND k.contact_id = c.id`,
    revive: (rows) => rows.map((record) => ({ ...withDates(record), createdAt: date(record.createdAt) })),
  },
  consentBasis: {
    fields: ['consents'],
    sql: `SELECT coalesce(json_agg(json_build_object('purpose', k.purpose, 'status', k.status, 'occurredAt', k.occurred_at,
                   'expiresAt', k.expires_at)), '[]')
            FROM consents k WHERE k.org_id = c.org_id AND k.contact_id = c.id`,
    revive: (rows) => rows.map(withDates),
  },
  externalIds: {
    fields: ['externalIds'],
    sql: `SELECT coalesce(json_agg(json_build_object('source', x.source, 'externalId', x.external_id)
                 ORDER BY x.source, x.external_id), '[]')
            FROM contact_external_ids x WHERE x.org_id = c.org_id AND x.contact_id = c.id`,
    revive: (rows) => rows,
  },
};

const NAMES = Object.keys(RELATIONS) as (keyof ContactRelations)[];

/** The relations these fields of Contact read. */
export function relationsOf(fields: ReadonlySet<string>): (keyof ContactRelations)[] {
  const names = NAMES.filter((name) => RELATIONS[name].fields.some((field) => fields.has(field)));
  // the whole records serve the current consents too
  return names.includes('consentRecords') ? names.filter((name) => name !== 'consentBasis') : names;
}

/** The select list's columns for the relations: each a JSON array named as the relation. */
export function relationColumns(relations: readonly (keyof ContactRelations)[]): string[] {
  return relations.map((name) => `(${RELATIONS[name].sql}) AS "${name}"`);
}

/** A row read with relationColumns, its relations' dates revived (in place). */
export function reviveRelations<T extends object>(row: T, relations: readonly (keyof ContactRelations)[]): T {
  const values = row as Record<string, unknown>;
  for (const name of relations) values[name] = RELATIONS[name].revive(values[name] as never);
  return row;
}

/** One relation of each contact, in the order of `contactIds` (none for an unknown id): the DataLoaders' batch. */
export async function readRelation<K extends keyof ContactRelations>(
  tx: Tx,
  name: K,
  contactIds: readonly string[],
): Promise<ContactRelations[K][]> {
  const rows = await tx.query<{ id: string } & Record<K, never>>(
    `SELECT c.id, ${relationColumns([name]).join('')} FROM contacts c WHERE c.id = ANY($1::uuid[])`,
    [contactIds],
  );
  const byId = new Map(rows.map((row) => [row.id, RELATIONS[name].revive(row[name])]));
  return contactIds.map((id) => byId.get(id) ?? []);
}
