import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { JSONObjectScalar, Paginated } from '@app/common';

export enum Language {
  FR = 'fr',
  EN = 'en',
}
registerEnumType(Language, { name: 'Language' });

@ObjectType('EnteredValues', { description: 'Values as they were entered, for the fields normalized differently.' })
export class EnteredValuesModel {
  @Field(() => String, { nullable: true }) firstName?: string | null;
  @Field(() => String, { nullable: true }) lastName?: string | null;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) postalCode?: string | null;
  @Field(() => String, { nullable: true, description: 'A birth date that was not a date (imported with keepBadDates).' }) birthDate?: string | null;
}

@ObjectType('ExternalId', { description: "A contact's id in another system (box office, newsletter...)." })
export class ExternalIdModel {
  @Field() source!: string;
  @Field() externalId!: string;
}

@ObjectType('Contact')
export class ContactModel {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) firstName!: string | null;
  @Field(() => String, { nullable: true }) lastName!: string | null;
  @Field(() => String, { nullable: true, description: 'Lowercased. Null for the ANALYST role.' }) email!: string | null;
  @Field({ description: 'A hard bounce made the current email address undeliverable (until it changes).' }) emailUndeliverable!: boolean;
  @Field(() => String, { nullable: true, description: 'E.164. Null for the ANALYST role.' }) phone!: string | null;
  @Field(() => String, { nullable: true, description: 'Null for the ANALYST role.' }) addressLine1!: string | null;
  @Field(() => String, { nullable: true, description: 'Null for the ANALYST role.' }) addressLine2!: string | null;
  @Field(() => String, { nullable: true }) city!: string | null;
  @Field(() => String, { nullable: true, description: 'Canadian codes as "A1A 1A1"; others as entered.' }) postalCode!: string | null;
  @Field(() => String, { nullable: true, description: 'Province, state or Quebec administrative region.' }) region!: string | null;
  @Field(() => String, { nullable: true }) country!: string | null;
  @Field(() => Language, { nullable: true }) preferredLanguage!: Language | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD. Null for the ANALYST role.' }) birthDate!: string | null;
  @Field(() => JSONObjectScalar, { description: 'Custom attributes, keyed by attribute definition.' }) attributes!: Record<string, unknown>;
  @Field(() => EnteredValuesModel, { description: 'Null for the ANALYST role.', nullable: true }) entered!: EnteredValuesModel | null;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType('ContactConnection', { description: 'A page of contacts.' })
export class ContactConnectionModel extends Paginated(ContactModel, 'Contact') {
  /** Counted only when asked for (see ContactConnectionResolver). */
  @Field(() => Int, { description: 'How many contacts the whole list holds, over every page.' }) totalCount!: number;
}

@ObjectType('BulkUpdateResult')
export class BulkUpdateResultModel {
  @Field(() => Int, { description: 'Rows added or removed.' }) affected!: number;
}
