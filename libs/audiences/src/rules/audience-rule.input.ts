import { Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { AttributeFilterInput, ConsentPurpose, ConsentState } from '@app/contacts';
import { InteractionFilterInput } from '@app/engagement';

/**
 * The rule language of dynamic audiences. GraphQL has no input unions, so each node sets exactly one of its fields;
 * the compiler (rule-compiler.ts) checks that and everything else, naming the path of what is wrong
 * (`rule.and.1.interactions.value`). These types carry no class-validator rules for that reason.
 */

export enum ContactField {
  FIRST_NAME = 'FIRST_NAME',
  LAST_NAME = 'LAST_NAME',
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  ADDRESS = 'ADDRESS',
  CITY = 'CITY',
  POSTAL_CODE = 'POSTAL_CODE',
  REGION = 'REGION',
  COUNTRY = 'COUNTRY',
  PREFERRED_LANGUAGE = 'PREFERRED_LANGUAGE',
  BIRTH_DATE = 'BIRTH_DATE',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ContactField, {
  name: 'ContactField',
  description: 'A contact field a rule can test. EMAIL, PHONE, ADDRESS and BIRTH_DATE are refused to the ANALYST role.',
  valuesMap: {
    FIRST_NAME: { description: 'First name (text).' },
    LAST_NAME: { description: 'Last name (text).' },
    EMAIL: { description: 'Email address (text; not for the ANALYST role).' },
    PHONE: { description: 'Phone number as E.164, e.g. +15145550101 (text; not for the ANALYST role).' },
    ADDRESS: { description: 'Both address lines, joined by a space (text; not for the ANALYST role).' },
    CITY: { description: 'City (text).' },
    POSTAL_CODE: { description: 'Postal code, e.g. "H2X 1Y4" (text).' },
    REGION: { description: 'Province, state or Quebec administrative region (text).' },
    COUNTRY: { description: 'Country as entered (text).' },
    PREFERRED_LANGUAGE: { description: 'Preferred language, "fr" or "en" (text).' },
    BIRTH_DATE: {
      description: 'Birth date (date: from and to compare their UTC calendar day; not for the ANALYST role).',
    },
    CREATED_AT: { description: 'When the contact was created (date-time).' },
    UPDATED_AT: { description: 'When the contact last changed (date-time).' },
  },
});

export enum Comparison {
  AT_LEAST = 'AT_LEAST',
  MORE_THAN = 'MORE_THAN',
  AT_MOST = 'AT_MOST',
  LESS_THAN = 'LESS_THAN',
  EXACTLY = 'EXACTLY',
}
registerEnumType(Comparison, {
  name: 'Comparison',
  description: 'How a measured number compares with value.',
  valuesMap: {
    AT_LEAST: { description: 'Greater than or equal to value.' },
    MORE_THAN: { description: 'Greater than value.' },
    AT_MOST: { description: 'Less than or equal to value.' },
    LESS_THAN: { description: 'Less than value.' },
    EXACTLY: { description: 'Equal to value.' },
  },
});

export enum InteractionMeasure {
  COUNT = 'COUNT',
  DISTINCT_OFFERINGS = 'DISTINCT_OFFERINGS',
  /** CAD only, like every amount. */
  AMOUNT_CENTS = 'AMOUNT_CENTS',
}
registerEnumType(InteractionMeasure, {
  name: 'InteractionMeasure',
  description: 'AMOUNT_CENTS adds up CAD amounts only.',
  valuesMap: {
    COUNT: { description: 'Interactions.' },
    DISTINCT_OFFERINGS: { description: 'Distinct offerings (by id, else by name).' },
    AMOUNT_CENTS: { description: 'Sum of CAD amounts, in cents.' },
  },
});

export enum EngagementScore {
  RECENCY = 'RECENCY',
  FREQUENCY = 'FREQUENCY',
  MONETARY = 'MONETARY',
}
registerEnumType(EngagementScore, {
  name: 'EngagementScore',
  description: 'The scores of Contact.engagement, 0 to 5.',
  valuesMap: {
    RECENCY: { description: 'ContactEngagement.recencyScore: how recently the contact was active.' },
    FREQUENCY: { description: 'ContactEngagement.frequencyScore: transactions in the last 12 months.' },
    MONETARY: { description: 'ContactEngagement.monetaryScore: CAD amount of the last 12 months.' },
  },
});

@InputType({
  description:
    'A condition on a contact field. Text fields take one of equals, in, prefix, contains, isEmpty (accent- and case-insensitive); date fields take isEmpty, or any of from, to, withinLastDays, moreThanDaysAgo.',
})
export class FieldConditionInput {
  @Field(() => ContactField, { description: 'The field tested.' }) field!: ContactField;
  @Field(() => String, { nullable: true, description: 'Text: equal to this.' }) equals?: string | null;
  @Field(() => [String], { nullable: true, description: 'Text: equal to one of these (at most 1,000).' }) in?:
    string[] | null;
  @Field(() => String, { nullable: true, description: 'Text: starts with this.' }) prefix?: string | null;
  @Field(() => String, { nullable: true, description: 'Text: contains this.' }) contains?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'No value (true) or a value (false).' }) isEmpty?:
    boolean | null;
  @Field(() => Date, { nullable: true, description: 'Date: at or after this time.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Date: before this time.' }) to?: Date | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Date: in the last N days (N × 24 hours before the evaluation), 0 to 36,500.',
  })
  withinLastDays?: number | null;
  @Field(() => Int, { nullable: true, description: 'Date: more than N days (N × 24 hours) ago, 0 to 36,500.' })
  moreThanDaysAgo?: number | null;
}

@InputType({ description: 'Give one of any, all, none (tag names, case-insensitive).' })
export class TagConditionInput {
  @Field(() => [String], { nullable: true, description: 'Has at least one of these tags.' }) any?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has all of these tags.' }) all?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has none of these tags.' }) none?: string[] | null;
}

@InputType({ description: "A condition on a contact's current consent for one purpose." })
export class ConsentConditionInput {
  @Field(() => ConsentPurpose, { description: 'The purpose.' }) purpose!: ConsentPurpose;
  @Field(() => [ConsentState], { description: 'The current state is one of these.' }) states!: ConsentState[];
}

@InputType({
  description:
    'How many interactions (or distinct offerings, or CAD cents) match the filter within the window, compared with value. "None in 6 months": COUNT, withinLastDays 183, EXACTLY 0.',
})
export class InteractionConditionInput {
  @Field(() => InteractionMeasure, { defaultValue: InteractionMeasure.COUNT, description: 'What is measured.' })
  measure!: InteractionMeasure;
  @Field(() => InteractionFilterInput, {
    nullable: true,
    description: 'Types, disciplines, offerings, venues, campaigns, channels, and absolute from/to.',
  })
  filter?: InteractionFilterInput | null;
  @Field(() => Int, { nullable: true, description: 'Only the last N days (N × 24 hours before the evaluation).' })
  withinLastDays?: number | null;
  @Field(() => Comparison, { description: 'How the measure compares with value.' }) comparison!: Comparison;
  @Field(() => Int, { description: 'The number compared with, 0 or more (cents for AMOUNT_CENTS).' }) value!: number;
}

@InputType({ description: "A condition on one of the contact's engagement scores." })
export class ScoreConditionInput {
  @Field(() => EngagementScore, { description: 'The score.' }) score!: EngagementScore;
  @Field(() => Comparison, { description: 'How the score compares with value.' }) comparison!: Comparison;
  @Field(() => Int, { description: 'A score, 0 to 5.' }) value!: number;
}

@InputType({ description: 'Exactly one field: a group (and, or, not) or a condition.' })
export class AudienceRuleInput {
  @Field(() => [AudienceRuleInput], { nullable: true, description: 'Every one of these rules holds.' }) and?:
    AudienceRuleInput[] | null;
  @Field(() => [AudienceRuleInput], { nullable: true, description: 'At least one of these rules holds.' }) or?:
    AudienceRuleInput[] | null;
  @Field(() => AudienceRuleInput, { nullable: true, description: 'This rule does not hold.' })
  not?: AudienceRuleInput | null;
  @Field(() => FieldConditionInput, { nullable: true, description: 'A condition on a contact field.' })
  field?: FieldConditionInput | null;
  @Field(() => TagConditionInput, { nullable: true, description: "A condition on the contact's tags." })
  tags?: TagConditionInput | null;
  @Field(() => ConsentConditionInput, { nullable: true, description: "A condition on the contact's current consent." })
  consent?: ConsentConditionInput | null;
  @Field(() => AttributeFilterInput, { nullable: true, description: "Give one comparison, by the attribute's type." })
  attribute?: AttributeFilterInput | null;
  @Field(() => InteractionConditionInput, { nullable: true, description: "A condition on the contact's interactions." })
  interactions?: InteractionConditionInput | null;
  @Field(() => ScoreConditionInput, { nullable: true, description: 'A condition on an engagement score.' })
  score?: ScoreConditionInput | null;
  @Field(() => ID, { nullable: true, description: 'Is a member of this audience (cycles are refused).' }) inAudience?:
    string | null;
}

/** The fields of a rule node, in the order the compiler tries them. */
export const RULE_KINDS = [
  'and',
  'or',
  'not',
  'field',
  'tags',
  'consent',
  'attribute',
  'interactions',
  'score',
  'inAudience',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
