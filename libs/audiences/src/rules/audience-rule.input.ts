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
registerEnumType(ContactField, { name: 'ContactField', description: 'ADDRESS is both address lines. EMAIL, PHONE, ADDRESS and BIRTH_DATE are refused to the ANALYST role.' });

export enum Comparison {
  AT_LEAST = 'AT_LEAST',
  MORE_THAN = 'MORE_THAN',
  AT_MOST = 'AT_MOST',
  LESS_THAN = 'LESS_THAN',
  EXACTLY = 'EXACTLY',
}
registerEnumType(Comparison, { name: 'Comparison' });

export enum InteractionMeasure {
  COUNT = 'COUNT',
  DISTINCT_OFFERINGS = 'DISTINCT_OFFERINGS',
  /** CAD only, like every amount. */
  AMOUNT_CENTS = 'AMOUNT_CENTS',
}
registerEnumType(InteractionMeasure, { name: 'InteractionMeasure', description: 'AMOUNT_CENTS adds up CAD amounts only.' });

export enum EngagementScore {
  RECENCY = 'RECENCY',
  FREQUENCY = 'FREQUENCY',
  MONETARY = 'MONETARY',
}
registerEnumType(EngagementScore, { name: 'EngagementScore', description: 'The scores of Contact.engagement, 0 to 5.' });

@InputType({ description: 'A condition on a contact field. Text fields take one of equals, in, prefix, contains, isEmpty (accent- and case-insensitive); date fields take isEmpty, or any of from, to, withinLastDays, moreThanDaysAgo.' })
export class FieldConditionInput {
  @Field(() => ContactField) field!: ContactField;
  @Field(() => String, { nullable: true }) equals?: string | null;
  @Field(() => [String], { nullable: true }) in?: string[] | null;
  @Field(() => String, { nullable: true }) prefix?: string | null;
  @Field(() => String, { nullable: true }) contains?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'No value (true) or a value (false).' }) isEmpty?: boolean | null;
  @Field(() => Date, { nullable: true, description: 'At or after.' }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before.' }) to?: Date | null;
  @Field(() => Int, { nullable: true, description: 'In the last N days.' }) withinLastDays?: number | null;
  @Field(() => Int, { nullable: true, description: 'More than N days ago.' }) moreThanDaysAgo?: number | null;
}

@InputType({ description: 'Give one of any, all, none (tag names, case-insensitive).' })
export class TagConditionInput {
  @Field(() => [String], { nullable: true }) any?: string[] | null;
  @Field(() => [String], { nullable: true }) all?: string[] | null;
  @Field(() => [String], { nullable: true }) none?: string[] | null;
}

@InputType()
export class ConsentConditionInput {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => [ConsentState], { description: 'The current state is one of these.' }) states!: ConsentState[];
}

@InputType({ description: 'How many interactions (or distinct offerings, or CAD cents) match the filter within the window, compared with value. "None in 6 months": COUNT, withinLastDays 183, EXACTLY 0.' })
export class InteractionConditionInput {
  @Field(() => InteractionMeasure, { defaultValue: InteractionMeasure.COUNT }) measure!: InteractionMeasure;
  @Field(() => InteractionFilterInput, { nullable: true, description: 'Types, disciplines, offerings, venues, campaigns, channels, and absolute from/to.' })
  filter?: InteractionFilterInput | null;
  @Field(() => Int, { nullable: true, description: 'Only the last N days.' }) withinLastDays?: number | null;
  @Field(() => Comparison) comparison!: Comparison;
  @Field(() => Int) value!: number;
}

@InputType()
export class ScoreConditionInput {
  @Field(() => EngagementScore) score!: EngagementScore;
  @Field(() => Comparison) comparison!: Comparison;
  @Field(() => Int) value!: number;
}

@InputType({ description: 'Exactly one field: a group (and, or, not) or a condition.' })
export class AudienceRuleInput {
  @Field(() => [AudienceRuleInput], { nullable: true }) and?: AudienceRuleInput[] | null;
  @Field(() => [AudienceRuleInput], { nullable: true }) or?: AudienceRuleInput[] | null;
  @Field(() => AudienceRuleInput, { nullable: true }) not?: AudienceRuleInput | null;
  @Field(() => FieldConditionInput, { nullable: true }) field?: FieldConditionInput | null;
  @Field(() => TagConditionInput, { nullable: true }) tags?: TagConditionInput | null;
  @Field(() => ConsentConditionInput, { nullable: true }) consent?: ConsentConditionInput | null;
  @Field(() => AttributeFilterInput, { nullable: true, description: 'Give one comparison, by the attribute\'s type.' }) attribute?: AttributeFilterInput | null;
  @Field(() => InteractionConditionInput, { nullable: true }) interactions?: InteractionConditionInput | null;
  @Field(() => ScoreConditionInput, { nullable: true }) score?: ScoreConditionInput | null;
  @Field(() => ID, { nullable: true, description: 'Is a member of this audience (cycles are refused).' }) inAudience?: string | null;
}

/** The fields of a rule node, in the order the compiler tries them. */
export const RULE_KINDS = ['and', 'or', 'not', 'field', 'tags', 'consent', 'attribute', 'interactions', 'score', 'inAudience'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
