import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { INPUT_LIMITS, ListPipe, TextPipe, UuidPipe } from '@app/common';
import { Caller, mayReadIdentifiers, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import { currentConsents } from '../consent/consent-state.util.js';
import { ConsentInput, ConsentModel, ConsentRecordModel } from '../consent/consent.model.js';
import { ConsentPurpose } from '../consent/consent.types.js';
import { ConsentsService } from '../consent/consents.service.js';
import { TagModel } from '../tags/tag.model.js';
import { ContactLoaders } from './contact-loaders.js';
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

  @Query(() => ContactModel)
  @RequireRole(Role.ANALYST)
  contact(@Args('id', { type: () => ID }, UuidPipe) id: string): Promise<ContactModel> {
    return this.contacts.get(id);
  }

  @Query(() => ContactModel)
  @RequireRole(Role.ANALYST)
  contactByExternalId(
    @Args('source', new TextPipe(100)) source: string,
    @Args('externalId', new TextPipe(200)) externalId: string,
  ): Promise<ContactModel> {
    return this.contacts.getByExternalId(source, externalId);
  }

  @Query(() => ContactConnectionModel, { name: 'contacts' })
  @RequireRole(Role.ANALYST)
  listContacts(@Args() args: ContactsArgs): Promise<LazyContactConnection> {
    return this.contacts.list(args);
  }

  @Mutation(() => ContactModel)
  @RequireRole(Role.EDITOR)
  createContact(@Args('input') input: CreateContactInput): Promise<ContactModel> {
    return this.contacts.create(input);
  }

  @Mutation(() => ContactModel, { description: 'Changes the fields given; null clears a field.' })
  @RequireRole(Role.EDITOR)
  updateContact(@Args('id', { type: () => ID }, UuidPipe) id: string, @Args('input') input: UpdateContactInput): Promise<ContactModel> {
    return this.contacts.update(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the contact with its consents, tags and external ids.' })
  @RequireRole(Role.EDITOR)
  deleteContact(@Args('id', { type: () => ID }, UuidPipe) id: string): Promise<boolean> {
    return this.contacts.delete(id);
  }

  @Mutation(() => ConsentRecordModel, { description: 'Records a grant or a withdrawal; the latest decides (a withdrawal wins a tie).' })
  @RequireRole(Role.EDITOR)
  recordConsent(@Args('contactId', { type: () => ID }, UuidPipe) contactId: string, @Args('input') input: ConsentInput): Promise<ConsentRecordModel> {
    return this.consents.recordForContact(contactId, input);
  }

  @Mutation(() => BulkUpdateResultModel, { description: 'Adds tags (created when new) to the contacts given by ids or filter.' })
  @RequireRole(Role.EDITOR)
  async tagContacts(@Args('target') target: ContactTargetInput, @Args('tags', { type: () => [String] }, TAG_LIST) tags: string[]): Promise<BulkUpdateResultModel> {
    return { affected: await this.contacts.bulkTag(target, tags, false) };
  }

  @Mutation(() => BulkUpdateResultModel)
  @RequireRole(Role.EDITOR)
  async untagContacts(@Args('target') target: ContactTargetInput, @Args('tags', { type: () => [String] }, TAG_LIST) tags: string[]): Promise<BulkUpdateResultModel> {
    return { affected: await this.contacts.bulkTag(target, tags, true) };
  }

  @ResolveField(() => [TagModel])
  tags(@Parent() contact: ContactModel, @Caller() caller: RequestCaller): Promise<TagModel[]> {
    return this.loaders.tagsOf(caller).load(contact.id);
  }

  @ResolveField(() => [ExternalIdModel])
  externalIds(@Parent() contact: ContactModel, @Caller() caller: RequestCaller): Promise<ExternalIdModel[]> {
    return this.loaders.externalIdsOf(caller).load(contact.id);
  }

  @ResolveField('consents', () => [ConsentModel], { description: 'Current consent for every purpose.' })
  async currentConsents(@Parent() contact: ContactModel, @Caller() caller: RequestCaller): Promise<ConsentModel[]> {
    const records = await this.loaders.consentRecordsOf(caller).load(contact.id);
    return Object.entries(currentConsents(records, new Date())).map(([purpose, snapshot]) => ({ purpose: purpose as ConsentPurpose, ...snapshot }));
  }

  @ResolveField(() => [ConsentRecordModel], { description: 'Every consent record, oldest first.' })
  async consentHistory(
    @Parent() contact: ContactModel,
    @Caller() caller: RequestCaller,
    @Args('purpose', { type: () => ConsentPurpose, nullable: true }) purpose?: ConsentPurpose,
  ): Promise<ConsentRecordModel[]> {
    const records = await this.loaders.consentRecordsOf(caller).load(contact.id);
    const shown = purpose ? records.filter((r) => r.purpose === purpose) : records;
    // proof holds what identifies the person (an IP address, a signed form...): not for ANALYST
    return mayReadIdentifiers(caller.role) ? shown : shown.map((record) => ({ ...record, proof: null }));
  }
}

@Resolver(() => ContactConnectionModel)
export class ContactConnectionResolver {
  constructor(private readonly contacts: ContactsService) {}

  @ResolveField(() => Int)
  totalCount(@Parent() connection: LazyContactConnection, @Caller() caller: RequestCaller): Promise<number> {
    return caller.run(() => this.contacts.count(connection.countFilter));
  }
}
