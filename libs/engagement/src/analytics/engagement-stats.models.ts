import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { INPUT_LIMITS } from '@app/common';
import { Language } from '@app/contacts';
import { InteractionFilterInput } from '../interactions/interaction.models.js';

/** Analytics count days, weeks (Monday to Sunday), months... in Quebec's time. */
export const ANALYTICS_TIME_ZONE = 'America/Toronto';

export enum TimeInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  YEAR = 'YEAR',
}
registerEnumType(TimeInterval, { name: 'TimeInterval', description: `Calendar periods in ${ANALYTICS_TIME_ZONE} time; weeks start on Monday.` });

export enum EngagementDimension {
  TYPE = 'TYPE',
  DISCIPLINE = 'DISCIPLINE',
  OFFERING = 'OFFERING',
  VENUE = 'VENUE',
  CAMPAIGN = 'CAMPAIGN',
  CHANNEL = 'CHANNEL',
  /** The contact's current region. */
  REGION = 'REGION',
  /** The contact's preferred language. */
  LANGUAGE = 'LANGUAGE',
}
registerEnumType(EngagementDimension, { name: 'EngagementDimension' });

@InputType({ description: 'Interactions, and the contacts they belong to: every condition given must hold.' })
export class EngagementFilterInput extends InteractionFilterInput {
  @Field(() => [String], { nullable: true, description: "The contact's current region is one of these." })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.valueLength, { each: true })
  regions?: string[] | null;
  @Field(() => [Language], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.enumValues) @IsEnum(Language, { each: true }) languages?: Language[] | null;
  @Field(() => [String], { nullable: true, description: 'The contact has at least one of these tags.' })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tags?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'The contact is a member of every one of these audiences.' })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsUUID('all', { each: true }) audiences?: string[] | null;
}

@ArgsType()
export class EngagementStatsArgs {
  @Field(() => EngagementFilterInput, { description: 'from and to are required with an interval.' })
  @ValidateNested() @Type(() => EngagementFilterInput) filter!: EngagementFilterInput;
  @Field(() => [EngagementDimension], { defaultValue: [], description: 'At most 3.' })
  @IsArray() @ArrayMaxSize(3) @IsEnum(EngagementDimension, { each: true }) groupBy!: EngagementDimension[];
  @Field(() => TimeInterval, { nullable: true, description: 'Groups by period too; every period of the range is present, empty ones as zero.' })
  @IsOptional() @IsEnum(TimeInterval) interval?: TimeInterval | null;
}

@ArgsType()
export class RetentionArgs {
  @Field(() => EngagementFilterInput, { description: 'from and to choose the cohorts; the other conditions say what counts as activity.' })
  @ValidateNested() @Type(() => EngagementFilterInput) filter!: EngagementFilterInput;
  @Field(() => TimeInterval, { defaultValue: TimeInterval.MONTH }) @IsEnum(TimeInterval) cohortInterval!: TimeInterval;
  @Field(() => Int, { defaultValue: 6, description: 'How many following periods to follow each cohort through (1 to 36).' })
  @IsInt() @Min(1) @Max(36) periods!: number;
}

@ObjectType('EngagementGroup', { description: 'The values a row is grouped by; null for a dimension not grouped by, or without a value.' })
export class EngagementGroupModel {
  @Field(() => String, { nullable: true }) type!: string | null;
  @Field(() => String, { nullable: true }) discipline!: string | null;
  @Field(() => String, { nullable: true, description: 'The offering id, or its name when it has none.' }) offering!: string | null;
  @Field(() => String, { nullable: true, description: "The offering's name." }) offeringName!: string | null;
  @Field(() => String, { nullable: true }) venue!: string | null;
  @Field(() => String, { nullable: true }) campaign!: string | null;
  @Field(() => String, { nullable: true }) channel!: string | null;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String, { nullable: true, description: 'FR or EN.' }) language!: string | null;
}

@ObjectType('EngagementMetrics')
export class EngagementMetricsModel {
  @Field(() => Date, { nullable: true, description: 'Start of the period, with an interval.' }) periodStart!: Date | null;
  @Field(() => EngagementGroupModel) group!: EngagementGroupModel;
  @Field(() => Int) interactions!: number;
  @Field(() => Int, { description: 'Distinct contacts.' }) uniqueContacts!: number;
  @Field(() => Float, { description: 'Sum of amounts in cents, CAD only.' }) amountCents!: number;
  @Field(() => Float) quantity!: number;
  @Field(() => Int, { description: 'Distinct contact + campaign pairs with an EMAIL_DELIVERED.' }) emailsDelivered!: number;
  @Field(() => Float, { nullable: true, description: 'Distinct contact + campaign pairs with an EMAIL_OPENED over those delivered; null when none was delivered.' })
  openRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Distinct contact + campaign pairs with an EMAIL_CLICKED over those delivered.' })
  clickRate!: number | null;
}

@ObjectType('EngagementStats')
export class EngagementStatsModel {
  @Field(() => [EngagementMetricsModel], { description: 'By period, then by group values (ascending, no value last).' }) rows!: EngagementMetricsModel[];
  @Field(() => EngagementMetricsModel, { description: 'The whole filter at once (distinct counts are not the sum of the rows).' }) totals!: EngagementMetricsModel;
  @Field({ description: 'The time zone of the periods.' }) timeZone!: string;
}

@ObjectType('RetentionCohort')
export class RetentionCohortModel {
  @Field({ description: 'The period the cohort was first active in.' }) periodStart!: Date;
  @Field(() => Int, { description: 'Contacts first active (ever) in this period.' }) size!: number;
  @Field(() => [Int], { nullable: 'items', description: 'For each following period (1, 2...), how many were active again; null for a period not yet begun.' })
  retained!: (number | null)[];
  @Field(() => [Float], { nullable: 'items', description: 'retained / size; null when the cohort is empty or the period has not begun.' })
  rates!: (number | null)[];
}

@ObjectType('Retention')
export class RetentionModel {
  @Field(() => [RetentionCohortModel]) cohorts!: RetentionCohortModel[];
  @Field() timeZone!: string;
}
