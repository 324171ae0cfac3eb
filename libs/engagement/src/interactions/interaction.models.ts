import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { INPUT_LIMITS, JSONObjectScalar, Paginated } from '@app/common';
import { ExternalIdInput } from '@app/contacts';
import { TermKind } from './engagement-terms.js';

registerEnumType(TermKind, {
  name: 'InteractionTermKind',
  description: 'The two vocabularies of interactions.',
  valuesMap: {
    TYPE: { description: 'What was done, e.g. TICKET_PURCHASE.' },
    DISCIPLINE: { description: 'The art form, e.g. THEATRE.' },
  },
});

export const MAX_INTERACTIONS_PER_CALL = 1_000;

@InputType({ description: 'Who did it: the first of id, externalId and email that names a contact is used.' })
export class ContactReferenceInput {
  @Field(() => ID, { nullable: true, description: 'The contact id.' }) id?: string | null;
  @Field(() => ExternalIdInput, { nullable: true, description: "The contact's id in another system." })
  externalId?: ExternalIdInput | null;
  @Field(() => String, {
    nullable: true,
    description: 'Compared normalized; an email several contacts share names the earliest created.',
  })
  email?: string | null;
}

@InputType({ description: 'The show, exhibition, concert or workshop.' })
export class OfferingInput {
  @Field(() => String, {
    nullable: true,
    description: 'Its id in the source system; offerings are grouped by id, else by name.',
  })
  id?: string | null;
  @Field(() => String, { nullable: true, description: 'Its name, e.g. "Les Belles-sœurs".' }) name?: string | null;
}

/** Checked item by item by InteractionsService (a bad item is rejected, the others are recorded), not by the validation pipe. */
@InputType({ description: 'One interaction to record; a bad item is rejected on its own.' })
export class InteractionInput {
  @Field(() => ContactReferenceInput, { description: 'The contact who did it.' }) contact!: ContactReferenceInput;
  @Field({
    description:
      'A built-in type or one the organization defined (interactionTerms); its key or label, in French or English.',
  })
  type!: string;
  @Field({ description: 'When it happened (UTC); from 1900 to at most a day ahead.' }) occurredAt!: Date;
  @Field(() => OfferingInput, {
    nullable: true,
    description: 'The show, exhibition, concert or workshop it was about.',
  })
  offering?: OfferingInput | null;
  @Field(() => String, {
    nullable: true,
    description: 'A built-in discipline or one the organization defined; key or label.',
  })
  discipline?: string | null;
  @Field(() => String, { nullable: true, description: 'Where it took place, as named by the organization.' }) venue?:
    string | null;
  @Field(() => Int, { nullable: true, description: 'The amount paid or given, in cents of currency, 0 or more.' })
  amountCents?: number | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217; CAD when an amount is given without one.' })
  currency?: string | null;
  @Field(() => Int, { nullable: true, description: 'Tickets in the order, people attending...' }) quantity?:
    number | null;
  @Field(() => String, { nullable: true, description: 'How it came about: web, box_office, phone, email...' })
  channel?: string | null;
  @Field(() => String, { nullable: true, description: 'The campaign it belongs to or came from.' }) campaign?:
    string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The system it came from; with externalId, recording it again changes nothing.',
  })
  source?: string | null;
  @Field(() => String, { nullable: true, description: 'Its id in the source system; needs source.' }) externalId?:
    string | null;
  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: 'Anything else; EMAIL_BOUNCED reads bounceType ("soft" does not mark the address undeliverable).',
  })
  attributes?: Record<string, unknown> | null;
}

export enum RecordStatus {
  ACCEPTED = 'ACCEPTED',
  /** Its source and external id were recorded before: nothing changed. */
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}
registerEnumType(RecordStatus, {
  name: 'RecordStatus',
  description: 'What became of an item of recordInteractions.',
  valuesMap: {
    ACCEPTED: { description: 'Recorded.' },
    DUPLICATE: { description: 'Its source and external id were recorded before: nothing changed.' },
    REJECTED: { description: 'Not recorded: see field and reason.' },
  },
});

@ObjectType('RecordedInteraction', { description: 'What became of one item of the input.' })
export class RecordedInteractionModel {
  @Field(() => Int, { description: 'Its position in the input, from 0.' }) index!: number;
  @Field(() => RecordStatus, { description: 'Recorded, duplicate or rejected.' }) status!: RecordStatus;
  @Field(() => ID, {
    nullable: true,
    description: 'The interaction recorded, or the one recorded before for a duplicate.',
  })
  interactionId!: string | null;
  @Field(() => String, { nullable: true, description: 'The rejected field, e.g. `input.3.contact`.' }) field!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Why it was rejected (names the field, never its value).' })
  reason!: string | null;
}

@ObjectType('RecordInteractionsResult', { description: 'What recordInteractions did, in total and item by item.' })
export class RecordInteractionsResultModel {
  @Field(() => Int, { description: 'Items recorded.' }) accepted!: number;
  @Field(() => Int, { description: 'Items recorded before (same source and external id).' }) duplicates!: number;
  @Field(() => Int, { description: 'Items rejected.' }) rejected!: number;
  @Field(() => [RecordedInteractionModel], { description: 'One per input item, in input order.' })
  items!: RecordedInteractionModel[];
}

@ObjectType('Interaction', {
  description: 'Something a person did: bought tickets, attended, donated, opened an email...',
})
export class InteractionModel {
  @Field(() => ID, { description: 'The interaction id.' }) id!: string;
  @Field(() => ID, { description: 'The contact who did it.' }) contactId!: string;
  @Field({ description: "The type's key, e.g. TICKET_PURCHASE (labels in interactionTerms)." }) type!: string;
  @Field({ description: 'When it happened (UTC).' }) occurredAt!: Date;
  @Field(() => String, { nullable: true, description: "The offering's id in the source system." }) offeringId!:
    string | null;
  @Field(() => String, { nullable: true, description: "The offering's name." }) offeringName!: string | null;
  @Field(() => String, { nullable: true, description: "The discipline's key, e.g. THEATRE." }) discipline!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Where it took place.' }) venue!: string | null;
  @Field(() => Int, { nullable: true, description: 'The amount, in cents of currency.' }) amountCents!: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'ISO 4217 code of the amount, e.g. CAD; null without an amount.',
  })
  currency!: string | null;
  @Field(() => Int, { nullable: true, description: 'Tickets in the order, people attending...' }) quantity!:
    number | null;
  @Field(() => String, { nullable: true, description: 'How it came about: web, box_office, phone, email...' })
  channel!: string | null;
  @Field(() => String, { nullable: true, description: 'The campaign it belongs to or came from.' }) campaign!:
    string | null;
  @Field(() => String, { nullable: true, description: 'The system it came from.' }) source!: string | null;
  @Field(() => String, { nullable: true, description: 'Its id in the source system.' }) externalId!: string | null;
  @Field(() => JSONObjectScalar, { description: 'Anything else recorded with it.' }) attributes!: Record<
    string,
    unknown
  >;
  @Field({ description: 'When it was recorded (UTC).' }) createdAt!: Date;
}

@ObjectType('InteractionConnection', { description: 'A page of interactions.' })
export class InteractionConnectionModel extends Paginated(InteractionModel, 'Interaction') {}

const LIST = INPUT_LIMITS.values;
const TEXT = INPUT_LIMITS.valueLength;

/** Which interactions: every condition given must hold; a list matches any of its values. */
@InputType({ description: 'Which interactions: every condition given must hold; a list matches any of its values.' })
export class InteractionFilterInput {
  @Field(() => Date, { nullable: true, description: 'From this time (included).' })
  @IsOptional()
  @IsDate()
  from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Until this time (excluded).' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
  @Field(() => [String], { nullable: true, description: 'Type keys or labels.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  types?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Discipline keys or labels.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  disciplines?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Offering ids, or names for offerings without one.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  offerings?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Venues, exactly as recorded.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  venues?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Campaigns, exactly as recorded.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  campaigns?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Channels, exactly as recorded.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIST)
  @IsString({ each: true })
  @MaxLength(TEXT, { each: true })
  channels?: string[] | null;
}

@ArgsType()
export class InteractionsArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Interactions per page, 1 to 100.' })
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
  @Field(() => InteractionFilterInput, { nullable: true, description: 'Which interactions; every one when absent.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => InteractionFilterInput)
  filter?: InteractionFilterInput | null;
}

@InputType({ description: 'An interaction type or discipline of the organization.' })
export class InteractionTermInput {
  @Field(() => TermKind, { description: 'A type or a discipline.' }) @IsEnum(TermKind) kind!: TermKind;
  @Field({ description: 'Upper-case letters, digits and _, starting with a letter, e.g. WORKSHOP_SIGNUP.' })
  @Matches(/^[A-Z][A-Z0-9_]{0,62}$/, {
    message: 'key must be upper-case letters, digits and _, starting with a letter (at most 63)',
  })
  key!: string;
  @Field({ description: 'Its label, used in French and English alike (up to 200 characters).' })
  @IsString()
  @MaxLength(200)
  @Matches(/\S/, { message: 'label must not be blank' })
  label!: string;
}

@ObjectType('InteractionTerm', { description: 'An interaction type or a discipline.' })
export class InteractionTermModel {
  @Field(() => TermKind, { description: 'A type or a discipline.' }) kind!: TermKind;
  @Field({ description: 'The key interactions store, e.g. TICKET_PURCHASE.' }) key!: string;
  @Field({ description: 'French label.' }) labelFr!: string;
  @Field({ description: 'English label.' }) labelEn!: string;
  @Field({ description: 'Built in, or defined by the organization.' }) builtIn!: boolean;
}
