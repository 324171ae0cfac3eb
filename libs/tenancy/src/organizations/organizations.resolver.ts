import { Args, Field, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { TextPipe } from '@app/common';
import { RequireRole } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth-context.js';
import { CurrentAuth } from '../auth/current-auth.decorator.js';
import { Role } from '../auth/role.enum.js';
import { MemberModel } from '../members/member.model.js';
import { MembersService } from '../members/members.service.js';
import { OrganizationModel } from './organization.model.js';
import { OrganizationsService } from './organizations.service.js';

@ObjectType('Viewer', { description: 'Who the API key belongs to.' })
export class ViewerModel {
  @Field(() => MemberModel, { description: 'The member the key acts as.' }) member!: MemberModel;
  @Field(() => OrganizationModel, { description: 'The organization of the key.' }) organization!: OrganizationModel;
}

@Resolver()
export class OrganizationsResolver {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly members: MembersService,
  ) {}

  @Query(() => OrganizationModel, { description: 'The organization of the API key (every role).' })
  @RequireRole(Role.ANALYST)
  organization(): Promise<OrganizationModel> {
    return this.organizations.current();
  }

  @Query(() => ViewerModel, { description: 'The member and organization of the API key (every role).' })
  @RequireRole(Role.ANALYST)
  async me(@CurrentAuth() auth: AuthContext): Promise<ViewerModel> {
    return { member: await this.members.get(auth.userId), organization: await this.organizations.current() };
  }

  @Mutation(() => OrganizationModel, { description: 'Renames the organization (OWNER only).' })
  @RequireRole(Role.OWNER)
  renameOrganization(
    @Args('name', { description: 'The new name, up to 200 characters.' }, new TextPipe(200)) name: string,
  ): Promise<OrganizationModel> {
    return this.organizations.rename(name);
  }
}
