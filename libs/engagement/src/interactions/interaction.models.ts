import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsDate, IsEnum, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { INPUT_LIMITS, JSONObjectScalar, Paginated } from '@app/common';
import { ExternalIdInput } from '@app/contacts';
import { TermKind } from './engagement-terms.js';

registerEnumType(TermKind, { name: 'InteractionTermKind' });

export const MAX_INTERACTIONS_PER_CALL = 1_000;

@InputType({ description: 'Who did it: the first of id, externalId and email that names a contact is used.' })
export class ContactReferenceInput {
  @Field(() => ID, { nullable: true }) id?: string | null;
  @Field(() => ExternalIdInput, { nullable: true, description: "The contact's id in another system." }) externalId?: ExternalIdInput | null;
  @Field(() => String, { nullable: true, description: 'Compared normalized; an email several contacts share names the earliest created.' })
  email?: string | null;
}

@InputType({ description: 'The show, exhibition, concert or workshop.' })
export class OfferingInput {
  @Field(() => String, { nullable: true, description: 'Its id in the source system; offerings are grouped by id, else by name.' }) id?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

/** Checked item by item by InteractionsService (a bad item is rejected, the others are recorded), not by the validation pipe. */
@InputType()
export class InteractionInput {
  @Field(() => ContactReferenceInput) contact!: ContactReferenceInput;
  @Field({ description: 'A built-in type (InteractionType) or one the organization defined; its key or label, in French or English.' })
  type!: string;
  @Field() occurredAt!: Date;
  @Field(() => OfferingInput, { nullable: true }) offering?: OfferingInput | null;
  @Field(() => String, { nullable: true, description: 'A built-in discipline or one the organization defined; key or label.' }) discipline?: string | null;
  @Field(() => String, { nullable: true }) venue?: string | null;
  @Field(() => Int, { nullable: true, description: 'In cents.' }) amountCents?: number | null;
  @Field(() => String, { nullable: true, description: 'ISO 4217; CAD when an amount is given without one.' }) currency?: string | null;
  @Field(() => Int, { nullable: true, description: 'Tickets in the order, people attending...' }) quantity?: number | null;
  @Field(() => String, { nullable: true, description: 'web, box_office, phone, email...' }) channel?: string | null;
  @Field(() => String, { nullable: true, description: 'The campaign it belongs to or came from.' }) campaign?: string | null;
  @Field(() => String, { nullable: true, description: 'The system it came from; with externalId, recording it again changes nothing.' })
  source?: string | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Anything else; EMAIL_BOUNCED reads bounceType ("soft" does not mark the address undeliverable).' })
  attributes?: Record<string, unknown> | null;
}

export enum RecordStatus {
  ACCEPTED = 'ACCEPTED',
  /** Its source and external id were recorded before: nothing changed. */
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}
registerEnumType(RecordStatus, { name: 'RecordStatus' });

@ObjectType('RecordedInteraction', { description: 'What became of one item of the input.' })
export class RecordedInteractionModel {
  @Field(() => Int, { description: 'Its position in the input, from 0.' }) index!: number;
  @Field(() => RecordStatus) status!: RecordStatus;
  @Field(() => ID, { nullable: true, description: 'The interaction recorded, or the one recorded before for a duplicate.' }) interactionId!: string | null;
  @Field(() => String, { nullable: true, description: 'The rejected field, e.g. `input.3.contact`.' }) field!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
}

@ObjectType('RecordInteractionsResult')
export class RecordInteractionsResultModel {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [RecordedInteractionModel], { description: 'One per input item, in input order.' }) items!: RecordedInteractionModel[];
}

@ObjectType('Interaction', { description: 'Something a person did: bought tickets, attended, donated, opened an email...' })
export class InteractionModel {
  @Field(() => ID) id!: string;
  @Field(() => ID) contactId!: string;
  @Field() type!: string;
  @Field() occurredAt!: Date;
  @Field(() => String, { nullable: true }) offeringId!: string | null;
  @Field(() => String, { nullable: true }) offeringName!: string | null;
  @Field(() => String, { nullable: true }) discipline!: string | null;
  @Field(() => String, { nullable: true }) venue!: string | null;
  @Field(() => Int, { nullable: true }) amountCents!: number | null;
  @Field(() => String, { nullable: true }) currency!: string | null;
  @Field(() => Int, { nullable: true }) quantity!: number | null;
  @Field(() => String, { nullable: true }) channel!: string | null;
  @Field(() => String, { nullable: true }) campaign!: string | null;
  @Field(() => String, { nullable: true }) source!: string | null;
  @Field(() => String, { nullable: true }) externalId!: string | null;
  @Field(() => JSONObjectScalar) attributes!: Record<string, unknown>;
  @Field() createdAt!: Date;
}

@ObjectType('InteractionConnection', { description: 'A page of interactions.' })
export class InteractionConnectionModel extends Paginated(InteractionModel, 'Interaction') {}

const LIST = INPUT_LIMITS.values;
const TEXT = INPUT_LIMITS.valueLength;

/** Which interactions: every condition given must hold; a list matches any of its values. */
@InputType()
export class InteractionFilterInput {
  @Field(() => Date, { nullable: true, description: 'From this time (included).' }) @IsOptional() @IsDate() from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Until this time (excluded).' }) @IsOptional() @IsDate() to?: Date | null;
  @Field(() => [String], { nullable: true, description: 'Type keys or labels.' })
  @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) types?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Discipline keys or labels.' })
  @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) disciplines?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Offering ids, or names for offerings without one.' })
  @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) offerings?: string[] | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) venues?: string[] | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) campaigns?: string[] | null;
  @Field(() => [String], { nullable: true }) @IsOptional() @IsArray() @ArrayMaxSize(LIST) @IsString({ each: true }) @MaxLength(TEXT, { each: true }) channels?: string[] | null;
}

@ArgsType()
export class InteractionsArgs {
  @Field(() => Int, { defaultValue: 20 }) @IsInt() @Min(1) @Max(100) first!: number;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() after?: string | null;
  @Field(() => InteractionFilterInput, { nullable: true })
  @IsOptional() @ValidateNested() @Type(() => InteractionFilterInput) filter?: InteractionFilterInput | null;
}

@InputType()
export class InteractionTermInput {
  @Field(() => TermKind) @IsEnum(TermKind) kind!: TermKind;
  @Field({ description: 'Upper-case letters, digits and _, starting with a letter, e.g. WORKSHOP_SIGNUP.' })
  @Matches(/^[A-Z][A-Z0-9_]{0,62}$/, { message: 'key must be upper-case letters, digits and _, starting with a letter (at most 63)' })
  key!: string;
  @Field() @IsString() @MaxLength(200) @Matches(/\S/, { message: 'label must not be blank' }) label!: string;
}

@ObjectType('InteractionTerm', { description: 'An interaction type or a discipline.' })
export class InteractionTermModel {
  @Field(() => TermKind) kind!: TermKind;
  @Field() key!: string;
  @Field({ description: 'French label.' }) labelFr!: string;
  @Field({ description: 'English label.' }) labelEn!: string;
  @Field({ description: 'Built in, or defined by the organization.' }) builtIn!: boolean;
}
