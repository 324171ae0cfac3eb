import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { ContactModel } from '@app/contacts';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import { PoolPurpose } from '../pool.models.js';
import { SharedSegmentModel } from '../shared-segment.models.js';
import { SharedSegmentsService } from '../shared-segments.service.js';
import { ContactProvenanceModel, PoolRevealModel } from './pool-reveal.models.js';
import { PoolRevealsService } from './pool-reveals.service.js';

const revealId = () => Args('id', { type: () => ID, description: 'The reveal id.' }, UuidPipe);

/** The longest reason a refusal may give (the database checks it too). */
const MAX_REASON = 500;

@Resolver(() => PoolRevealModel)
export class PoolRevealsResolver {
  constructor(private readonly reveals: PoolRevealsService) {}

  @Query(() => [PoolRevealModel], {
    description:
      'The reveals of a pool my organization is ACTIVE in that it asked for or decides (as the publisher), newest first (every role); NOT_FOUND for a pool it is not in.',
  })
  @RequireRole(Role.ANALYST)
  poolReveals(
    @Args('poolId', { type: () => ID, description: 'The pool id.' }, UuidPipe) poolId: string,
  ): Promise<PoolRevealModel[]> {
    return this.reveals.list(poolId);
  }

  @Mutation(() => PoolRevealModel, {
    description:
      "Asks for the people of another member's shared segment who consented to partner sharing (EDITOR and up), for the segment's purpose (CROSS_PROMOTION or JOINT_CAMPAIGN; an AUDIENCE_RESEARCH segment is aggregates only). The publisher approves or refuses; a share set to auto-approve approves at once and the copy starts.",
  })
  @RequireRole(Role.EDITOR)
  requestReveal(
    @Args('sharedSegmentId', { type: () => ID, description: 'The shared segment (another member’s).' }, UuidPipe)
    sharedSegmentId: string,
    @Args('purpose', { type: () => PoolPurpose, description: 'What for: the shared segment’s purpose.' })
    purpose: PoolPurpose,
  ): Promise<PoolRevealModel> {
    return this.reveals.request(sharedSegmentId, purpose);
  }

  @Mutation(() => PoolRevealModel, {
    description:
      "Approves a reveal of one of my shared segments (the publisher's OWNER, ADMIN): a job of the requester copies its people whose PARTNER_SHARING consent is granted here, and no one else.",
  })
  @RequireRole(Role.ADMIN)
  approveReveal(@revealId() id: string): Promise<PoolRevealModel> {
    return this.reveals.approve(id);
  }

  @Mutation(() => PoolRevealModel, {
    description:
      "Refuses a reveal of one of my shared segments (the publisher's OWNER, ADMIN), with a reason if given.",
  })
  @RequireRole(Role.ADMIN)
  refuseReveal(
    @revealId() id: string,
    @Args('reason', {
      type: () => String,
      nullable: true,
      description: `Why, for the requester (up to ${MAX_REASON} characters).`,
    })
    reason: string | null,
  ): Promise<PoolRevealModel> {
    return this.reveals.refuse(id, reason ?? null);
  }

  @Mutation(() => PoolRevealModel, {
    description: 'Withdraws a reveal my organization asked for, before it is copied (EDITOR and up).',
  })
  @RequireRole(Role.EDITOR)
  cancelReveal(@revealId() id: string): Promise<PoolRevealModel> {
    return this.reveals.cancel(id);
  }

  @Mutation(() => PoolRevealModel, {
    description:
      'Starts the copy of an approved reveal my organization asked for again (EDITOR and up): when its job run failed, or never started. CONFLICT once copied.',
  })
  @RequireRole(Role.EDITOR)
  copyReveal(@revealId() id: string): Promise<PoolRevealModel> {
    return this.reveals.copy(id);
  }
}

@Resolver(() => SharedSegmentModel)
export class SharedSegmentRevealsResolver {
  constructor(
    private readonly reveals: PoolRevealsService,
    private readonly segments: SharedSegmentsService,
  ) {}

  @ResolveField(() => Boolean, {
    nullable: true,
    description: "Whether reveals of it are approved at once (auto-approve); null for another organization's share.",
  })
  async autoApprove(@Parent() segment: SharedSegmentModel, @Caller() caller: RequestCaller): Promise<boolean | null> {
    if (!segment.isMine) return null;
    const loader = caller.loader('pools.autoApprove', async (ids: readonly string[]) => {
      const byId = await this.reveals.autoApprove(ids);
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(segment.id);
  }

  @Mutation(() => SharedSegmentModel, {
    description:
      'Sets whether reveals of one of my live shares are approved at once (OWNER, ADMIN); requests already waiting are not.',
  })
  @RequireRole(Role.ADMIN)
  async setSharedSegmentAutoApprove(
    @Args('id', { type: () => ID, description: 'The shared segment id (mine).' }, UuidPipe) id: string,
    @Args('autoApprove', { description: 'Approve new reveals at once.' }) autoApprove: boolean,
  ): Promise<SharedSegmentModel> {
    await this.reveals.setAutoApprove(id, autoApprove);
    return this.segments.get(id);
  }
}

@Resolver(() => ContactModel)
export class ContactProvenanceResolver {
  constructor(private readonly reveals: PoolRevealsService) {}

  @ResolveField(() => [ContactProvenanceModel], {
    description:
      'Where the contact came from outside my organization: the pool reveals that copied it (or found it already here), oldest first.',
  })
  provenance(@Parent() contact: ContactModel, @Caller() caller: RequestCaller): Promise<ContactProvenanceModel[]> {
    const loader = caller.loader('pools.provenance', async (ids: readonly string[]) => {
      const byContact = await this.reveals.provenance(ids);
      return ids.map((id) => byContact.get(id) ?? []);
    });
    return loader.load(contact.id);
  }
}
