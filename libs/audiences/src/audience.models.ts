import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { JSONObjectScalar } from '@app/common';
import { ContactFilterInput, ContactModel } from '@app/contacts';
import { AudienceRuleInput } from './rules/audience-rule.input.js';

export enum AudienceKind {
  /** Members are the contacts its rule selects, kept current by jobs. */
  DYNAMIC = 'DYNAMIC',
  /** Members are added and removed by hand (ids, a filter, or a CSV file). */
  STATIC = 'STATIC',
}
registerEnumType(AudienceKind, { name: 'AudienceKind' });

export enum AudienceStatus {
  /** A refresh is pending: created, or its rule changed, and the job has not finished. */
  REFRESHING = 'REFRESHING',
  CURRENT = 'CURRENT',
}
registerEnumType(AudienceStatus, { name: 'AudienceStatus' });

@ObjectType('Audience')
export class AudienceModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => AudienceKind) kind!: AudienceKind;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'The rule of a DYNAMIC audience, as given (AudienceRuleInput); for the ANALYST role, the values of conditions on EMAIL, PHONE, ADDRESS and BIRTH_DATE read "[redacted]" (text) or null.' })
  rule!: Record<string, unknown> | null;
  @Field({ description: 'Whether its rule reads the clock ("in the last 30 days", scores, consent expiry): it is then also refreshed daily.' })
  timeRelative!: boolean;
  @Field(() => [ID], { description: 'The audiences its rule names.' }) dependsOn!: string[];
  @Field(() => AudienceStatus) status!: AudienceStatus;
  @Field(() => Date, { nullable: true, description: 'When its rule was last evaluated over every contact.' }) refreshedAt!: Date | null;
  @Field(() => ID, { nullable: true }) createdBy!: string | null;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('AudienceSizePoint', { description: 'One refresh that changed the audience, or a full refresh.' })
export class AudienceSizePointModel {
  @Field() at!: Date;
  @Field(() => Int) size!: number;
  @Field(() => Int) entered!: number;
  @Field(() => Int) left!: number;
  @Field({ description: 'CREATED, RULE_CHANGED, MANUAL, DAILY, DEPENDENCY, CHANGES (contacts changed), MEMBERS_ADDED, MEMBERS_REMOVED.' }) reason!: string;
}

@ObjectType('AudiencePreview')
export class AudiencePreviewModel {
  @Field(() => Int) count!: number;
  @Field(() => [ContactModel], { description: 'Up to 20 of them.' }) sample!: ContactModel[];
}

@ObjectType('AudienceIntersection')
export class AudienceIntersectionModel {
  @Field(() => [ID]) audienceIds!: string[];
  @Field(() => Int, { description: 'Contacts in every one of these audiences.' }) size!: number;
}

@ObjectType('AudienceOverlap')
export class AudienceOverlapModel {
  @Field(() => [AudienceIntersectionModel], { description: 'Each audience alone, then every combination of two or more.' })
  intersections!: AudienceIntersectionModel[];
  @Field(() => Int, { description: 'Contacts in at least one of them.' }) union!: number;
}

@InputType()
export class CreateAudienceInput {
  @Field() @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @Field(() => AudienceKind) @IsEnum(AudienceKind) kind!: AudienceKind;
  @Field(() => AudienceRuleInput, { nullable: true, description: 'Required for DYNAMIC, refused for STATIC.' }) rule?: AudienceRuleInput | null;
}

@InputType()
export class UpdateAudienceInput {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) name?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2000) description?: string | null;
  @Field(() => AudienceRuleInput, { nullable: true, description: 'A new rule (DYNAMIC only): members are refreshed by a job.' }) rule?: AudienceRuleInput | null;
}

@InputType({ description: 'Contacts given by ids, by a filter, or both (then both must hold).' })
export class AudienceMembersTargetInput {
  @Field(() => [ID], { nullable: true })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(10_000) @IsUUID('all', { each: true }) ids?: string[] | null;
  @Field(() => ContactFilterInput, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => ContactFilterInput) filter?: ContactFilterInput | null;
}

@ArgsType()
export class AudienceOverlapArgs {
  @Field(() => [ID]) @IsArray() @ArrayMinSize(2) @ArrayMaxSize(5) @IsUUID('all', { each: true }) ids!: string[];
}

@ArgsType()
export class AudienceMembersArgs {
  @Field(() => Int, { defaultValue: 20 }) @IsInt() @Min(1) @Max(100) first!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() after?: string | null;
}

@ObjectType('AudienceMembersChange')
export class AudienceMembersChangeModel {
  @Field(() => Int, { description: 'Contacts added or removed.' }) affected!: number;
  @Field(() => Int) size!: number;
}
