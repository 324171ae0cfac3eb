import { Args, ID, Info, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { INPUT_LIMITS, ListPipe, selectedFields, TextPipe, UuidPipe } from '@app/common';
import {
  Caller,
  callerIn,
  type GraphqlContext,
  mayReadIdentifiers,
  type RequestCaller,
  RequireRole,
  Role,
} from '@app/tenancy';
import { currentConsents } from '../consent/consent-state.util.js';
import { ConsentInput, ConsentModel, ConsentRecordModel } from '../consent/consent.model.js';
import { ConsentPurpose, type ConsentRecordLike } from '../consent/consent.types.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagModel } from '../tags/tag.model.js';
import { OnDuplicate } from './contact-duplicates.js';
import { ContactLoaders } from './contact-loaders.js';
import type { ContactNode } from './contact-relations.js';
import { ContactsArgs, ContactTargetInput, CreateContactInput, UpdateContactInput } from './contact.inputs.js';
import { BulkUpdateResultModel, ContactConnectionModel, ContactModel, ExternalIdModel } from './contact.model.js';
import { ContactsService, type LazyContactConnection } from './contacts.service.js';

const TAG_LIST = new ListPipe(INPUT_LIMITS.values, INPUT_LIMITS.tagLength);

@Resolver(() => ContactModel)
export class ContactsResolver {
  constructor(
    private readonly contacts: ContactsService,
    private readonly consents: ConsentsService,
    private readonly loaders: ContactLoaders,
  ) {}

  @Query(() => ContactModel, { description: 'One contact by id (every role; NOT_FOUND when there is none).' })
  @RequireRole(Role.ANALYST)
  contact(
    @Args('id', { type: () => ID, description: 'The contact id.' }, UuidPipe) id: string,
    @Caller() caller: RequestCaller,
  ): Promise<ContactModel> {
    return this.loaders.contactOf(caller).load(id);
  }

  @Query(() => ContactModel, {
    description: 'The contact holding an id of another system (every role; NOT_FOUND when there is none).',
  })
  @RequireRole(Role.ANALYST)
  contactByExternalId(
    @Args('source', { description: 'The other system, as in ExternalId.source.' }, new TextPipe(100)) source: string,
    @Args('externalId', { description: "The contact's id in that system." }, new TextPipe(200)) externalId: string,
  ): Promise<ContactModel> {
    return this.contacts.getByExternalId(source, externalId);
  }

  @Query(() => ContactConnectionModel, {
    name: 'contacts',
    description:
      'A page of contacts matching a filter, sorted (every role; no direct identifiers for the ANALYST role).',
  })
  @RequireRole(Role.ANALYST)
  listContacts(@Args() args: ContactsArgs, @Info() info: GraphQLResolveInfo): Promise<LazyContactConnection> {
    return this.contacts.list(args, selectedFields(info, ['edges', 'node']));
  }

  @Mutation(() => ContactModel, { description: 'Creates a contact (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  createContact(
    @Args('input', { description: 'Its fields, external ids, tags and consents.' }) input: CreateContactInput,
    @Args('onDuplicate', {
      type: () => OnDuplicate,
      defaultValue: OnDuplicate.ALLOW,
      description: 'REJECT: refuse when a contact that exists looks like the same person.',
    })
    onDuplicate: OnDuplicate,
  ): Promise<ContactModel> {
    return this.contacts.create(input, onDuplicate);
  }

  @Mutation(() => ContactModel, { description: 'Changes the fields given; null clears a field (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  updateContact(
    @Args('id', { type: () => ID, description: 'The contact id.' }, UuidPipe) id: string,
    @Args('input', { description: 'The fields to change.' }) input: UpdateContactInput,
  ): Promise<ContactModel> {
    return this.contacts.update(id, input);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes the contact with its consents, tags and external ids (EDITOR and up); true when done.',
  })
  @RequireRole(Role.EDITOR)
  deleteContact(
    @Args('id', { type: () => ID, description: 'The contact id.' }, UuidPipe) id: string,
  ): Promise<boolean> {
    return this.contacts.delete(id);
  }

  @Mutation(() => ConsentRecordModel, {
    description: 'Records a grant or a withdrawal; the latest decides (a withdrawal wins a tie). EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  recordConsent(
    @Args('contactId', { type: () => ID, description: 'The contact id.' }, UuidPipe) contactId: string,
    @Args('input', { description: 'The grant or withdrawal.' }) input: ConsentInput,
  ): Promise<ConsentRecordModel> {
    return this.consents.recordForContact(contactId, input);
  }

  @Mutation(() => BulkUpdateResultModel, {
    description: 'Adds tags (created when new) to the contacts given by ids or filter (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  async tagContacts(
    @Args('target', { description: 'The contacts to tag.' }) target: ContactTargetInput,
    @Args('tags', { type: () => [String], description: 'Tag names (at most 100), case-insensitive.' }, TAG_LIST)
    tags: string[],
  ): Promise<BulkUpdateResultModel> {
    return { affected: await this.contacts.bulkTag(target, tags, false) };
  }

  @Mutation(() => BulkUpdateResultModel, {
    description: 'Removes tags from the contacts given by ids or filter; the tags themselves remain (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  async untagContacts(
    @Args('target', { description: 'The contacts to untag.' }) target: ContactTargetInput,
    @Args('tags', { type: () => [String], description: 'Tag names (at most 100), case-insensitive.' }, TAG_LIST)
    tags: string[],
  ): Promise<BulkUpdateResultModel> {
    return { affected: await this.contacts.bulkTag(target, tags, true) };
  }

  // The field resolvers below take (contact, args, context) without decorators: Nest then calls them directly.

  @ResolveField(() => [TagModel], { description: "The contact's tags, by name." })
  tags(contact: ContactNode, _args: unknown, context: GraphqlContext): TagModel[] | Promise<TagModel[]> {
    return contact.tags ?? this.loaders.tagsOf(callerIn(context)).load(contact.id);
  }

  @ResolveField(() => [ExternalIdModel], { description: "The contact's ids in other systems." })
  externalIds(
    contact: ContactNode,
    _args: unknown,
    context: GraphqlContext,
  ): ExternalIdModel[] | Promise<ExternalIdModel[]> {
    return contact.externalIds ?? this.loaders.externalIdsOf(callerIn(context)).load(contact.id);
  }

  @ResolveField('consents', () => [ConsentModel], { description: 'Current consent for every purpose.' })
  currentConsents(
    contact: ContactNode,
    _args: unknown,
    context: GraphqlContext,
  ): ConsentModel[] | Promise<ConsentModel[]> {
    const now = new Date();
    const consents = (records: readonly ConsentRecordLike[]) =>
      Object.entries(currentConsents(records, now)).map(([purpose, snapshot]) => ({
        purpose: purpose as ConsentPurpose,
        ...snapshot,
      }));
    // no promise for a contact read with its page's records
    const records = contact.consentRecords ?? contact.consentBasis;
    return records
      ? consents(records)
      : this.loaders.consentRecordsOf(callerIn(context)).load(contact.id).then(consents);
  }

  @ResolveField(() => [ConsentRecordModel], { description: 'Every consent record, oldest first.' })
  async consentHistory(
    @Parent() contact: ContactNode,
    @Caller() caller: RequestCaller,
    @Args('purpose', {
      type: () => ConsentPurpose,
      nullable: true,
      description: 'Only this purpose; every purpose when absent.',
    })
    purpose?: ConsentPurpose,
  ): Promise<ConsentRecordModel[]> {
    const records = contact.consentRecords ?? (await this.loaders.consentRecordsOf(caller).load(contact.id));
    const shown = purpose ? records.filter((r) => r.purpose === purpose) : records;
    // proof holds what identifies the person (an IP address, a signed form...): not for ANALYST
    return mayReadIdentifiers(caller.role) ? shown : shown.map((record) => ({ ...record, proof: null }));
  }
}

@Resolver(() => ContactConnectionModel)
export class ContactConnectionResolver {
  constructor(private readonly contacts: ContactsService) {}

  @ResolveField(() => Int)
  totalCount(connection: LazyContactConnection, _args: unknown, context: GraphqlContext): Promise<number> {
    return callerIn(context).run(() => this.contacts.count(connection.countFilter));
  }
}
