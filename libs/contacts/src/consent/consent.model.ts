import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsDate, IsEnum, IsOptional, MaxLength, MinLength } from 'class-validator';
import { ConsentPurpose, ConsentState, ConsentStatus, ImpliedConsentReason, LegalBasis } from './consent.types.js';

registerEnumType(ConsentPurpose, {
  name: 'ConsentPurpose',
  description: 'What a contact consents to; each purpose is tracked on its own.',
  valuesMap: {
    EMAIL_MARKETING: { description: 'Marketing emails (newsletters, offers).' },
    SMS: { description: 'Text messages.' },
    PARTNER_SHARING: { description: 'Sharing the contact with partner organizations.' },
    PROFILING: { description: "Analysing the contact's behaviour to personalize what they receive." },
  },
});
registerEnumType(ConsentStatus, {
  name: 'ConsentStatus',
  description: 'What a consent record states.',
  valuesMap: { GRANTED: { description: 'Consent given.' }, WITHDRAWN: { description: 'Consent withdrawn.' } },
});
registerEnumType(ConsentState, {
  name: 'ConsentState',
  description: 'The current consent for a purpose, derived from the records.',
  valuesMap: {
    GRANTED: { description: 'A grant holds: no later withdrawal, not expired.' },
    WITHDRAWN: { description: 'The latest withdrawal is not followed by a grant.' },
    EXPIRED: { description: 'The implied consent that held has lapsed.' },
    UNKNOWN: { description: 'No record for this purpose.' },
  },
});
registerEnumType(LegalBasis, {
  name: 'LegalBasis',
  description: 'The basis of a grant under CASL.',
  valuesMap: {
    EXPRESS: { description: 'The person said yes; lasts until withdrawn.' },
    IMPLIED: { description: 'Implied by a relationship (impliedReason); lapses after a time set by the reason.' },
  },
});
registerEnumType(ImpliedConsentReason, {
  name: 'ImpliedConsentReason',
  description: 'Why consent is implied (CASL s. 10(9)); sets its expiry.',
  valuesMap: {
    PURCHASE: { description: 'A purchase, lease or barter: 2 years.' },
    DONATION: { description: 'A donation or gift to a registered charity: 2 years.' },
    MEMBERSHIP: {
      description: 'Membership of a club, association or voluntary organization: 2 years (count from when it ends).',
    },
    VOLUNTEER: { description: 'Volunteer work: 2 years.' },
    INQUIRY: { description: 'An inquiry or application: 6 months.' },
    PUBLISHED_ADDRESS: {
      description: "A conspicuously published address, for messages about the person's role: no expiry.",
    },
  },
});

@ObjectType('ConsentRecord', { description: 'One grant or withdrawal, as recorded; records are never changed.' })
export class ConsentRecordModel {
  @Field(() => ID, { description: 'The record id.' }) id!: string;
  @Field(() => ConsentPurpose, { description: 'What it applies to.' }) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus, { description: 'Grant or withdrawal.' }) status!: ConsentStatus;
  @Field(() => LegalBasis, { nullable: true, description: 'The basis of a grant; null for a withdrawal.' })
  legalBasis!: LegalBasis | null;
  @Field(() => ImpliedConsentReason, {
    nullable: true,
    description: 'Why consent is implied; null unless legalBasis is IMPLIED.',
  })
  impliedReason!: ImpliedConsentReason | null;
  @Field({ description: 'Where it was collected, e.g. "box-office".' }) source!: string;
  @Field(() => String, { nullable: true, description: 'Proof text as recorded. Null for the ANALYST role.' }) proof!:
    string | null;
  @Field({ description: 'When it was given or withdrawn (UTC).' }) occurredAt!: Date;
  @Field(() => Date, {
    nullable: true,
    description: 'When implied consent lapses (CASL), UTC; null for express consent.',
  })
  expiresAt!: Date | null;
  @Field({ description: 'When it was recorded (UTC).' }) createdAt!: Date;
}

@ObjectType('Consent', { description: 'The current consent of a contact for one purpose.' })
export class ConsentModel {
  @Field(() => ConsentPurpose, { description: 'The purpose.' }) purpose!: ConsentPurpose;
  @Field(() => ConsentState, { description: 'The state now.' }) state!: ConsentState;
  @Field(() => Date, {
    nullable: true,
    description: 'When the state began (UTC): the grant, the withdrawal or the expiry; null when UNKNOWN.',
  })
  since!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When the grant lapses or lapsed (UTC); null when it does not expire.',
  })
  expiresAt!: Date | null;
}

@InputType({ description: 'A consent grant or withdrawal to record.' })
export class ConsentInput {
  @Field(() => ConsentPurpose, { description: 'What it applies to.' }) @IsEnum(ConsentPurpose) purpose!: ConsentPurpose;
  @Field(() => ConsentStatus, { description: 'Grant or withdrawal.' }) @IsEnum(ConsentStatus) status!: ConsentStatus;
  @Field(() => LegalBasis, { nullable: true, description: 'Required for a grant.' })
  @IsOptional()
  @IsEnum(LegalBasis)
  legalBasis?: LegalBasis | null;
  @Field(() => ImpliedConsentReason, { nullable: true, description: 'Required for an implied grant.' })
  @IsOptional()
  @IsEnum(ImpliedConsentReason)
  impliedReason?: ImpliedConsentReason | null;
  @Field({ description: 'Where the consent was collected, e.g. "box-office", "newsletter-form".' })
  @MinLength(1)
  @MaxLength(200)
  source!: string;
  @Field(() => String, {
    nullable: true,
    description:
      'Proof text, up to 4,000 characters: the wording shown, a form id, an IP address... (never shown to the ANALYST role).',
  })
  @IsOptional()
  @MaxLength(4000)
  proof?: string | null;
  @Field(() => Date, {
    nullable: true,
    description: 'When it was given or withdrawn (UTC), not in the future; defaults to now.',
  })
  @IsOptional()
  @IsDate()
  occurredAt?: Date | null;
}
