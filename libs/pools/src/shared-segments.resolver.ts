import { Args, ID, Mutation, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { UuidPipe } from '@app/common';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import { PoolModel } from './pool.models.js';
import { ShareAudienceInput, SharedSegmentModel } from './shared-segment.models.js';
import { SharedSegmentsService } from './shared-segments.service.js';

@Resolver(() => PoolModel)
export class SharedSegmentsResolver {
  constructor(private readonly segments: SharedSegmentsService) {}

  @ResolveField(() => [SharedSegmentModel], {
    description:
      'Its catalogue: the live shared segments (not withdrawn, not expired), for an ACTIVE member; empty while invited.',
  })
  sharedSegments(@Parent() pool: PoolModel, @Caller() caller: RequestCaller): Promise<SharedSegmentModel[]> {
    return caller.run(() => this.segments.catalogue(pool.id));
  }

  @Mutation(() => SharedSegmentModel, {
    description:
      'Publishes one of my audiences to a pool my organization is ACTIVE in (OWNER, ADMIN), for one of its purposes: the pool receives pool-scoped fingerprints, never contacts.',
  })
  @RequireRole(Role.ADMIN)
  shareAudience(@Args('input', { description: 'What to share, where, for what.' }) input: ShareAudienceInput) {
    return this.segments.share(input);
  }

  @Mutation(() => Boolean, {
    description: 'Withdraws one of my shares at once (OWNER, ADMIN): its fingerprints leave the pool.',
  })
  @RequireRole(Role.ADMIN)
  unshareAudience(
    @Args('id', { type: () => ID, description: 'The shared segment id.' }, UuidPipe) id: string,
  ): Promise<boolean> {
    return this.segments.unshare(id);
  }
}
