import { Injectable } from '@nestjs/common';
import { AppError, ErrorCode } from '@app/common';
import { keysetConnection, type KeysetRow, keysetSql, SqlParams, TenantDb, type Tx, whereClause } from '@app/database';
import { mayReadIdentifiers } from '@app/tenancy';
import { AttributesService } from '../attributes/attributes.service.js';
import { checkAttributeValues } from '../attributes/attribute-values.util.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagsService } from '../tags/tags.service.js';
import { ContactDuplicates, OnDuplicate } from './contact-duplicates.js';
import { contactFilterSql, type FilterOptions } from './contact-filter.sql.js';
import { normalizeContactFields, type ContactColumns } from './contact-fields.util.js';
import { CONTACT_COLUMNS, contactColumns, type ContactRow, toModel } from './contact-row.js';
import { type ContactNode, relationColumns, relationsOf, reviveRelations } from './contact-relations.js';
import {
  ContactSort,
  type ContactFilterInput,
  type ContactsArgs,
  type CreateContactInput,
  type ExternalIdInput,
  SortDirection,
  type UpdateContactInput,
} from './contact.inputs.js';
import type { ContactConnectionModel, ContactModel } from './contact.model.js';

const SORT_KEYS: Record<ContactSort, { column: string; type: string }> = {
  [ContactSort.NAME]: { column: 'c.sort_name', type: 'text' },
  [ContactSort.CREATED_AT]: { column: 'c.created_at', type: 'timestamptz' },
  [ContactSort.UPDATED_AT]: { column: 'c.updated_at', type: 'timestamptz' },
};

/** A connection whose totalCount is computed only if asked for. */
export type LazyContactConnection = Omit<ContactConnectionModel, 'totalCount'> & {
  countFilter: ContactFilterInput | null;
};

/** Contacts as the API serves them: create, update, delete, read and list. Other contexts ask ContactLookupService. */
@Injectable()
export class ContactsService {
  constructor(
    private readonly db: TenantDb,
    private readonly attributes: AttributesService,
    private readonly tags: TagsService,
    private readonly consents: ConsentsService,
    private readonly duplicates: ContactDuplicates,
  ) {}

  /** With REJECT, refused (CONFLICT, naming the existing contact) when the new contact looks like one that exists. */
  async create(input: CreateContactInput, onDuplicate = OnDuplicate.ALLOW): Promise<ContactModel> {
    const { columns, entered } = normalizeContactFields(input, input.country);
    return this.db.transaction(async (tx) => {
      const attributes = input.attributes
        ? checkAttributeValues(input.attributes, await this.attributes.definitions(tx), 'input.attributes').set
        : {};
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
      for (const [i, consent] of (input.consents ?? []).entries())
        await this.consents.record(tx, id, consent, `input.consents.${i}`);
      await this.duplicates.refresh(tx, [id]);
      if (onDuplicate === OnDuplicate.REJECT) await this.refuseDuplicate(tx, id);
      return this.require(tx, id);
    });
  }

  async update(id: string, input: UpdateContactInput): Promise<ContactModel> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query<{ country: string | null }>(
        'SELECT country FROM contacts WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!current) throw AppError.notFound('Contact');
      const country = input.country !== undefined ? input.country : current.country;
      const { columns, entered, clearedEntered } = normalizeContactFields(input, country);
      const params = new SqlParams();
      const sets = Object.entries(columns).map(([name, value]) => `${name} = ${params.add(value)}`);
      if (input.attributes) {
        const { set, remove } = checkAttributeValues(
          input.attributes,
          await this.attributes.definitions(tx),
          'input.attributes',
        );
        sets.push(`attributes = (attributes - ${params.add(remove, 'text[]')}) || ${params.add(set, 'jsonb')}`);
      }
      sets.push(`entered = (entered - ${params.add(clearedEntered, 'text[]')}) || ${params.add(entered, 'jsonb')}`);
      await tx.execute(
        `UPDATE contacts SET ${sets.join(', ')}, updated_at = now() WHERE id = ${params.add(id)}`,
        params.values,
      );
      await this.duplicates.refresh(tx, [id]);
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

  /**
   * A page of contacts, keyset-paginated on (sort key, id), in one statement. `fields`: the fields of Contact the
   * query selects (selectedFields), when known: only their columns are read, and the relations they show (tags,
   * consents, external ids) come in the same statement (contact-relations.ts).
   */
  async list(args: ContactsArgs, fields?: ReadonlySet<string>): Promise<LazyContactConnection> {
    const order = {
      columns: [SORT_KEYS[args.sort], { column: 'c.id', type: 'uuid' }],
      descending: args.direction === SortDirection.DESC,
    };
    const columns = fields ? contactColumns(fields) : CONTACT_COLUMNS;
    const relations = fields ? relationsOf(fields) : [];
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const byName = args.sort === ContactSort.NAME ? { page: args, descending: order.descending } : undefined;
      const where = await this.filterSql(tx, args.filter, params, 'filter', byName);
      const page = keysetSql(order, args, params, where);
      const rows = await tx.query<ContactRow & KeysetRow>(
        `SELECT ${[columns, ...relationColumns(relations), page.select].join(', ')}
           FROM contacts c ${whereClause(where)} ${page.orderLimit}`,
        params.values,
      );
      const toNode = (row: ContactRow): ContactNode => toModel(reviveRelations(row, relations));
      return { ...keysetConnection(rows, args, toNode), countFilter: args.filter ?? null };
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
  async bulkTag(
    target: { ids?: string[] | null; filter?: ContactFilterInput | null },
    tagNames: string[],
    remove: boolean,
  ): Promise<number> {
    if (!target.ids && !target.filter) throw AppError.badInput('target', 'target needs ids or a filter');
    return this.db.transaction(async (tx) => {
      const tagIds = await this.tags.idsFor(tx, tagNames, { create: !remove });
      const params = new SqlParams();
      const where = await this.filterSql(
        tx,
        { ...(target.filter ?? {}), ...(target.ids ? { ids: target.ids } : {}) },
        params,
        'target.filter',
      );
      const tags = params.add(tagIds, 'uuid[]');
      return remove
        ? tx.execute(
            `DELETE FROM contact_tags WHERE tag_id = ANY(${tags}) AND contact_id IN (SELECT c.id FROM contacts c ${whereClause(where)})`,
            params.values,
          )
        : tx.execute(
            `INSERT INTO contact_tags (org_id, contact_id, tag_id)
             SELECT (SELECT crm_current_org()), c.id, t.id FROM contacts c CROSS JOIN unnest(${tags}) AS t(id) ${whereClause(where)}
             ON CONFLICT DO NOTHING`,
            params.values,
          );
    });
  }

  /** SQL conditions on contacts `c` for a filter, as the caller may filter (an ANALYST's search reads names only). */
  async filterSql(
    tx: Tx,
    filter: ContactFilterInput | null | undefined,
    params: SqlParams,
    path = 'filter',
    byName?: FilterOptions['byName'],
  ): Promise<string[]> {
    const definitions = filter?.attributes?.length ? await this.attributes.definitions(tx) : undefined;
    const tagNames = [...(filter?.tagsAny ?? []), ...(filter?.tagsNone ?? [])];
    const tagIds = tagNames.length ? await this.tags.idsByName(tx, tagNames) : undefined;
    return contactFilterSql(filter, params, { definitions, tagIds, byName, namesOnly: !mayReadIdentifiers(), path });
  }

  /** Only the existing contact's id is named: the values compared are not echoed. */
  private async refuseDuplicate(tx: Tx, id: string): Promise<void> {
    const found = await this.duplicates.likelyDuplicatesOf(tx, [id]);
    if (!found) throw AppError.badInput('onDuplicate', 'Duplicate detection is not available: use ALLOW');
    const existing = found.get(id);
    if (existing)
      throw new AppError(
        ErrorCode.CONFLICT,
        `Not created: it looks like contact ${existing} (onDuplicate: REJECT)`,
        'onDuplicate',
      );
  }

  private async require(tx: Tx, id: string): Promise<ContactModel> {
    const [row] = await tx.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = $1`, [id]);
    if (!row) throw AppError.notFound('Contact');
    return toModel(row);
  }

  private async addExternalIds(tx: Tx, contactId: string, externalIds: ExternalIdInput[], path: string): Promise<void> {
    for (const [i, input] of externalIds.entries()) {
      const [source, externalId] = [input.source.trim(), input.externalId.trim()];
      if (!source || !externalId)
        throw AppError.badInput(`${path}.${i}`, `${path}.${i}: source and externalId must not be blank`);
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
        throw new AppError(
          ErrorCode.CONFLICT,
          `External id ${source}:${externalId} already belongs to another contact`,
          `${path}.${i}`,
        );
      }
    }
  }
}
