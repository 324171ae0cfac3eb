import { Injectable } from '@nestjs/common';
import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type DataLoader from 'dataloader';
import { ContactModel } from '@app/contacts';
import { TenantDb } from '@app/database';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import { ContactEngagementModel, summarize } from './contact-engagement.js';
import {
  InteractionConnectionModel,
  InteractionInput,
  InteractionsArgs,
  InteractionTermInput,
  InteractionTermModel,
  MAX_INTERACTIONS_PER_CALL,
  RecordInteractionsResultModel,
} from './interaction.models.js';
import { InteractionsService } from './interactions.service.js';

@Resolver()
export class InteractionsResolver {
  constructor(private readonly interactions: InteractionsService) {}

  @Mutation(() => RecordInteractionsResultModel, {
    description:
      `Records up to ${MAX_INTERACTIONS_PER_CALL} interactions. Each item is accepted, a duplicate (its source + externalId were recorded ` +
      'before: nothing changes) or rejected with the field and the reason; the others are recorded anyway. EMAIL_UNSUBSCRIBED ' +
      'withdraws email-marketing consent; EMAIL_BOUNCED (unless attributes.bounceType is "soft") makes the address undeliverable. EDITOR and up.',
  })
  @RequireRole(Role.EDITOR)
  recordInteractions(
    @Args('input', {
      type: () => [InteractionInput],
      description: `The interactions, at most ${MAX_INTERACTIONS_PER_CALL}.`,
    })
    input: InteractionInput[],
  ): Promise<RecordInteractionsResultModel> {
    return this.interactions.record(input);
  }

  @Query(() => [InteractionTermModel], {
    description: 'Interaction types and disciplines: built in and the organization’s own (every role).',
  })
  @RequireRole(Role.ANALYST)
  interactionTerms(): Promise<InteractionTermModel[]> {
    return this.interactions.terms();
  }

  @Mutation(() => InteractionTermModel, {
    description: 'Adds an interaction type or a discipline, or renames one the organization defined (ADMIN and up).',
  })
  @RequireRole(Role.ADMIN)
  defineInteractionTerm(
    @Args('input', { description: 'Kind, key and label.' }) input: InteractionTermInput,
  ): Promise<InteractionTermModel> {
    return this.interactions.defineTerm(input);
  }
}

/** Per-request DataLoader of engagement summaries: one statement for a page of contacts. */
@Injectable()
export class EngagementLoaders {
  constructor(
    private readonly db: TenantDb,
    private readonly interactions: InteractionsService,
  ) {}

  for(caller: RequestCaller): DataLoader<string, ContactEngagementModel> {
    return caller.loader('engagement.summaries', async (ids: readonly string[]) => {
      const rows = await this.db.transaction((tx) => this.interactions.typeAggregates(tx, ids));
      const byContact = new Map<string, typeof rows>();
      for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row]);
      const now = new Date();
      return ids.map((id) => summarize(byContact.get(id) ?? [], now));
    });
  }
}

@Resolver(() => ContactModel)
export class ContactEngagementResolver {
  constructor(
    private readonly service: InteractionsService,
    private readonly loaders: EngagementLoaders,
  ) {}

  @ResolveField(() => InteractionConnectionModel, { description: "The contact's interactions, latest first." })
  interactions(
    @Parent() contact: ContactModel,
    @Caller() caller: RequestCaller,
    @Args() args: InteractionsArgs,
  ): Promise<InteractionConnectionModel> {
    return caller.run(() => this.service.timeline(contact.id, args));
  }

  @ResolveField(() => ContactEngagementModel, {
    description: "A summary of the contact's interactions, with RFM scores.",
  })
  engagement(@Parent() contact: ContactModel, @Caller() caller: RequestCaller): Promise<ContactEngagementModel> {
    return this.loaders.for(caller).load(contact.id);
  }
}
