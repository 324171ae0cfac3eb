import { Args, Field, ID, InputType, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IsEmail, IsEnum, IsOptional, MaxLength } from 'class-validator';
import { UuidPipe } from '@app/common';
import { RequireRole } from '../auth/auth.decorators.js';
import { Role } from '../auth/role.enum.js';
import { MemberModel } from './member.model.js';
import { MembersService } from './members.service.js';

@InputType({ description: 'A member to add, by email address.' })
export class AddMemberInput {
  @Field({ description: "The user's email address (compared lowercased); a user is created when none has it." })
  @IsEmail()
  @MaxLength(320)
  email!: string;
  @Field(() => String, {
    nullable: true,
    description: "This organization's name for the member, up to 200 characters.",
  })
  @IsOptional()
  @MaxLength(200)
  name?: string | null;
  @Field(() => Role, { description: 'The role to give; only an OWNER grants OWNER.' }) @IsEnum(Role) role!: Role;
}

@Resolver(() => MemberModel)
export class MembersResolver {
  constructor(private readonly members: MembersService) {}

  @Query(() => [MemberModel], {
    name: 'members',
    description: 'The members of the organization, by email (ADMIN and up).',
  })
  @RequireRole(Role.ADMIN)
  listMembers(): Promise<MemberModel[]> {
    return this.members.list();
  }

  @Mutation(() => MemberModel, { description: 'Adds a user (created if new) to the organization (ADMIN and up).' })
  @RequireRole(Role.ADMIN)
  addMember(@Args('input', { description: 'Email, name and role.' }) input: AddMemberInput): Promise<MemberModel> {
    return this.members.add(input.email, input.name ?? null, input.role);
  }

  @Mutation(() => MemberModel, {
    description:
      "Changes a member's role (ADMIN and up; only an OWNER grants or takes OWNER, and one OWNER always remains).",
  })
  @RequireRole(Role.ADMIN)
  changeMemberRole(
    @Args('userId', { type: () => ID, description: "The member's user id." }, UuidPipe) userId: string,
    @Args('role', { type: () => Role, description: 'The new role.' }) role: Role,
  ): Promise<MemberModel> {
    return this.members.changeRole(userId, role);
  }

  @Mutation(() => MemberModel, {
    description: 'Removes the member and revokes their API keys (ADMIN and up; the last OWNER stays).',
  })
  @RequireRole(Role.ADMIN)
  removeMember(
    @Args('userId', { type: () => ID, description: "The member's user id." }, UuidPipe) userId: string,
  ): Promise<MemberModel> {
    return this.members.remove(userId);
  }
}
