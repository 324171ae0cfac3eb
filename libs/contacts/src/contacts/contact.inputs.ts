import { ArgsType, Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsDate,
  IsEnum,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { INPUT_LIMITS, JSONObjectScalar } from '@app/common';
import { ConsentInput } from '../consent/consent.model.js';
import { ConsentPurpose, ConsentState } from '../consent/consent.types.js';
import { Language } from './contact.model.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType({ description: "A contact's id in another system." })
export class ExternalIdInput {
  @Field({ description: 'The other system, e.g. "billetterie" (1 to 100 characters).' })
  @MinLength(1)
  @MaxLength(100)
  source!: string;
  @Field({ description: "The contact's id in that system (1 to 200 characters)." })
  @MinLength(1)
  @MaxLength(200)
  externalId!: string;
}

/** Fields shared by create and update; on update, an absent field is left as it is and null clears it. */
@InputType({ isAbstract: true })
abstract class ContactFieldsInput {
  @Field(() => String, { nullable: true, description: 'First name; whitespace is collapsed, case kept.' })
  @IsOptional()
  @MaxLength(200)
  firstName?: string | null;
  @Field(() => String, { nullable: true, description: 'Last name; whitespace is collapsed, case kept.' })
  @IsOptional()
  @MaxLength(200)
  lastName?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Email address; stored trimmed and lowercased, refused when not valid.',
  })
  @IsOptional()
  @MaxLength(320)
  email?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Phone number in any common format; stored as E.164 (North American when no country code is given).',
  })
  @IsOptional()
  @MaxLength(50)
  phone?: string | null;
  @Field(() => String, { nullable: true, description: 'First address line.' })
  @IsOptional()
  @MaxLength(300)
  addressLine1?: string | null;
  @Field(() => String, { nullable: true, description: 'Second address line (apartment, suite...).' })
  @IsOptional()
  @MaxLength(300)
  addressLine2?: string | null;
  @Field(() => String, { nullable: true, description: 'City.' }) @IsOptional() @MaxLength(200) city?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Postal code; a Canadian one is stored as "A1A 1A1" and refused when not valid, a foreign one kept as entered.',
  })
  @IsOptional()
  @MaxLength(20)
  postalCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Derived from a Quebec postal code when not given.' })
  @IsOptional()
  @MaxLength(100)
  region?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Country as entered; none, "CA", "CAN" or "Canada" makes the postal code Canadian.',
  })
  @IsOptional()
  @MaxLength(100)
  country?: string | null;
  @Field(() => Language, { nullable: true, description: 'The language the contact prefers to be addressed in.' })
  @IsOptional()
  @IsEnum(Language)
  preferredLanguage?: Language | null;
  @Field(() => String, { nullable: true, description: 'A calendar date as YYYY-MM-DD, not in the future.' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'birthDate must be a date as YYYY-MM-DD' })
  birthDate?: string | null;
  @Field(() => JSONObjectScalar, {
    nullable: true,
    description: 'Custom attribute values, checked against their definitions.',
  })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown> | null;
}

@InputType({
  description:
    'A new contact; fields are normalized as they are stored, and what was typed is kept in Contact.entered.',
})
export class CreateContactInput extends ContactFieldsInput {
  @Field(() => [ExternalIdInput], { nullable: true, description: "The contact's ids in other systems (at most 20)." })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ExternalIdInput)
  externalIds?: ExternalIdInput[] | null;

  @Field(() => [String], { nullable: true, description: 'Tag names; tags are created when new.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tags?: string[] | null;

  @Field(() => [ConsentInput], { nullable: true, description: 'Consent records to store with it (at most 20).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConsentInput)
  consents?: ConsentInput[] | null;
}

@InputType({ description: 'Changes to a contact: an absent field is kept, null clears it.' })
export class UpdateContactInput extends ContactFieldsInput {
  @Field(() => [ExternalIdInput], { nullable: true, description: 'Added to the contact (existing ones are kept).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ExternalIdInput)
  addExternalIds?: ExternalIdInput[] | null;
}

@InputType({ description: "A condition on a contact's current consent for one purpose." })
export class ConsentFilterInput {
  @Field(() => ConsentPurpose, { description: 'The purpose.' }) @IsEnum(ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => [ConsentState], { description: 'Matches when the current state is one of these.' })
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.enumValues)
  @IsEnum(ConsentState, { each: true })
  states!: ConsentState[];
}

@InputType({ description: 'A condition on one custom attribute; give one comparison.' })
export class AttributeFilterInput {
  @Field({ description: "The attribute's key (AttributeDefinition.key)." }) @MinLength(1) @MaxLength(63) key!: string;
  @Field(() => String, { nullable: true, description: 'Equal to (text, choice, number, date, "true"/"false").' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.valueLength)
  equals?: string | null;
  @Field(() => [String], { nullable: true, description: 'One of (text, choice).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.valueLength, { each: true })
  in?: string[] | null;
  @Field(() => String, { nullable: true, description: 'At least (number, date).' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.valueLength)
  gte?: string | null;
  @Field(() => String, { nullable: true, description: 'At most (number, date).' })
  @IsOptional()
  @IsString()
  @MaxLength(INPUT_LIMITS.valueLength)
  lte?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Has a value (true) or none (false).' }) @IsOptional() exists?:
    boolean | null;
}

@InputType({ description: 'Which contacts: every condition given must hold.' })
export class ContactFilterInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Words matched, accent- and case-insensitively, as prefixes of the name and email words (of the names only for the ANALYST role).',
  })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;
  @Field(() => [ID], { nullable: true, description: 'One of these contact ids (at most 1,000).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.filterIds)
  @IsUUID('all', { each: true })
  ids?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has at least one of these tags.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsAny?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has all of these tags.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsAll?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has none of these tags.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsNone?: string[] | null;
  @Field(() => [ConsentFilterInput], {
    nullable: true,
    description: 'Current consent conditions, all of which must hold.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.conditions)
  @ValidateNested({ each: true })
  @Type(() => ConsentFilterInput)
  consent?: ConsentFilterInput[] | null;
  @Field(() => String, {
    nullable: true,
    description: 'The postal code starts with this, case-insensitively, e.g. "H2X" or "H2X 1".',
  })
  @IsOptional()
  @MaxLength(7)
  postalCodePrefix?: string | null;
  @Field(() => [String], { nullable: true, description: 'The region is exactly one of these.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.values)
  @IsString({ each: true })
  @MaxLength(INPUT_LIMITS.valueLength, { each: true })
  regions?: string[] | null;
  @Field(() => Language, { nullable: true, description: 'Prefers this language.' })
  @IsOptional()
  @IsEnum(Language)
  preferredLanguage?: Language | null;
  @Field(() => Date, { nullable: true, description: 'Created at or after this time.' })
  @IsOptional()
  @IsDate()
  createdAfter?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Created before this time.' })
  @IsOptional()
  @IsDate()
  createdBefore?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Last changed at or after this time.' })
  @IsOptional()
  @IsDate()
  updatedAfter?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Last changed before this time.' })
  @IsOptional()
  @IsDate()
  updatedBefore?: Date | null;
  @Field(() => [AttributeFilterInput], {
    nullable: true,
    description: 'Custom attribute conditions, all of which must hold.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.conditions)
  @ValidateNested({ each: true })
  @Type(() => AttributeFilterInput)
  attributes?: AttributeFilterInput[] | null;
  @Field(() => [ID], { nullable: true, description: 'Member of every one of these audiences.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsUUID('all', { each: true })
  audiences?: string[] | null;
}

export enum ContactSort {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ContactSort, {
  name: 'ContactSort',
  description: 'What contacts are sorted by.',
  valuesMap: {
    NAME: { description: 'By last name, then first name, ignoring accents and case.' },
    CREATED_AT: { description: 'By creation time.' },
    UPDATED_AT: { description: 'By time of the last change.' },
  },
});

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, {
  name: 'SortDirection',
  description: 'The order of a sorted list.',
  valuesMap: {
    ASC: { description: 'Ascending: A to Z, oldest first.' },
    DESC: { description: 'Descending: Z to A, newest first.' },
  },
});

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, { defaultValue: 50, description: 'Contacts per page, 0 to 100.' })
  @IsInt()
  @Min(0)
  @Max(100)
  first = 50;
  @Field(() => String, {
    nullable: true,
    description: 'The endCursor of the previous page; absent for the first page.',
  })
  @IsOptional()
  after?: string | null;
  @Field(() => ContactSort, { defaultValue: ContactSort.NAME, description: 'The sort key; ties are ordered by id.' })
  @IsEnum(ContactSort)
  sort = ContactSort.NAME;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC, description: 'The sort order.' })
  @IsEnum(SortDirection)
  direction = SortDirection.ASC;
  @Field(() => ContactFilterInput, { nullable: true, description: 'Which contacts; all of them when absent.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactFilterInput)
  filter?: ContactFilterInput | null;
}

@InputType({ description: 'Which contacts a bulk operation applies to: ids, or every contact matching a filter.' })
export class ContactTargetInput {
  @Field(() => [ID], { nullable: true, description: 'These contacts (at most 10,000).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.targetIds)
  @IsUUID('all', { each: true })
  ids?: string[] | null;
  @Field(() => ContactFilterInput, {
    nullable: true,
    description: 'The contacts matching it; with ids, those of the ids that match.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ContactFilterInput)
  filter?: ContactFilterInput | null;
}
