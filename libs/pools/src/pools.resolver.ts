import { Injectable } from '@nestjs/common';
import { Args, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type DataLoader from 'dataloader';
import { UuidPipe } from '@app/common';
import { Caller, type RequestCaller, RequireRole, Role } from '@app/tenancy';
import {
  CreatePoolInput,
  PoolMemberModel,
  PoolMembershipModel,
  PoolMemberRole,
  PoolMembershipStatus,
  PoolModel,
  UpdatePoolInput,
} from './pool.models.js';
import { PoolsService } from './pools.service.js';

/** Pool.members for a whole list of pools in one query, per request. */
@Injectable()
export class PoolLoaders {
  constructor(private readonly pools: PoolsService) {}

  members(caller: RequestCaller): DataLoader<string, PoolMemberModel[]> {
    return caller.loader('pools.members', async (ids: readonly string[]) => {
      const members = await this.pools.members(ids);
      return ids.map((id) => members.get(id) ?? []);
    });
  }
}

const poolId = () => Args('poolId', { type: () => ID, description: 'The pool id.' }, UuidPipe);
const organizationId = () =>
  Args(
    'organizationId',
    { type: () => ID, description: "The other organization's id (its `me.organization.id`)." },
    UuidPipe,
  );

@Resolver(() => PoolModel)
export class PoolsResolver {
  constructor(
    private readonly pools: PoolsService,
    private readonly loaders: PoolLoaders,
  ) {}

  @Query(() => [PoolModel], {
    name: 'pools',
    description: 'The pools my organization is invited to or active in, by name (every role).',
  })
  @RequireRole(Role.ANALYST)
  listPools(): Promise<PoolModel[]> {
    return this.pools.list();
  }

  @Query(() => PoolModel, {
    description: 'One pool my organization is invited to or active in (every role); NOT_FOUND for any other.',
  })
  @RequireRole(Role.ANALYST)
  pool(@Args('id', { type: () => ID, description: 'The pool id.' }, UuidPipe) id: string): Promise<PoolModel> {
    return this.pools.get(id);
  }

  @ResolveField(() => [PoolMemberModel], {
    description: 'Its invited and active members, by organization name only (steward first).',
  })
  members(@Parent() pool: PoolModel, @Caller() caller: RequestCaller): Promise<PoolMemberModel[]> {
    return this.loaders.members(caller).load(pool.id);
  }

  @ResolveField(() => String, { nullable: true, description: "Its steward organization's name; null when frozen." })
  async stewardName(@Parent() pool: PoolModel, @Caller() caller: RequestCaller): Promise<string | null> {
    const members = await this.loaders.members(caller).load(pool.id);
    return (
      members.find((m) => m.role === PoolMemberRole.STEWARD && m.status === PoolMembershipStatus.ACTIVE)
        ?.organizationName ?? null
    );
  }

  @Mutation(() => PoolModel, {
    description: 'Creates a pool (OWNER, ADMIN): my organization is its steward, and an ACTIVE member with its terms.',
  })
  @RequireRole(Role.ADMIN)
  createPool(@Args('input', { description: 'The new pool.' }) input: CreatePoolInput): Promise<PoolModel> {
    return this.pools.create(input);
  }

  @Mutation(() => PoolModel, {
    description:
      "Changes a pool's name, description or terms (the steward's OWNER, ADMIN); a new purpose list or k makes a new terms version.",
  })
  @RequireRole(Role.ADMIN)
  updatePool(
    @Args('id', { type: () => ID, description: 'The pool id.' }, UuidPipe) id: string,
    @Args('input', { description: 'The changes.' }) input: UpdatePoolInput,
  ): Promise<PoolModel> {
    return this.pools.update(id, input);
  }

  @Mutation(() => PoolModel, {
    description:
      "Invites an organization, named by its id (the steward's OWNER, ADMIN); one that declined, left or was removed may be invited again.",
  })
  @RequireRole(Role.ADMIN)
  invitePoolMember(@poolId() pool: string, @organizationId() organization: string): Promise<PoolModel> {
    return this.pools.invite(pool, organization);
  }

  @Mutation(() => PoolModel, {
    description:
      "Removes another organization from the pool or withdraws its invitation (the steward's OWNER, ADMIN); the steward itself leaves with leavePool.",
  })
  @RequireRole(Role.ADMIN)
  removePoolMember(@poolId() pool: string, @organizationId() organization: string): Promise<PoolModel> {
    return this.pools.removeMember(pool, organization);
  }

  @Mutation(() => PoolModel, {
    description:
      "Accepts my organization's invitation (OWNER, ADMIN), recording the agreement: the pool's purposes, k and terms version, who and when.",
  })
  @RequireRole(Role.ADMIN)
  acceptPoolInvitation(
    @poolId() pool: string,
    @Args('termsVersion', {
      type: () => Int,
      nullable: true,
      description: "The terms version read (pool.termsVersion): CONFLICT if the pool's terms changed since.",
    })
    termsVersion: number | null,
  ): Promise<PoolModel> {
    return this.pools.accept(pool, termsVersion ?? null);
  }

  @Mutation(() => PoolMembershipModel, {
    description: "Declines my organization's invitation (OWNER, ADMIN): the pool is no longer visible.",
  })
  @RequireRole(Role.ADMIN)
  declinePoolInvitation(@poolId() pool: string): Promise<PoolMembershipModel> {
    return this.pools.decline(pool);
  }

  @Mutation(() => PoolMembershipModel, {
    description:
      'My organization leaves a pool (OWNER, ADMIN): the pool is no longer visible; the last steward leaving freezes it.',
  })
  @RequireRole(Role.ADMIN)
  leavePool(@poolId() pool: string): Promise<PoolMembershipModel> {
    return this.pools.leave(pool);
  }

  @Mutation(() => PoolModel, {
    description:
      "Sets the k of my organization's data in a pool (OWNER, ADMIN): at least the pool's, or null for the pool's. An aggregate uses the largest k among its contributing members.",
  })
  @RequireRole(Role.ADMIN)
  setPoolMinGroupSize(
    @poolId() pool: string,
    @Args('minGroupSize', {
      type: () => Int,
      nullable: true,
      description: "My organization's k (at least 5 and the pool's); null for the pool's.",
    })
    minGroupSize: number | null,
  ): Promise<PoolModel> {
    return this.pools.setOwnMinGroupSize(pool, minGroupSize ?? null);
  }
}
