import { Injectable } from '@nestjs/common';
import { SqlParams, TenantDb, whereClause } from '@app/database';
import { ConsentPurpose } from '../consent/consent.types.js';
import { consentStateSql } from '../contacts/contact-filter.sql.js';
import { CONTACT_COLUMNS, type ContactRow, toModel } from '../contacts/contact-row.js';
import type { ContactFilterInput } from '../contacts/contact.inputs.js';
import type { ContactModel } from '../contacts/contact.model.js';
import { ContactsService } from '../contacts/contacts.service.js';

/** A contact as exported: the model plus what a file row carries flat. */
export type ExportedContact = ContactModel & {
  tags: string[];
  externalIds: string[];
  consents: Record<string, string>;
};

/** Reads the contacts of an export, batch by batch. */
@Injectable()
export class ContactExportReader {
  constructor(
    private readonly db: TenantDb,
    private readonly contacts: ContactsService,
  ) {}

  /**
   * Contacts for an export, by id after `afterId`, each with its tags, external
   * ids and current consent per purpose (ANALYST: without direct identifiers).
   */
  async exportBatch(
    filter: ContactFilterInput | null,
    afterId: string | null,
    limit: number,
  ): Promise<ExportedContact[]> {
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const where = await this.contacts.filterSql(tx, filter, params);
      if (afterId) where.push(`c.id > ${params.add(afterId, 'uuid')}`);
      const consents = Object.values(ConsentPurpose).map(
        (purpose) => `${consentStateSql(params.add(purpose))} AS "consent_${purpose}"`,
      );
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
        consents: Object.fromEntries(
          Object.values(ConsentPurpose).map((purpose) => [purpose, row[`consent_${purpose}`] as string]),
        ),
      }));
    });
  }
}
