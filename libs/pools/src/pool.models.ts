import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { INPUT_LIMITS } from '@app/common';

/** The smallest k (minGroupSize) a pool or a member may set. */
export const POOL_MIN_GROUP_SIZE = 5;

export enum PoolPurpose {
  AUDIENCE_RESEARCH = 'AUDIENCE_RESEARCH',
  CROSS_PROMOTION = 'CROSS_PROMOTION',
  JOINT_CAMPAIGN = 'JOINT_CAMPAIGN',
}
registerEnumType(PoolPurpose, {
  name: 'PoolPurpose',
  description: 'What the members of a pool may do with what is shared in it.',
  valuesMap: {
    AUDIENCE_RESEARCH: { description: 'Aggregates only: sizes, overlaps, breakdowns, benchmarks.' },
    CROSS_PROMOTION: { description: "Members may promote to each other's shared audiences." },
    JOINT_CAMPAIGN: { description: 'Members run campaigns together.' },
  },
});

export enum PoolMemberRole {
  STEWARD = 'STEWARD',
  MEMBER = 'MEMBER',
}
registerEnumType(PoolMemberRole, {
  name: 'PoolMemberRole',
  description: "An organization's part in a pool.",
  valuesMap: {
    STEWARD: { description: 'Created the pool: invites, removes members, changes its terms.' },
    MEMBER: { description: 'Invited by the steward.' },
  },
});

export enum PoolMembershipStatus {
  INVITED = 'INVITED',
  ACTIVE = 'ACTIVE',
  DECLINED = 'DECLINED',
  LEFT = 'LEFT',
  REMOVED = 'REMOVED',
}
registerEnumType(PoolMembershipStatus, {
  name: 'PoolMembershipStatus',
  description: 'Where an organization stands in a pool.',
  valuesMap: {
    INVITED: { description: 'Invited; an OWNER or ADMIN may accept or decline.' },
    ACTIVE: { description: 'Accepted the invitation (or created the pool).' },
    DECLINED: { description: 'Declined the invitation.' },
    LEFT: { description: 'Left the pool.' },
    REMOVED: { description: 'Removed by the steward (or its invitation withdrawn).' },
  },
});

@ObjectType('PoolAgreement', { description: 'What an organization agreed to when it joined a pool.' })
export class PoolAgreementModel {
  @Field(() => [PoolPurpose], { description: "The pool's purposes then." }) purposes!: PoolPurpose[];
  @Field(() => Int, { description: "The pool's minGroupSize (k) then." }) minGroupSize!: number;
  @Field(() => Int, { description: "The version of the pool's terms accepted." }) termsVersion!: number;
  @Field({ description: 'When it was accepted (UTC).' }) acceptedAt!: Date;
  @Field(() => ID, { nullable: true, description: 'The member (user) who accepted; null for a system action.' })
  acceptedBy!: string | null;
}

@ObjectType('PoolMembership', { description: "My organization's membership in a pool." })
export class PoolMembershipModel {
  @Field(() => ID, { description: 'The pool id.' }) poolId!: string;
  @Field(() => PoolMemberRole, { description: 'Steward or member.' }) role!: PoolMemberRole;
  @Field(() => PoolMembershipStatus, { description: 'Invited, active, or no longer in it.' })
  status!: PoolMembershipStatus;
  @Field({ description: 'When my organization was (last) invited (UTC).' }) invitedAt!: Date;
  @Field(() => Int, {
    nullable: true,
    description: "The k my organization set for its own data (at least the pool's); null for the pool's.",
  })
  ownMinGroupSize!: number | null;
  @Field(() => PoolAgreementModel, { nullable: true, description: 'What was accepted; null until accepted.' })
  agreement!: PoolAgreementModel | null;
  @Field(() => Date, { nullable: true, description: 'When my organization left or was removed (UTC).' })
  leftAt!: Date | null;
}

@ObjectType('PoolMember', { description: 'A member of a pool, by organization name only.' })
export class PoolMemberModel {
  @Field({ description: "The organization's name." }) organizationName!: string;
  @Field(() => PoolMemberRole, { description: 'Steward or member.' }) role!: PoolMemberRole;
  @Field(() => PoolMembershipStatus, { description: 'INVITED or ACTIVE.' }) status!: PoolMembershipStatus;
  @Field({ description: 'Since when: accepted (ACTIVE) or invited (INVITED), UTC.' }) since!: Date;
  @Field({ description: 'Whether it is my organization.' }) isMine!: boolean;
}

@ObjectType('Pool', {
  description: 'Organizations pooling audiences. Visible to the organizations invited to it or active in it only.',
})
export class PoolModel {
  @Field(() => ID, { description: 'The pool id.' }) id!: string;
  @Field({ description: 'Its name.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'What it is for, in words.' }) description!: string | null;
  @Field(() => [PoolPurpose], { description: 'What members may do with what is shared in it.' })
  purposes!: PoolPurpose[];
  @Field(() => Int, {
    description: 'The smallest group an aggregate may count (k, at least 5); a member may raise it for its own data.',
  })
  minGroupSize!: number;
  @Field(() => Int, { description: 'Version of its terms (purposes and k): each change makes a new one.' })
  termsVersion!: number;
  @Field({ description: 'Whether it has no steward left: no invitation or change, members may still leave.' })
  frozen!: boolean;
  @Field(() => Date, { nullable: true, description: 'When it was frozen (UTC).' }) frozenAt!: Date | null;
  @Field({ description: 'When it was created (UTC).' }) createdAt!: Date;
  /** Resolved by field: the member list (through the broker). */
  stewardName?: string | null;
  members?: PoolMemberModel[];
  @Field(() => PoolMembershipModel, { description: "My organization's membership: status, agreement, own k." })
  myMembership!: PoolMembershipModel;
}

@InputType({ description: 'A new pool: my organization becomes its steward.' })
export class CreatePoolInput {
  @Field({ description: 'Its name (1 to 200 characters).' })
  @IsString()
  @MinLength(1)
  @MaxLength(INPUT_LIMITS.poolName)
  name!: string;
  @Field(() => String, { nullable: true, description: 'What it is for, up to 2,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.poolDescription)
  description?: string | null;
  @Field(() => [PoolPurpose], { description: 'What members may do: 1 to 3 distinct purposes.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(INPUT_LIMITS.poolPurposes)
  @ArrayUnique()
  @IsEnum(PoolPurpose, { each: true })
  purposes!: PoolPurpose[];
  @Field(() => Int, {
    defaultValue: 10,
    description: 'The smallest group an aggregate may count (k): at least 5, default 10.',
  })
  @IsInt()
  @Min(POOL_MIN_GROUP_SIZE)
  minGroupSize!: number;
}

@InputType({ description: "Changes to a pool's name, description or terms: an absent field is kept." })
export class UpdatePoolInput {
  @Field(() => String, { nullable: true, description: 'A new name (1 to 200 characters).' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(INPUT_LIMITS.poolName)
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'A new description, up to 2,000 characters ("" clears it).' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.poolDescription)
  description?: string | null;
  @Field(() => [PoolPurpose], {
    nullable: true,
    description: 'New purposes (1 to 3 distinct): a change makes a new terms version.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(INPUT_LIMITS.poolPurposes)
  @ArrayUnique()
  @IsEnum(PoolPurpose, { each: true })
  purposes?: PoolPurpose[] | null;
  @Field(() => Int, { nullable: true, description: 'A new k (at least 5): a change makes a new terms version.' })
  @IsOptional()
  @IsInt()
  @Min(POOL_MIN_GROUP_SIZE)
  minGroupSize?: number | null;
}
