import { Args, Field, ID, InputType, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsEmail, IsEnum, IsOptional, MaxLength } from 'class-validator';
import { UuidPipe } from '@app/common';
import { RequireRole } from '../auth/auth.decorators.js';
import { Role } from '../auth/role.enum.js';
import { MemberModel } from './member.model.js';
import { MembersService } from './members.service.js';

@InputType()
export class AddMemberInput {
  @Field() @IsEmail() @MaxLength(320) email!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) name?: string | null;
  @Field(() => Role) @IsEnum(Role) role!: Role;
}

@Resolver(() => MemberModel)
export class MembersResolver {
  constructor(private readonly members: MembersService) {}

  @Query(() => [MemberModel], { name: 'members' })
  @RequireRole(Role.ADMIN)
  listMembers(): Promise<MemberModel[]> {
    return this.members.list();
  }

  @Mutation(() => MemberModel, { description: 'Adds a user (created if new) to the organization.' })
  @RequireRole(Role.ADMIN)
  addMember(@Args('input') input: AddMemberInput): Promise<MemberModel> {
    return this.members.add(input.email, input.name ?? null, input.role);
  }

  @Mutation(() => MemberModel)
  @RequireRole(Role.ADMIN)
  changeMemberRole(@Args('userId', { type: () => ID }, UuidPipe) userId: string, @Args('role', { type: () => Role }) role: Role): Promise<MemberModel> {
    return this.members.changeRole(userId, role);
  }

  @Mutation(() => MemberModel, { description: 'Removes the member and revokes their API keys.' })
  @RequireRole(Role.ADMIN)
  removeMember(@Args('userId', { type: () => ID }, UuidPipe) userId: string): Promise<MemberModel> {
    return this.members.remove(userId);
  }
}
