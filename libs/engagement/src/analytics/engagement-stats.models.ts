import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsArray,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
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
registerEnumType(TimeInterval, {
  name: 'TimeInterval',
  description: `Calendar periods in ${ANALYTICS_TIME_ZONE} time; weeks start on Monday.`,
  valuesMap: {
    DAY: { description: `A day, midnight to midnight in ${ANALYTICS_TIME_ZONE}.` },
    WEEK: { description: 'A week, Monday to Sunday.' },
    MONTH: { description: 'A calendar month.' },
    QUARTER: { description: 'A calendar quarter: January, April, July or October to the end of the third month.' },
    YEAR: { description: 'A calendar year.' },
  },
});

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
registerEnumType(EngagementDimension, {
  name: 'EngagementDimension',
  description: 'What engagementStats rows can be grouped by.',
  valuesMap: {
    TYPE: { description: "The interaction type's key." },
    DISCIPLINE: { description: "The discipline's key." },
    OFFERING: { description: 'The offering: its id, or its name when it has none.' },
    VENUE: { description: 'The venue.' },
    CAMPAIGN: { description: 'The campaign.' },
    CHANNEL: { description: 'The channel.' },
    REGION: { description: "The contact's current region." },
    LANGUAGE: { description: "The contact's preferred language." },
  },
});

@InputType({ description: 'Interactions, and the contacts they belong to: every condition given must hold.' })
export class EngagementFilterInput extends InteractionFilterInput {
  @Field(() => [String], { nullable: true, description: "The contact's current region is one of these." })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.valueLength, { each: true })
  regions?: string[] | null;
  @Field(() => [Language], { nullable: true, description: 'The contact prefers one of these languages.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.enumValues)
  @IsEnum(Language, { each: true })
  languages?: Language[] | null;
  @Field(() => [String], { nullable: true, description: 'The contact has at least one of these tags.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tags?: string[] | null;
  @Field(() => [ID], { nullable: true, description: 'The contact is a member of every one of these audiences.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  audiences?: string[] | null;
}

@ArgsType()
export class EngagementStatsArgs {
  @Field(() => EngagementFilterInput, {
    description: 'Which interactions to count; from and to are required with an interval.',
  })
  @ValidateNested()
  @Type(() => EngagementFilterInput)
  filter!: EngagementFilterInput;
  @Field(() => [EngagementDimension], {
    defaultValue: [],
    description: 'Dimensions to group rows by, at most 3; none: one row per period.',
  })
  @IsArray()
  @ArrayMaxSize(3)
  @IsEnum(EngagementDimension, { each: true })
  groupBy!: EngagementDimension[];
  @Field(() => TimeInterval, {
    nullable: true,
    description: 'Groups by period too; every period of the range is present, empty ones as zero.',
  })
  @IsOptional()
  @IsEnum(TimeInterval)
  interval?: TimeInterval | null;
}

@ArgsType()
export class RetentionArgs {
  @Field(() => EngagementFilterInput, {
    description:
      'The from and to (required) choose the cohorts; the other conditions say what counts as activity (by default, any interaction but those done to the contact).',
  })
  @ValidateNested()
  @Type(() => EngagementFilterInput)
  filter!: EngagementFilterInput;
  @Field(() => TimeInterval, {
    defaultValue: TimeInterval.MONTH,
    description: "The length of a cohort's period and of each following period.",
  })
  @IsEnum(TimeInterval)
  cohortInterval!: TimeInterval;
  @Field(() => Int, {
    defaultValue: 6,
    description: 'How many following periods to follow each cohort through (1 to 36).',
  })
  @IsInt()
  @Min(1)
  @Max(36)
  periods!: number;
}

@ObjectType('EngagementGroup', {
  description: 'The values a row is grouped by; null for a dimension not grouped by, or without a value.',
})
export class EngagementGroupModel {
  @Field(() => String, { nullable: true, description: "The interaction type's key." }) type!: string | null;
  @Field(() => String, { nullable: true, description: "The discipline's key." }) discipline!: string | null;
  @Field(() => String, { nullable: true, description: 'The offering id, or its name when it has none.' }) offering!:
    string | null;
  @Field(() => String, { nullable: true, description: "The offering's name." }) offeringName!: string | null;
  @Field(() => String, { nullable: true, description: 'The venue.' }) venue!: string | null;
  @Field(() => String, { nullable: true, description: 'The campaign.' }) campaign!: string | null;
  @Field(() => String, { nullable: true, description: 'The channel.' }) channel!: string | null;
  @Field(() => String, { nullable: true, description: "The contact's current region." }) region!: string | null;
  @Field(() => String, { nullable: true, description: 'FR or EN.' }) language!: string | null;
}

@ObjectType('EngagementMetrics', {
  description: 'Measures of the interactions of one period and group, or of the whole filter.',
})
export class EngagementMetricsModel {
  @Field(() => Date, {
    nullable: true,
    description: `Start of the period, with an interval: local midnight in ${ANALYTICS_TIME_ZONE}, given as a UTC date-time.`,
  })
  periodStart!: Date | null;
  @Field(() => EngagementGroupModel, { description: 'The values this row is grouped by.' })
  group!: EngagementGroupModel;
  @Field(() => Int, { description: 'Interactions counted.' }) interactions!: number;
  @Field(() => Int, { description: 'Distinct contacts.' }) uniqueContacts!: number;
  @Field(() => Float, { description: 'Sum of amounts in cents, CAD only.' }) amountCents!: number;
  @Field(() => Float, { description: 'Sum of quantities (tickets, attendees...).' }) quantity!: number;
  @Field(() => Int, { description: 'Distinct contact + campaign pairs with an EMAIL_DELIVERED.' })
  emailsDelivered!: number;
  @Field(() => Float, {
    nullable: true,
    description:
      'Distinct contact + campaign pairs with an EMAIL_OPENED over those delivered; null when none was delivered.',
  })
  openRate!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Distinct contact + campaign pairs with an EMAIL_CLICKED over those delivered; null when none was delivered.',
  })
  clickRate!: number | null;
}

@ObjectType('EngagementStats', { description: 'The answer of engagementStats.' })
export class EngagementStatsModel {
  @Field(() => [EngagementMetricsModel], { description: 'By period, then by group values (ascending, no value last).' })
  rows!: EngagementMetricsModel[];
  @Field(() => EngagementMetricsModel, {
    description: 'The whole filter at once (distinct counts are not the sum of the rows).',
  })
  totals!: EngagementMetricsModel;
  @Field({ description: `The time zone of the periods (${ANALYTICS_TIME_ZONE}).` }) timeZone!: string;
}

@ObjectType('RetentionCohort', { description: 'The contacts first active in one period, followed period by period.' })
export class RetentionCohortModel {
  @Field({
    description: `The start of the period the cohort was first active in: local midnight in ${ANALYTICS_TIME_ZONE}, given as a UTC date-time.`,
  })
  periodStart!: Date;
  @Field(() => Int, { description: 'Contacts first active (ever) in this period.' }) size!: number;
  @Field(() => [Int], {
    nullable: 'items',
    description: 'For each following period (1, 2...), how many were active again; null for a period not yet begun.',
  })
  retained!: (number | null)[];
  @Field(() => [Float], {
    nullable: 'items',
    description:
      'For each following period, retained / size (0 to 1); null when the cohort is empty or the period has not begun.',
  })
  rates!: (number | null)[];
}

@ObjectType('Retention', { description: 'The answer of retention: one cohort per period of the range.' })
export class RetentionModel {
  @Field(() => [RetentionCohortModel], { description: 'The cohorts, oldest first.' }) cohorts!: RetentionCohortModel[];
  @Field({ description: `The time zone of the periods (${ANALYTICS_TIME_ZONE}).` }) timeZone!: string;
}
