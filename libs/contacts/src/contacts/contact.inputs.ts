import { ArgsType, Field, ID, InputType, Int, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsDate, IsEnum, IsInt, IsObject, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength, ValidateNested,
} from 'class-validator';
import { INPUT_LIMITS, JSONObjectScalar } from '@app/common';
import { ConsentInput } from '../consent/consent.model.js';
import { ConsentPurpose, ConsentState } from '../consent/consent.types.js';
import { Language } from './contact.model.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType()
export class ExternalIdInput {
  @Field() @MinLength(1) @MaxLength(100) source!: string;
  @Field() @MinLength(1) @MaxLength(200) externalId!: string;
}

/** Fields shared by create and update; on update, an absent field is left as it is and null clears it. */
@InputType({ isAbstract: true })
abstract class ContactFieldsInput {
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) firstName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) lastName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(320) email?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(50) phone?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) addressLine1?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(300) addressLine2?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(200) city?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @MaxLength(20) postalCode?: string | null;
  @Field(() => String, { nullable: true, description: 'Derived from a Quebec postal code when not given.' })
  @IsOptional()
  @MaxLength(100)
  region?: string | null;
  @Field(() => String, { nullable: true, description: 'Defaults to "CA".' }) @IsOptional() @MaxLength(100) country?: string | null;
  @Field(() => Language, { nullable: true }) @IsOptional() @IsEnum(Language) preferredLanguage?: Language | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'birthDate must be a date as YYYY-MM-DD' })
  birthDate?: string | null;
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Custom attribute values, checked against their definitions.' })
  @IsOptional()
  @IsObject()
  attributes?: Record<string, unknown> | null;
}

@InputType()
export class CreateContactInput extends ContactFieldsInput {
  @Field(() => [ExternalIdInput], { nullable: true })
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

  @Field(() => [ConsentInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ConsentInput)
  consents?: ConsentInput[] | null;
}

@InputType()
export class UpdateContactInput extends ContactFieldsInput {
  @Field(() => [ExternalIdInput], { nullable: true, description: 'Added to the contact (existing ones are kept).' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ExternalIdInput)
  addExternalIds?: ExternalIdInput[] | null;
}

@InputType()
export class ConsentFilterInput {
  @Field(() => ConsentPurpose) @IsEnum(ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => [ConsentState], { description: 'Matches when the current state is one of these.' })
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.enumValues)
  @IsEnum(ConsentState, { each: true })
  states!: ConsentState[];
}

@InputType({ description: 'A condition on one custom attribute; give one comparison.' })
export class AttributeFilterInput {
  @Field() @MinLength(1) @MaxLength(63) key!: string;
  @Field(() => String, { nullable: true, description: 'Equal to (text, choice, number, date, "true"/"false").' })
  @IsOptional() @IsString() @MaxLength(INPUT_LIMITS.valueLength) equals?: string | null;
  @Field(() => [String], { nullable: true, description: 'One of (text, choice).' })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.valueLength, { each: true }) in?: string[] | null;
  @Field(() => String, { nullable: true, description: 'At least (number, date).' }) @IsOptional() @IsString() @MaxLength(INPUT_LIMITS.valueLength) gte?: string | null;
  @Field(() => String, { nullable: true, description: 'At most (number, date).' }) @IsOptional() @IsString() @MaxLength(INPUT_LIMITS.valueLength) lte?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Has a value (true) or none (false).' }) @IsOptional() exists?: boolean | null;
}

@InputType()
export class ContactFilterInput {
  @Field(() => String, { nullable: true, description: 'Words matched, accent- and case-insensitively, as prefixes of the name and email words.' })
  @IsOptional()
  @MaxLength(200)
  search?: string | null;
  @Field(() => [ID], { nullable: true }) @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.filterIds) @IsUUID('all', { each: true }) ids?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has at least one of these tags.' })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsAny?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has all of these tags.' })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsAll?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has none of these tags.' })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.tagLength, { each: true })
  tagsNone?: string[] | null;
  @Field(() => [ConsentFilterInput], { nullable: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(INPUT_LIMITS.conditions)
  @ValidateNested({ each: true })
  @Type(() => ConsentFilterInput)
  consent?: ConsentFilterInput[] | null;
  @Field(() => String, { nullable: true, description: 'e.g. "H2X" or "H2X 1"' }) @IsOptional() @MaxLength(7) postalCodePrefix?: string | null;
  @Field(() => [String], { nullable: true })
  @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.values) @IsString({ each: true }) @MaxLength(INPUT_LIMITS.valueLength, { each: true }) regions?: string[] | null;
  @Field(() => Language, { nullable: true }) @IsOptional() @IsEnum(Language) preferredLanguage?: Language | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() createdAfter?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() createdBefore?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() updatedAfter?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() updatedBefore?: Date | null;
  @Field(() => [AttributeFilterInput], { nullable: true })
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
registerEnumType(ContactSort, { name: 'ContactSort', description: 'NAME sorts by last then first name, ignoring accents and case.' });

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@ArgsType()
export class ContactsArgs {
  @Field(() => Int, { defaultValue: 50, description: 'At most 100.' }) @IsInt() @Min(0) @Max(100) first = 50;
  @Field(() => String, { nullable: true }) @IsOptional() after?: string | null;
  @Field(() => ContactSort, { defaultValue: ContactSort.NAME }) @IsEnum(ContactSort) sort = ContactSort.NAME;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC }) @IsEnum(SortDirection) direction = SortDirection.ASC;
  @Field(() => ContactFilterInput, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => ContactFilterInput) filter?: ContactFilterInput | null;
}

@InputType({ description: 'Which contacts a bulk operation applies to: ids, or every contact matching a filter.' })
export class ContactTargetInput {
  @Field(() => [ID], { nullable: true }) @IsOptional() @IsArray() @ArrayMaxSize(INPUT_LIMITS.targetIds) @IsUUID('all', { each: true }) ids?: string[] | null;
  @Field(() => ContactFilterInput, { nullable: true }) @IsOptional() @ValidateNested() @Type(() => ContactFilterInput) filter?: ContactFilterInput | null;
}
