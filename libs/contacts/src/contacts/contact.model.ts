import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONObjectScalar, Paginated } from '@app/common';

export enum Language {
  FR = 'fr',
  EN = 'en',
}
registerEnumType(Language, {
  name: 'Language',
  description: "A contact's preferred language.",
  valuesMap: { FR: { description: 'French.' }, EN: { description: 'English.' } },
});

@ObjectType('EnteredValues', {
  description:
    'Values as they were entered, for the fields normalized differently or left empty by an import because they were not valid.',
})
export class EnteredValuesModel {
  @Field(() => String, {
    nullable: true,
    description: 'The first name as typed, when whitespace was trimmed or collapsed.',
  })
  firstName?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The last name as typed, when whitespace was trimmed or collapsed.',
  })
  lastName?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The email address as typed, when it was lowercased or trimmed, or when it was not valid (an import left the email empty).',
  })
  email?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The phone number as typed, when it was rewritten as E.164, or when it was not valid (an import left the phone empty).',
  })
  phone?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The postal code as typed, when it was rewritten, or when it was not valid (an import left the postal code empty).',
  })
  postalCode?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'A language an import did not know (not fr or en): the preferred language was left empty.',
  })
  preferredLanguage?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'A birth date an import left empty because it was not a date, did not exist or was in the future; matching reads it.',
  })
  birthDate?: string | null;
}

@ObjectType('ExternalId', { description: "A contact's id in another system (box office, newsletter...)." })
export class ExternalIdModel {
  @Field({ description: 'The other system, e.g. "billetterie".' }) source!: string;
  @Field({ description: "The contact's id in that system; unique per source in the organization." })
  externalId!: string;
}

@ObjectType('Contact', {
  description: 'A person the organization knows; direct identifiers are null for the ANALYST role.',
})
export class ContactModel {
  @Field(() => ID, { description: 'The contact id.' }) id!: string;
  @Field(() => String, { nullable: true, description: 'First name, whitespace collapsed, case kept.' }) firstName!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Last name, whitespace collapsed, case kept.' }) lastName!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Lowercased. Null for the ANALYST role.' }) email!: string | null;
  @Field({ description: 'A hard bounce made the current email address undeliverable (until it changes).' })
  emailUndeliverable!: boolean;
  @Field(() => String, { nullable: true, description: 'E.164. Null for the ANALYST role.' }) phone!: string | null;
  @Field(() => String, { nullable: true, description: 'First address line. Null for the ANALYST role.' })
  addressLine1!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Second address line (apartment, suite...). Null for the ANALYST role.',
  })
  addressLine2!: string | null;
  @Field(() => String, { nullable: true, description: 'City, as entered (whitespace collapsed).' }) city!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Canadian codes as "A1A 1A1"; others as entered.' }) postalCode!:
    string | null;
  @Field(() => String, { nullable: true, description: 'Province, state or Quebec administrative region.' }) region!:
    string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Country, as entered; none or Canada ("CA", "CAN", "Canada") reads postal codes as Canadian.',
  })
  country!: string | null;
  @Field(() => Language, { nullable: true, description: 'The language the contact prefers to be addressed in.' })
  preferredLanguage!: Language | null;
  @Field(() => String, {
    nullable: true,
    description: 'A calendar date as YYYY-MM-DD, without time zone. Null for the ANALYST role.',
  })
  birthDate!: string | null;
  @Field(() => JSONObjectScalar, {
    description: 'Custom attribute values by key: text, number, true/false, or YYYY-MM-DD for a DATE.',
  })
  attributes!: Record<string, unknown>;
  @Field(() => EnteredValuesModel, {
    description: 'What was typed, where it differs from the stored value. Null for the ANALYST role.',
    nullable: true,
  })
  entered!: EnteredValuesModel | null;
  @Field({ description: 'When the contact was created (UTC).' }) createdAt!: Date;
  @Field({ description: 'When the contact was last changed (UTC).' }) updatedAt!: Date;
}

@ObjectType('ContactConnection', { description: 'A page of contacts.' })
export class ContactConnectionModel extends Paginated(ContactModel, 'Contact') {
  /** Counted only when asked for (see ContactConnectionResolver). */
  @Field(() => Int, { description: 'How many contacts the whole list holds, over every page.' }) totalCount!: number;
}

@ObjectType('BulkUpdateResult', { description: 'What a bulk change of contacts did.' })
export class BulkUpdateResultModel {
  @Field(() => Int, { description: 'Tags added or removed, counted once per contact and tag.' }) affected!: number;
}
