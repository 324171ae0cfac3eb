import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { keysetConnection, type KeysetRow, keysetSql, SqlParams, TenantDb, type Tx, whereClause } from '@app/database';
import { mayReadIdentifiers } from '@app/tenancy';
import { AttributesService } from '../attributes/attributes.service.js';
import { checkAttributeValues } from '../attributes/attribute-values.util.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagsService } from '../tags/tags.service.js';
import { ConsentPurpose } from '../consent/consent.types.js';
import { consentStateSql, contactFilterSql } from './contact-filter.sql.js';
import { normalizeContactFields, type ContactColumns } from './contact-fields.util.js';
import { normalizeName } from '../normalization/normalize-name.util.js';
import {
  ContactSort, type ContactFilterInput, type ContactsArgs, type CreateContactInput, type ExternalIdInput, SortDirection, type UpdateContactInput,
} from './contact.inputs.js';
import type { ContactConnectionModel, ContactModel, EnteredValuesModel, ExternalIdModel } from './contact.model.js';

const CONTACT_COLUMNS = `c.id, c.first_name AS "firstName", c.last_name AS "lastName", c.email, c.phone,
  c.address_line1 AS "addressLine1", c.address_line2 AS "addressLine2", c.city, c.postal_code AS "postalCode",
  c.region, c.country, c.preferred_language AS "preferredLanguage", to_char(c.birth_date, 'YYYY-MM-DD') AS "birthDate",
  c.attributes, c.entered, c.bounced_email IS NOT NULL AND c.bounced_email = c.email AS "emailUndeliverable",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

const SORT_KEYS: Record<ContactSort, { column: string; type: string }> = {
  [ContactSort.NAME]: { column: 'c.sort_name', type: 'text' },
  [ContactSort.CREATED_AT]: { column: 'c.created_at', type: 'timestamptz' },
  [ContactSort.UPDATED_AT]: { column: 'c.updated_at', type: 'timestamptz' },
};

/** A contact row as read (before masking). */
type ContactRow = Omit<ContactModel, 'entered'> & { entered: EnteredValuesModel; sortKey?: string };

/** A contact as exported: the model plus what a file row carries flat. */
export type ExportedContact = ContactModel & { tags: string[]; externalIds: string[]; consents: Record<string, string> };

/** A connection whose totalCount is computed only if asked for. */
export type LazyContactConnection = Omit<ContactConnectionModel, 'totalCount'> & { countFilter: ContactFilterInput | null };

@Injectable()
export class ContactsService {
  constructor(
    private readonly db: TenantDb,
    private readonly attributes: AttributesService,
    private readonly tags: TagsService,
    private readonly consents: ConsentsService,
  ) {}

  async create(input: CreateContactInput): Promise<ContactModel> {
    const { columns, entered } = normalizeContactFields(input, input.country);
    return this.db.transaction(async (tx) => {
      const attributes = input.attributes ? checkAttributeValues(input.attributes, await this.attributes.definitions(tx), 'input.attributes').set : {};
      const params = new SqlParams();
      const names = Object.keys(columns);
      const values = names.map((name) => params.add(columns[name as keyof ContactColumns]));
      const [{ id }] = await tx.query<{ id: string }>(
        `INSERT INTO contacts (org_id, ${names.join(', ')}${names.length ? ', ' : ''}attributes, entered)
         VALUES (crm_current_org(), ${values.join(', ')}${values.length ? ', ' : ''}${params.add(attributes)}, ${params.add(entered)})
         RETURNING id`,
        params.values,
      );
      await this.addExternalIds(tx, id, input.externalIds ?? [], 'input.externalIds');
      if (input.tags?.length) await this.tags.tagContacts(tx, [id], input.tags);
      for (const [i, consent] of (input.consents ?? []).entries()) await this.consents.record(tx, id, consent, `input.consents.${i}`);
      return this.require(tx, id);
    });
  }

  async update(id: string, input: UpdateContactInput): Promise<ContactModel> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query<{ country: string | null }>('SELECT country FROM contacts WHERE id = $1 FOR UPDATE', [id]);
      if (!current) throw AppError.notFound('Contact');
      const country = input.country !== undefined ? input.country : current.country;
      const { columns, entered, clearedEntered } = normalizeContactFields(input, country);
      const params = new SqlParams();
      const sets = Object.entries(columns).map(([name, value]) => `${name} = ${params.add(value)}`);
      if (input.attributes) {
        const { set, remove } = checkAttributeValues(input.attributes, await this.attributes.definitions(tx), 'input.attributes');
        sets.push(`attributes = (attributes - ${params.add(remove, 'text[]')}) || ${params.add(set, 'jsonb')}`);
      }
      sets.push(`entered = (entered - ${params.add(clearedEntered, 'text[]')}) || ${params.add(entered, 'jsonb')}`);
      await tx.execute(`UPDATE contacts SET ${sets.join(', ')}, updated_at = now() WHERE id = ${params.add(id)}`, params.values);
      await this.addExternalIds(tx, id, input.addExternalIds ?? [], 'input.addExternalIds');
      return this.require(tx, id);
    });
  }

  /** Hard delete: the contact, its consents, tags and external ids. */
  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.transaction((tx) => tx.execute('DELETE FROM contacts WHERE id = $1', [id]));
    if (deleted === 0) throw AppError.notFound('Contact');
    return true;
  }

  async get(id: string): Promise<ContactModel> {
    return this.db.transaction((tx) => this.require(tx, id));
  }

  /** The contacts with these ids that exist, in no particular order. */
  async getMany(tx: Tx, ids: readonly string[]): Promise<ContactModel[]> {
    if (ids.length === 0) return [];
    const rows = await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ANY($1::uuid[])`, [[...new Set(ids)]]);
    return rows.map(toModel);
  }

  async getByExternalId(source: string, externalId: string): Promise<ContactModel> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<ContactRow>(
        `SELECT ${CONTACT_COLUMNS} FROM contacts c JOIN contact_external_ids x ON x.org_id = c.org_id AND x.contact_id = c.id
          WHERE x.source = $1 AND x.external_id = $2`,
        [source, externalId],
      );
      if (!row) throw AppError.notFound('Contact');
      return toModel(row);
    });
  }

  /** A page of contacts, keyset-paginated on (sort key, id). */
  async list(args: ContactsArgs): Promise<LazyContactConnection> {
    const order = { columns: [SORT_KEYS[args.sort], { column: 'c.id', type: 'uuid' }], descending: args.direction === SortDirection.DESC };
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = await this.filterSql(tx, args.filter, params);
      const page = keysetSql(order, args, params, where);
      const rows = await tx.query<ContactRow & KeysetRow>(
        `SELECT ${CONTACT_COLUMNS}, ${page.select} FROM contacts c ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      );
      return { ...keysetConnection(rows, args, toModel), countFilter: args.filter ?? null };
    });
  }

  async count(filter: ContactFilterInput | null): Promise<number> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = await this.filterSql(tx, filter, params);
      const [{ count }] = await tx.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM contacts c ${whereClause(where)}`,
        params.values,
      );
      return count;
    });
  }

  /** Adds (or removes) tags on the contacts given by ids or by a filter, set-based; the number of links changed. */
  async bulkTag(target: { ids?: string[] | null; filter?: ContactFilterInput | null }, tagNames: string[], remove: boolean): Promise<number> {
    if (!target.ids && !target.filter) throw AppError.badInput('target', 'target needs ids or a filter');
    return this.db.transaction(async (tx) => {
      const tagIds = await this.tags.idsFor(tx, tagNames, { create: !remove });
      const params = new SqlParams();
      const where = await this.filterSql(tx, { ...(target.filter ?? {}), ...(target.ids ? { ids: target.ids } : {}) }, params, 'target.filter');
      const tags = params.add(tagIds, 'uuid[]');
      return remove
        ? tx.execute(`DELETE FROM contact_tags WHERE tag_id = ANY(${tags}) AND contact_id IN (SELECT c.id FROM contacts c ${whereClause(where)})`, params.values)
        : tx.execute(
            `INSERT INTO contact_tags (org_id, contact_id, tag_id)
             SELECT (SELECT crm_current_org()), c.id, t.id FROM contacts c CROSS JOIN unnest(${tags}) AS t(id) ${whereClause(where)}
             ON CONFLICT DO NOTHING`,
            params.values,
          );
    });
  }

  /**
   * Contacts for an export, by id after `afterId`, each with its tags, external
   * ids and current consent per purpose (ANALYST: without direct identifiers).
   */
  async exportBatch(filter: ContactFilterInput | null, afterId: string | null, limit: number): Promise<ExportedContact[]> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = await this.filterSql(tx, filter, params);
      if (afterId) where.push(`c.id > ${params.add(afterId, 'uuid')}`);
      const consents = Object.values(ConsentPurpose).map((purpose) => `${consentStateSql(params.add(purpose))} AS "consent_${purpose}"`);
      const rows = await tx.query<ContactRow & { tags: string[]; externalIds: string[] } & Record<string, unknown>>(
        `SELECT ${CONTACT_COLUMNS},
                array(SELECT t.name::text FROM contact_tags ct JOIN tags t ON t.org_id = ct.org_id AND t.id = ct.tag_id
                       WHERE ct.org_id = c.org_id AND ct.contact_id = c.id ORDER BY t.name) AS tags,
                array(SELECT x.source || ':' || x.external_id FROM contact_external_ids x
                       WHERE x.org_id = c.org_id AND x.contact_id = c.id ORDER BY 1) AS "externalIds",
                ${consents.join(', ')}
           FROM contacts c ${whereClause(where)} ORDER BY c.id LIMIT ${params.add(limit, 'int')}`,
        params.values,
      );
      return rows.map((row) => ({
        ...toModel(row),
        tags: row.tags,
        externalIds: row.externalIds,
        consents: Object.fromEntries(Object.values(ConsentPurpose).map((purpose) => [purpose, row[`consent_${purpose}`] as string])),
      }));
    });
  }

  /** External ids of each contact, for the DataLoader: one statement for the batch. */
  async externalIdsFor(tx: Tx, contactIds: readonly string[]): Promise<(ExternalIdModel & { contactId: string })[]> {
    return tx.query(
      `SELECT contact_id AS "contactId", source, external_id AS "externalId" FROM contact_external_ids
        WHERE contact_id = ANY($1::uuid[]) ORDER BY source, external_id`,
      [contactIds],
    );
  }

  /**
   * The contacts that ids, external ids and (normalized) emails name, for recording what people did. An email several
   * contacts share names the earliest created (the one a merge of them keeps when nothing else decides).
   */
  async lookUp(tx: Tx, refs: ContactReferences): Promise<ContactLookup> {
    // one after the other: a transaction's connection runs one statement at a time
    const ids = refs.ids.length ? await tx.query<{ id: string }>('SELECT id FROM contacts WHERE id = ANY($1::uuid[])', [refs.ids]) : [];
    const externalIds = refs.externalIds.length
      ? await tx.query<{ source: string; externalId: string; contactId: string }>(
        `SELECT x.source, x.external_id AS "externalId", x.contact_id AS "contactId"
           FROM contact_external_ids x JOIN unnest($1::text[], $2::text[]) AS r(source, external_id)
             ON x.source = r.source AND x.external_id = r.external_id`,
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
    const withExternalId = people.flatMap((p, i) => (p.externalId ? [{ ...p.externalId, contactId: ids[i] }] : []));
    if (withExternalId.length) {
      await tx.execute(
        `INSERT INTO contact_external_ids (org_id, source, external_id, contact_id)
         SELECT (SELECT crm_current_org()), * FROM unnest($1::text[], $2::text[], $3::uuid[]) ON CONFLICT DO NOTHING`,
        [withExternalId.map((x) => x.source), withExternalId.map((x) => x.externalId), withExternalId.map((x) => x.contactId)],
      );
    }
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

  /** SQL conditions on contacts `c` for a filter, as the caller may filter (an ANALYST's search reads names only). */
  async filterSql(tx: Tx, filter: ContactFilterInput | null | undefined, params: SqlParams, path = 'filter'): Promise<string[]> {
    const definitions = filter?.attributes?.length ? await this.attributes.definitions(tx) : undefined;
    return contactFilterSql(filter, params, { definitions, namesOnly: !mayReadIdentifiers(), path });
  }

  private async require(tx: Tx, id: string): Promise<ContactModel> {
    const [row] = await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = $1`, [id]);
    if (!row) throw AppError.notFound('Contact');
    return toModel(row);
  }

  private async addExternalIds(tx: Tx, contactId: string, externalIds: ExternalIdInput[], path: string): Promise<void> {
    for (const [i, input] of externalIds.entries()) {
      const [source, externalId] = [input.source.trim(), input.externalId.trim()];
      if (!source || !externalId) throw AppError.badInput(`${path}.${i}`, `${path}.${i}: source and externalId must not be blank`);
      const inserted = await tx.query(
        `INSERT INTO contact_external_ids (org_id, source, external_id, contact_id) VALUES (crm_current_org(), $1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING contact_id`,
        [source, externalId, contactId],
      );
      if (inserted.length > 0) continue;
      const [owner] = await tx.query<{ contactId: string }>(
        'SELECT contact_id AS "contactId" FROM contact_external_ids WHERE source = $1 AND external_id = $2',
        [source, externalId],
      );
      if (owner?.contactId !== contactId) {
        throw new AppError(ErrorCode.CONFLICT, `External id ${source}:${externalId} already belongs to another contact`, `${path}.${i}`);
      }
    }
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

/** A row as the caller may see it: ANALYST gets no direct identifiers. */
function toModel(row: ContactRow): ContactModel {
  const { sortKey: _sortKey, ...contact } = row;
  if (mayReadIdentifiers()) return contact;
  return { ...contact, email: null, phone: null, addressLine1: null, addressLine2: null, birthDate: null, entered: null };
}
