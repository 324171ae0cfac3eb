import { Injectable } from '@nestjs/common';
import type DataLoader from 'dataloader';
import { TenantDb } from '@app/database';
import type { RequestCaller } from '@app/tenancy';
import type { ConsentRecordModel } from '../consent/consent.model.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagsService } from '../tags/tags.service.js';
import type { TagModel } from '../tags/tag.model.js';
import type { ExternalIdModel } from './contact.model.js';
import { ContactsService } from './contacts.service.js';

/**
 * Per-request DataLoaders for what a page of contacts shows: one statement per
 * kind for the whole page. Created on first use for each request (no
 * request-scoped providers); each batch runs in the caller's tenant transaction.
 */
@Injectable()
export class ContactLoaders {
  constructor(
    private readonly db: TenantDb,
    private readonly tags: TagsService,
    private readonly consents: ConsentsService,
    private readonly contacts: ContactsService,
  ) {}

  tagsOf(caller: RequestCaller): DataLoader<string, TagModel[]> {
    return caller.loader(
      'contacts.tags',
      byContact(
        (ids) => this.db.transaction((tx) => this.tags.forContacts(tx, ids)),
        ({ contactId: _, ...tag }) => tag,
      ),
    );
  }

  consentRecordsOf(caller: RequestCaller): DataLoader<string, ConsentRecordModel[]> {
    return caller.loader(
      'contacts.consentRecords',
      byContact(
        (ids) => this.db.transaction((tx) => this.consents.forContacts(tx, ids)),
        ({ contactId: _, ...record }) => record,
      ),
    );
  }

  externalIdsOf(caller: RequestCaller): DataLoader<string, ExternalIdModel[]> {
    return caller.loader(
      'contacts.externalIds',
      byContact(
        (ids) => this.db.transaction((tx) => this.contacts.externalIdsFor(tx, ids)),
        ({ contactId: _, ...externalId }) => externalId,
      ),
    );
  }
}

/** A batch of each contact's rows: `load` reads them for all the ids at once, `pick` keeps what is shown of each. */
function byContact<T extends { contactId: string }, V>(
  load: (ids: readonly string[]) => Promise<T[]>,
  pick: (row: T) => V,
) {
  return async (ids: readonly string[]): Promise<V[][]> => {
    const rows = await load(ids);
    const grouped = new Map<string, V[]>(ids.map((id) => [id, []]));
    for (const row of rows) grouped.get(row.contactId)?.push(pick(row));
    return ids.map((id) => grouped.get(id) ?? []);
  };
}
