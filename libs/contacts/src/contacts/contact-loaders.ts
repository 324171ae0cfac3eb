import { Injectable } from '@nestjs/common';
import type DataLoader from 'dataloader';
import { TenantDb } from '@app/database';
import type { RequestCaller } from '@app/tenancy';
import type { ConsentRecordModel } from '../consent/consent.model.js';
import type { TagModel } from '../tags/tag.model.js';
import type { ExternalIdModel } from './contact.model.js';
import { readRelation } from './contact-relations.js';

/**
 * Per-request DataLoaders for what a page of contacts shows: one statement per
 * kind for the whole page. Created on first use for each request (no
 * request-scoped providers); each batch runs in the caller's tenant transaction.
 */
@Injectable()
export class ContactLoaders {
  constructor(private readonly db: TenantDb) {}

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
