import { Injectable } from '@nestjs/common';
import type DataLoader from 'dataloader';
import { AppError } from '@app/common';
import { TenantDb } from '@app/database';
import type { RequestCaller } from '@app/tenancy';
import type { ConsentRecordModel } from '../consent/consent.model.js';
import type { TagModel } from '../tags/tag.model.js';
import type { ContactModel, ExternalIdModel } from './contact.model.js';
import { CONTACT_COLUMNS, type ContactRow, toModel } from './contact-row.js';
import { readRelation } from './contact-relations.js';

/**
 * Per-request DataLoaders for contacts read one by one (`contact(id)`, a mutation's answer) and what they show: one
 * statement per kind for all of a query's contacts. Created on first use for each request (no request-scoped
 * providers); each batch runs in the caller's tenant transaction.
 */
@Injectable()
export class ContactLoaders {
  constructor(private readonly db: TenantDb) {}

  /** Contacts by id: several `contact(id)` of one query read in one statement. NOT_FOUND for an id that is none. */
  contactOf(caller: RequestCaller): DataLoader<string, ContactModel> {
    return caller.loader<string, ContactModel>('contacts.byId', (ids) =>
      this.db.transaction(async (tx) => {
        const rows = await tx.query<ContactRow>(
          `SELECT ${CONTACT_COLUMNS} FROM contacts c WHERE c.id = ANY($1::uuid[])`,
          [ids],
        );
        const byId = new Map(rows.map((row) => [row.id, toModel(row)]));
        return ids.map((id) => byId.get(id) ?? AppError.notFound('Contact'));
      }),
    );
  }

  tagsOf(caller: RequestCaller): DataLoader<string, TagModel[]> {
    return this.relation(caller, 'tags');
  }

  consentRecordsOf(caller: RequestCaller): DataLoader<string, ConsentRecordModel[]> {
    return this.relation(caller, 'consentRecords');
  }

  externalIdsOf(caller: RequestCaller): DataLoader<string, ExternalIdModel[]> {
    return this.relation(caller, 'externalIds');
  }

  private relation<K extends 'tags' | 'consentRecords' | 'externalIds'>(caller: RequestCaller, name: K) {
    return caller.loader(`contacts.${name}`, (ids: readonly string[]) =>
      this.db.transaction((tx) => readRelation(tx, name, ids)),
    );
  }
}
