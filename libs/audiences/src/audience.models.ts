import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { JSONObjectScalar } from '@app/common';
import { ContactFilterInput, ContactModel } from '@app/contacts';
import { AudienceRuleInput } from './rules/audience-rule.input.js';

export enum AudienceKind {
  /** Members are the contacts its rule selects, kept current by jobs. */
  DYNAMIC = 'DYNAMIC',
  /** Members are added and removed by hand (ids, a filter, or a CSV file). */
  STATIC = 'STATIC',
}
registerEnumType(AudienceKind, {
  name: 'AudienceKind',
  description: 'How an audience gets its members.',
  valuesMap: {
    DYNAMIC: { description: 'Members are the contacts its rule selects, kept current by jobs.' },
    STATIC: { description: 'Members are added and removed by hand (ids, a filter, or a CSV file).' },
  },
});

export enum AudienceStatus {
  /** A refresh is pending: created, or its rule changed, and the job has not finished. */
  REFRESHING = 'REFRESHING',
  CURRENT = 'CURRENT',
}
registerEnumType(AudienceStatus, {
  name: 'AudienceStatus',
  description: "Whether an audience's members reflect its rule.",
  valuesMap: {
    REFRESHING: { description: 'A refresh is pending: created, or its rule changed, and the job has not finished.' },
    CURRENT: { description: 'Members are up to date.' },
  },
});

@ObjectType('Audience', { description: 'A named set of contacts, by rule (DYNAMIC) or by hand (STATIC).' })
export class AudienceModel {
  @Field(() => ID, { description: 'The audience id.' }) id!: string;
  @Field({ description: 'Its name.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'What it is for, in words.' }) description!: string | null;
  @Field(() => AudienceKind, { description: 'By rule or by hand.' }) kind!: AudienceKind;
  @Field(() => JSONObjectScalar, {
    nullable: true,
    description:
      'The rule of a DYNAMIC audience, as given (AudienceRuleInput); for the ANALYST role, the values of conditions on EMAIL, PHONE, ADDRESS and BIRTH_DATE read "[redacted]" (text) or null.',
  })
  rule!: Record<string, unknown> | null;
  @Field({
    description:
      'Whether its rule reads the clock ("in the last 30 days", scores, consent expiry): it is then also refreshed daily.',
  })
  timeRelative!: boolean;
  @Field(() => [ID], { description: 'The audiences its rule names.' }) dependsOn!: string[];
  @Field(() => AudienceStatus, { description: 'Whether its members reflect its rule yet.' }) status!: AudienceStatus;
  @Field(() => Date, { nullable: true, description: 'When its rule was last evaluated over every contact (UTC).' })
  refreshedAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'The member who created it.' }) createdBy!: string | null;
  @Field({ description: 'When it was created (UTC).' }) createdAt!: Date;
  @Field({ description: 'When its name, description, rule or (STATIC) members last changed (UTC).' }) updatedAt!: Date;
}

@ObjectType('AudienceSizePoint', { description: 'One refresh that changed the audience, or a full refresh.' })
export class AudienceSizePointModel {
  @Field({ description: 'When (UTC).' }) at!: Date;
  @Field(() => Int, { description: 'Members after it.' }) size!: number;
  @Field(() => Int, { description: 'Contacts that became members.' }) entered!: number;
  @Field(() => Int, { description: 'Contacts that stopped being members.' }) left!: number;
  @Field({
    description:
      'CREATED, RULE_CHANGED, MANUAL, DAILY, DEPENDENCY, CHANGES (contacts changed), MEMBERS_ADDED, MEMBERS_REMOVED.',
  })
  reason!: string;
}

@ObjectType('AudiencePreview', { description: 'What a rule selects now.' })
export class AudiencePreviewModel {
  @Field(() => Int, { description: 'Contacts the rule selects.' }) count!: number;
  @Field(() => [ContactModel], { description: 'Up to 20 of them, by name; without identifiers for the ANALYST role.' })
  sample!: ContactModel[];
}

@ObjectType('AudienceIntersection', { description: 'The contacts common to some audiences.' })
export class AudienceIntersectionModel {
  @Field(() => [ID], { description: 'The audiences.' }) audienceIds!: string[];
  @Field(() => Int, { description: 'Contacts in every one of these audiences.' }) size!: number;
}

@ObjectType('AudienceOverlap', { description: 'How 2 to 5 audiences overlap.' })
export class AudienceOverlapModel {
  @Field(() => [AudienceIntersectionModel], {
    description: 'Each audience alone, then every combination of two or more.',
  })
  intersections!: AudienceIntersectionModel[];
  @Field(() => Int, { description: 'Contacts in at least one of them.' }) union!: number;
}

@InputType({ description: 'A new audience.' })
export class CreateAudienceInput {
  @Field({ description: 'Its name (1 to 200 characters).' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @Field(() => String, { nullable: true, description: 'What it is for, up to 2,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
  @Field(() => AudienceKind, { description: 'By rule or by hand.' }) @IsEnum(AudienceKind) kind!: AudienceKind;
  @Field(() => AudienceRuleInput, { nullable: true, description: 'Required for DYNAMIC, refused for STATIC.' })
  rule?: AudienceRuleInput | null;
}

@InputType({ description: 'Changes to an audience: an absent field is kept.' })
export class UpdateAudienceInput {
  @Field(() => String, { nullable: true, description: 'A new name (1 to 200 characters).' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'A new description, up to 2,000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
  @Field(() => AudienceRuleInput, {
    nullable: true,
    description: 'A new rule (DYNAMIC only): members are refreshed by a job.',
  })
  rule?: AudienceRuleInput | null;
}

@InputType({ description: 'Contacts given by ids, by a filter, or both (then both must hold).' })
export class AudienceMembersTargetInput {
  @Field(() => [ID], { nullable: true, description: 'These contacts (1 to 10,000).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  ids?: string[] | null;
  @Field(() => ContactFilterInput, { nullable: true, description: 'The contacts matching it.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactFilterInput)
  filter?: ContactFilterInput | null;
}

@ArgsType()
export class AudienceOverlapArgs {
  @Field(() => [ID], { description: 'The audiences, 2 to 5.' })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(5)
  @IsUUID('all', { each: true })
  ids!: string[];
}

@ArgsType()
export class AudienceMembersArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Members per page, 1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100)
  first!: number;
  @Field(() => String, {
    nullable: true,
    description: 'The endCursor of the previous page; absent for the first page.',
  })
  @IsOptional()
  @IsString()
  after?: string | null;
}

@ObjectType('AudienceMembersChange', { description: 'What adding or removing members of a STATIC audience did.' })
export class AudienceMembersChangeModel {
  @Field(() => Int, { description: 'Contacts added or removed.' }) affected!: number;
  @Field(() => Int, { description: 'Members after the change.' }) size!: number;
}
