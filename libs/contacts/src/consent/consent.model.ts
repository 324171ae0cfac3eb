import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsDate, IsEnum, IsOptional, MaxLength, MinLength } from 'class-validator';
import { ConsentPurpose, ConsentState, ConsentStatus, ImpliedConsentReason, LegalBasis } from './consent.types.js';

registerEnumType(ConsentPurpose, { name: 'ConsentPurpose' });
registerEnumType(ConsentStatus, { name: 'ConsentStatus', description: 'What a consent record states.' });
registerEnumType(ConsentState, { name: 'ConsentState', description: 'The current consent for a purpose, derived from the records.' });
registerEnumType(LegalBasis, { name: 'LegalBasis' });
registerEnumType(ImpliedConsentReason, { name: 'ImpliedConsentReason', description: 'Why consent is implied (CASL s. 10(9)); sets its expiry.' });

@ObjectType('ConsentRecord', { description: 'One grant or withdrawal, as recorded; records are never changed.' })
export class ConsentRecordModel {
  @Field(() => ID) id!: string;
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus) status!: ConsentStatus;
  @Field(() => LegalBasis, { nullable: true }) legalBasis!: LegalBasis | null;
  @Field(() => ImpliedConsentReason, { nullable: true }) impliedReason!: ImpliedConsentReason | null;
  @Field() source!: string;
  @Field(() => String, { nullable: true, description: 'Null for the ANALYST role.' }) proof!: string | null;
  @Field() occurredAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When implied consent lapses (CASL); null for express consent.' }) expiresAt!: Date | null;
  @Field() createdAt!: Date;
}

@ObjectType('Consent', { description: 'The current consent of a contact for one purpose.' })
export class ConsentModel {
  @Field(() => ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentState) state!: ConsentState;
  @Field(() => Date, { nullable: true }) since!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
}

@InputType()
export class ConsentInput {
  @Field(() => ConsentPurpose) @IsEnum(ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus) @IsEnum(ConsentStatus) status!: ConsentStatus;
  @Field(() => LegalBasis, { nullable: true, description: 'Required for a grant.' }) @IsOptional() @IsEnum(LegalBasis) legalBasis?: LegalBasis | null;
  @Field(() => ImpliedConsentReason, { nullable: true, description: 'Required for an implied grant.' })
  @IsOptional()
  @IsEnum(ImpliedConsentReason)
  impliedReason?: ImpliedConsentReason | null;
  @Field({ description: 'Where the consent was collected, e.g. "box-office", "newsletter-form".' }) @MinLength(1) @MaxLength(200) source!: string;
  @Field(() => String, { nullable: true, description: 'Proof text: the wording shown, a form id, an IP address...' })
  @IsOptional()
  @MaxLength(4000)
  proof?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it was given or withdrawn; defaults to now.' }) @IsOptional() @IsDate() occurredAt?: Date | null;
}
