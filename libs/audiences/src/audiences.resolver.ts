import { Injectable } from '@nestjs/common';
import { Args, ID, Info, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type DataLoader from 'dataloader';
import { selectedFields, UuidPipe } from '@app/common';
import { ContactConnectionModel, type LazyContactConnection } from '@app/contacts';
import { JobRunModel } from '@app/jobs';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import {
  AudienceMembersArgs,
  AudienceMembersChangeModel,
  AudienceMembersTargetInput,
  AudienceModel,
  AudienceOverlapArgs,
  AudienceOverlapModel,
  AudiencePreviewModel,
  AudienceSizePointModel,
  CreateAudienceInput,
  UpdateAudienceInput,
} from './audience.models.js';
import { AudiencesService } from './audiences.service.js';
import { AudienceRuleInput } from './rules/audience-rule.input.js';

/** Audience.size for a whole list in one query, per request. */
@Injectable()
export class AudienceLoaders {
  constructor(private readonly audiences: AudiencesService) {}

  sizes(caller: RequestCaller): DataLoader<string, number> {
    return caller.loader('audiences.sizes', async (ids: readonly string[]) => {
      const sizes = await this.audiences.sizes(ids);
      return ids.map((id) => sizes.get(id) ?? 0);
    });
  }
}

@Resolver(() => AudienceModel)
export class AudiencesResolver {
  constructor(
    private readonly audiences: AudiencesService,
    private readonly loaders: AudienceLoaders,
  ) {}

  @Query(() => [AudienceModel], {
    name: 'audiences',
    description: 'Every audience of the organization, by name (every role).',
  })
  @RequireRole(Role.ANALYST)
  listAudiences(): Promise<AudienceModel[]> {
    return this.audiences.list();
  }

  @Query(() => AudienceModel, { description: 'One audience by id (every role).' })
  @RequireRole(Role.ANALYST)
  audience(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
  ): Promise<AudienceModel> {
    return this.audiences.get(id);
  }

  @Query(() => AudiencePreviewModel, {
    description:
      'How many contacts a rule selects now, with up to 20 of them; nothing is saved (every role; ANALYST rules may not test identifiers).',
  })
  @RequireRole(Role.ANALYST)
  previewAudience(
    @Args('rule', { type: () => AudienceRuleInput, description: 'The rule to evaluate.' }) rule: AudienceRuleInput,
  ): Promise<AudiencePreviewModel> {
    return this.audiences.preview(rule);
  }

  @Query(() => AudienceOverlapModel, { description: 'Intersection sizes of 2 to 5 audiences (every role).' })
  @RequireRole(Role.ANALYST)
  audienceOverlap(@Args() args: AudienceOverlapArgs): Promise<AudienceOverlapModel> {
    return this.audiences.overlap(args.ids.map((id) => id.toLowerCase()));
  }

  @Mutation(() => AudienceModel, {
    description:
      'Creates an audience (EDITOR and up); a DYNAMIC one is materialized by a job: status is REFRESHING until it ends.',
  })
  @RequireRole(Role.EDITOR)
  createAudience(
    @Args('input', { description: 'Name, description, kind and rule.' }) input: CreateAudienceInput,
  ): Promise<AudienceModel> {
    return this.audiences.create(input);
  }

  @Mutation(() => AudienceModel, {
    description: 'Changes an audience (EDITOR and up); a new rule is materialized by a job.',
  })
  @RequireRole(Role.EDITOR)
  updateAudience(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
    @Args('input', { description: 'The fields to change.' }) input: UpdateAudienceInput,
  ): Promise<AudienceModel> {
    return this.audiences.update(id, input);
  }

  @Mutation(() => Boolean, {
    description: "Deletes an audience (EDITOR and up); refused (CONFLICT) while another audience's rule names it.",
  })
  @RequireRole(Role.EDITOR)
  deleteAudience(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
  ): Promise<boolean> {
    return this.audiences.delete(id);
  }

  @Mutation(() => JobRunModel, {
    description:
      'Re-evaluates a DYNAMIC audience over every contact (and the audiences that name it), as a job (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  refreshAudience(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
  ): Promise<JobRunModel> {
    return this.audiences.refresh(id);
  }

  @Mutation(() => AudienceMembersChangeModel, { description: 'Adds contacts to a STATIC audience (EDITOR and up).' })
  @RequireRole(Role.EDITOR)
  addAudienceMembers(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
    @Args('target', { description: 'The contacts to add.' }) target: AudienceMembersTargetInput,
  ): Promise<AudienceMembersChangeModel> {
    return this.audiences.addMembers(id, target);
  }

  @Mutation(() => AudienceMembersChangeModel, {
    description: 'Removes contacts from a STATIC audience (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  removeAudienceMembers(
    @Args('id', { type: () => ID, description: 'The audience id.' }, UuidPipe) id: string,
    @Args('target', { description: 'The contacts to remove.' }) target: AudienceMembersTargetInput,
  ): Promise<AudienceMembersChangeModel> {
    return this.audiences.removeMembers(id, target);
  }

  @ResolveField(() => Int, { description: 'Its members now.' })
  size(@Parent() audience: AudienceModel, @Caller() caller: RequestCaller): Promise<number> {
    return this.loaders.sizes(caller).load(audience.id);
  }

  @ResolveField(() => [AudienceSizePointModel], {
    description: 'Size after each refresh that changed it, and after each full refresh; oldest first.',
  })
  sizeHistory(@Parent() audience: AudienceModel, @Caller() caller: RequestCaller): Promise<AudienceSizePointModel[]> {
    return caller.run(() => this.audiences.sizeHistory(audience.id));
  }

  @ResolveField(() => ContactConnectionModel, {
    description:
      'By name; without identifiers for the ANALYST role. Export them with startExport(filter: {audiences: [id]}).',
  })
  members(
    @Parent() audience: AudienceModel,
    @Args() args: AudienceMembersArgs,
    @Caller() caller: RequestCaller,
    @Info() info: GraphQLResolveInfo,
  ): Promise<LazyContactConnection> {
    const fields = selectedFields(info, ['edges', 'node']);
    return caller.run(() => this.audiences.members(audience.id, args.first, args.after, fields));
  }
}
