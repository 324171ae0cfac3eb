import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { TenantContexts, TenantDb } from '@app/database';
import { type AuthenticatedRequest, callerOf } from '@app/tenancy';
import type { ConsentRecordModel } from '../consent/consent.model.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagsService } from '../tags/tags.service.js';
import type { TagModel } from '../tags/tag.model.js';
import type { ExternalIdModel } from './contact.model.js';
import { ContactsService } from './contacts.service.js';

export interface ContactLoaderSet {
  tags: DataLoader<string, TagModel[]>;
  consentRecords: DataLoader<string, ConsentRecordModel[]>;
  externalIds: DataLoader<string, ExternalIdModel[]>;
}

/**
 * Per-request DataLoaders for what a page of contacts shows: one statement per
 * kind for the whole page. Created on first use for each GraphQL context (no
 * request-scoped providers); each batch runs in the caller's tenant transaction.
 */
@Injectable()
export class ContactLoaders {
  private readonly byContext = new WeakMap<object, ContactLoaderSet>();

  constructor(
    private readonly db: TenantDb,
    private readonly tags: TagsService,
    private readonly consents: ConsentsService,
    private readonly contacts: ContactsService,
  ) {}

  for(context: { req: AuthenticatedRequest }): ContactLoaderSet {
    let loaders = this.byContext.get(context);
    if (!loaders) {
      const caller = callerOf(context.req);
      const batch = <T extends { contactId: string }, V>(load: (ids: readonly string[]) => Promise<T[]>, pick: (row: T) => V) =>
        new DataLoader<string, V[]>(async (ids) => {
          const rows = await TenantContexts.run(caller, () => load(ids));
          const grouped = new Map<string, V[]>(ids.map((id) => [id, []]));
          for (const row of rows) grouped.get(row.contactId)?.push(pick(row));
          return ids.map((id) => grouped.get(id) ?? []);
        });
      loaders = {
        tags: batch((ids) => this.db.transaction((tx) => this.tags.forContacts(tx, ids)), ({ contactId: _, ...tag }) => tag),
        consentRecords: batch((ids) => this.db.transaction((tx) => this.consents.forContacts(tx, ids)), ({ contactId: _, ...record }) => record),
        externalIds: batch((ids) => this.db.transaction((tx) => this.contacts.externalIdsFor(tx, ids)), ({ contactId: _, ...externalId }) => externalId),
      };
      this.byContext.set(context, loaders);
    }
    return loaders;
  }
}
