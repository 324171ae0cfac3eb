import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEmail,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Paginated } from '@app/common';
import { Language } from '@app/contacts';

/** Bounds of what a campaign holds: its content is tenant input, rendered for every recipient. */
export const CAMPAIGN_LIMITS = {
  name: 200,
  subject: 300,
  /** Characters of a variant's HTML, and of its text. */
  body: 200_000,
  /** Audiences included, and excluded. */
  audiences: 20,
  /** Addresses of one test send. */
  testAddresses: 5,
};

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  SENDING = 'SENDING',
  PAUSED = 'PAUSED',
  SENT = 'SENT',
  CANCELLED = 'CANCELLED',
}
registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'DRAFT → SCHEDULED → SENDING → SENT; SENDING ⇄ PAUSED; CANCELLED from any but SENT.',
  valuesMap: {
    DRAFT: { description: 'Being written: the only state in which it can be edited.' },
    SCHEDULED: { description: 'Waiting for its time; its recipients are taken then.' },
    SENDING: { description: 'Recipients taken; messages going out at its rate.' },
    PAUSED: { description: 'Sending stopped; resume sends the rest.' },
    SENT: { description: 'Every message was handed over (or failed).' },
    CANCELLED: { description: 'Stopped for good; messages not yet sent never will be.' },
  },
});

export enum CampaignChannel {
  EMAIL = 'EMAIL',
}
registerEnumType(CampaignChannel, {
  name: 'CampaignChannel',
  description: 'How a campaign reaches people.',
  valuesMap: { EMAIL: { description: 'Email, through the SMTP server (or the outbox folder).' } },
});

/** Why a contact of the included audiences does not receive a campaign: the first that applies, in this order. */
export enum ExclusionReason {
  EXCLUDED_AUDIENCE = 'EXCLUDED_AUDIENCE',
  NO_PARTNER_SHARING = 'NO_PARTNER_SHARING',
  NO_VALID_EMAIL = 'NO_VALID_EMAIL',
  HARD_BOUNCED = 'HARD_BOUNCED',
  UNSUBSCRIBED = 'UNSUBSCRIBED',
  NO_CONSENT = 'NO_CONSENT',
  FREQUENCY_CAP = 'FREQUENCY_CAP',
  DUPLICATE_EMAIL = 'DUPLICATE_EMAIL',
}
registerEnumType(ExclusionReason, {
  name: 'ExclusionReason',
  description: 'Why a contact of the included audiences is left out (the first that applies, in this order).',
  valuesMap: {
    EXCLUDED_AUDIENCE: { description: 'Member of an excluded audience.' },
    NO_PARTNER_SHARING: {
      description:
        "A relay of a pool partner's campaign: PARTNER_SHARING consent not granted (only people who agreed that the organization's partners may write to them get it).",
    },
    NO_VALID_EMAIL: { description: 'No email address.' },
    HARD_BOUNCED: { description: 'The address hard-bounced (until it changes).' },
    UNSUBSCRIBED: { description: 'EMAIL_MARKETING consent withdrawn.' },
    NO_CONSENT: {
      description:
        'Neither express nor unexpired implied EMAIL_MARKETING consent (CASL: implied from a purchase lasts 2 years, from an inquiry 6 months).',
    },
    FREQUENCY_CAP: {
      description: "Already received (or about to receive) the organization's cap of campaigns in its period.",
    },
    DUPLICATE_EMAIL: { description: 'Another recipient has the same address: only one of them gets it.' },
  },
});

@InputType({ description: 'The content of a campaign in one language.' })
export class CampaignVariantInput {
  @Field(() => Language, { description: 'Who gets it: recipients who prefer this language.' })
  @IsEnum(Language)
  language!: Language;
  @Field({ description: `The subject (1 to ${CAMPAIGN_LIMITS.subject} characters); merge fields allowed.` })
  @IsString()
  @MinLength(1)
  @MaxLength(CAMPAIGN_LIMITS.subject)
  subject!: string;
  @Field({
    description: `The HTML body (up to ${CAMPAIGN_LIMITS.body.toLocaleString('en')} characters); merge fields such as {{firstName}} or {{firstName|ami}} (a fallback) are filled in, escaped.`,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(CAMPAIGN_LIMITS.body)
  html!: string;
  @Field(() => String, { nullable: true, description: 'The plain-text body; made from the HTML when absent.' })
  @IsOptional()
  @IsString()
  @MaxLength(CAMPAIGN_LIMITS.body)
  text?: string | null;
}

@ObjectType('CampaignVariant', { description: 'The content of a campaign in one language.' })
export class CampaignVariantModel {
  @Field(() => Language, { description: 'Who gets it.' }) language!: Language;
  @Field({ description: 'The subject, with its merge fields.' }) subject!: string;
  @Field({ description: 'The HTML body, with its merge fields.' }) html!: string;
  @Field(() => String, { nullable: true, description: 'The plain-text body, if given.' }) text!: string | null;
}

/** Fields shared by creation and edits; on an edit an absent field is kept. */
@InputType({ description: 'A campaign’s settings: on an update, an absent field is kept.' })
export class CampaignUpdateInput {
  @Field(() => String, { nullable: true, description: `Its name (1 to ${CAMPAIGN_LIMITS.name} characters).` })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(CAMPAIGN_LIMITS.name)
  name?: string | null;
  @Field(() => ID, { nullable: true, description: 'The sender identity (senderIdentities).' })
  @IsOptional()
  @IsUUID('all')
  senderId?: string | null;
  @Field(() => Language, {
    nullable: true,
    description: 'The variant of recipients whose language has none (default fr).',
  })
  @IsOptional()
  @IsEnum(Language)
  defaultLanguage?: Language | null;
  @Field(() => [CampaignVariantInput], { nullable: true, description: 'The content, one variant per language.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2)
  @ValidateNested({ each: true })
  @Type(() => CampaignVariantInput)
  variants?: CampaignVariantInput[] | null;
  @Field(() => [ID], {
    nullable: true,
    description: `Its recipients: members of any of these audiences (at most ${CAMPAIGN_LIMITS.audiences}).`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CAMPAIGN_LIMITS.audiences)
  @IsUUID('all', { each: true })
  includeAudienceIds?: string[] | null;
  @Field(() => [ID], {
    nullable: true,
    description: `Members of these audiences never get it (at most ${CAMPAIGN_LIMITS.audiences}).`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CAMPAIGN_LIMITS.audiences)
  @IsUUID('all', { each: true })
  excludeAudienceIds?: string[] | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "Instead of audiences: another pool member's shared segment shared for CROSS_PROMOTION. The publisher sends it on the organization's behalf to those of its people who agreed to partner sharing and can receive email; the organization sees counts only (suppressed under the pool's k). Exclusive with includeAudienceIds and excludeAudienceIds; checked when scheduled.",
  })
  @IsOptional()
  @IsUUID('all')
  sharedSegmentId?: string | null;
  @Field(() => Int, { nullable: true, description: 'Messages per minute, 1 to 100,000 (default 600).' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  sendRate?: number | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'Purchases, donations and memberships within this many days of a click (else an open) count for it: 1 to 90 (default 7).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  attributionDays?: number | null;
}

@InputType({ description: 'A new campaign (a DRAFT).' })
export class CampaignInput extends CampaignUpdateInput {
  @Field({ description: `Its name (1 to ${CAMPAIGN_LIMITS.name} characters).` })
  @IsString()
  @MinLength(1)
  @MaxLength(CAMPAIGN_LIMITS.name)
  declare name: string;
}

@ObjectType('CampaignAudience', { description: 'An audience a campaign includes or excludes.' })
export class CampaignAudienceModel {
  @Field(() => ID, { description: 'The audience id.' }) id!: string;
  @Field({ description: 'Its name.' }) name!: string;
}

@ObjectType('CampaignProgress', { description: 'Where the campaign’s messages are.' })
export class CampaignProgressModel {
  @Field(() => Int, { description: 'Waiting to be sent.' }) queued!: number;
  @Field(() => Int, { description: 'Handed to the mail server, no answer recorded yet.' }) sent!: number;
  @Field(() => Int, { description: 'Accepted by the mail server.' }) delivered!: number;
  @Field(() => Int, { description: 'Rejected for good (hard bounce).' }) bounced!: number;
  @Field(() => Int, { description: 'Not handed over for another reason.' }) failed!: number;
  @Field(() => Int, { description: 'Never sent: the campaign was cancelled first.' }) cancelled!: number;
}

@ObjectType('CampaignExclusion', { description: 'How many contacts are left out for one reason.' })
export class CampaignExclusionModel {
  @Field(() => ExclusionReason, { description: 'Why.' }) reason!: ExclusionReason;
  @Field(() => Int, { description: 'How many (each contact counted under its first reason only).' }) count!: number;
}

@ObjectType('Campaign', { description: 'An email to audiences of the organization.' })
export class CampaignModel {
  @Field(() => ID, { description: 'The campaign id.' }) id!: string;
  @Field({ description: 'Its name.' }) name!: string;
  @Field(() => CampaignChannel, { description: 'How it reaches people.' }) channel!: CampaignChannel;
  @Field(() => CampaignStatus, { description: 'Where it is in its life.' }) status!: CampaignStatus;
  @Field(() => ID, { nullable: true, description: 'The sender identity, once chosen.' }) senderId!: string | null;
  @Field(() => Language, { description: 'The variant of recipients whose language has none.' })
  defaultLanguage!: Language;
  @Field(() => [CampaignVariantModel], { description: 'The content, one variant per language.' })
  variants!: CampaignVariantModel[];
  @Field(() => Int, { description: 'Messages per minute.' }) sendRate!: number;
  @Field(() => Int, { description: 'Days after a click (else an open) in which purchases count for it.' })
  attributionDays!: number;
  @Field(() => Date, { nullable: true, description: 'When it goes (or went) out.' }) scheduledAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'Recipients, once taken (when sending starts).' })
  recipients!: number | null;
  @Field(() => [CampaignExclusionModel], {
    nullable: true,
    description: 'Who was left out and why, once the recipients were taken.',
  })
  exclusions!: CampaignExclusionModel[] | null;
  @Field(() => ID, { nullable: true, description: 'The campaign it was duplicated from.' })
  duplicatedFrom!: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "The pool shared segment it addresses instead of audiences: another member's (a cross-promotion), or, on a relay, my organization's.",
  })
  sharedSegmentId!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "A relay: my organization sends this pool partner's campaign (by name, as it was) to those of its people who agreed to partner sharing. Read-only: it can be paused, resumed or cancelled, not edited.",
  })
  relayFor!: string | null;
  @Field({ description: 'When it was created.' }) createdAt!: Date;
  @Field({ description: 'When it was last changed.' }) updatedAt!: Date;
  @Field(() => Date, { nullable: true, description: 'When sending started.' }) sendingAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the last message was handed over.' }) sentAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When it was cancelled.' }) cancelledAt!: Date | null;
}

@ObjectType('CampaignConnection', { description: 'A page of campaigns, latest first.' })
export class CampaignConnectionModel extends Paginated(CampaignModel, 'Campaign') {}

@ArgsType()
export class CampaignsArgs {
  @Field(() => Int, { defaultValue: 20, description: 'Campaigns per page, 1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100)
  first!: number;
  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page; absent for the first.' })
  @IsOptional()
  @IsString()
  after?: string | null;
  @Field(() => [CampaignStatus], { nullable: true, description: 'Only campaigns in one of these states.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(6)
  @IsEnum(CampaignStatus, { each: true })
  status?: CampaignStatus[] | null;
}

@ArgsType()
export class SendTestCampaignArgs {
  @Field(() => ID, { description: 'The campaign.' }) @IsUUID('all') id!: string;
  @Field(() => [String], { description: `Where to send it: 1 to ${CAMPAIGN_LIMITS.testAddresses} addresses.` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(CAMPAIGN_LIMITS.testAddresses)
  @IsEmail({}, { each: true })
  @MaxLength(320, { each: true })
  addresses!: string[];
  @Field(() => Language, { nullable: true, description: 'Which variant (default: the campaign’s default).' })
  @IsOptional()
  @IsEnum(Language)
  language?: Language | null;
}

@ObjectType('CampaignTestSend', { description: 'What became of a test message to one address.' })
export class CampaignTestSendModel {
  @Field({ description: 'The address, as sent to.' }) address!: string;
  @Field({ description: 'The mail server (or the outbox) took it.' }) delivered!: boolean;
  @Field(() => String, { nullable: true, description: 'Why not: the server’s reply code, when it refused.' })
  failure!: string | null;
}

@ObjectType('CampaignSample', {
  description: 'A campaign’s variant as a recipient sees it (merge fields filled with sample values).',
})
export class CampaignSampleModel {
  @Field(() => Language, { description: 'The variant.' }) language!: Language;
  @Field(() => Int, {
    nullable: true,
    description: "Recipients who would get this variant; null for a campaign to another member's shared segment.",
  })
  recipients!: number | null;
  @Field({ description: 'The subject.' }) subject!: string;
  @Field({ description: 'The HTML body, with the footer and tracking links.' }) html!: string;
  @Field({ description: 'The plain-text body.' }) text!: string;
}

@ObjectType('CampaignPreview', {
  description: 'Who would receive a campaign if it went out now, and what they would see.',
})
export class CampaignPreviewModel {
  @Field(() => Int, {
    nullable: true,
    description:
      "How many would receive it. For a campaign to another member's shared segment: a count with the pool's noise, null under the pool's k (suppressed), before the publisher's frequency cap.",
  })
  recipients!: number | null;
  @Field(() => [CampaignExclusionModel], { description: 'How many are left out, per reason (each under its first).' })
  excluded!: CampaignExclusionModel[];
  @Field(() => [CampaignSampleModel], { description: 'A rendered sample of each variant.' })
  samples!: CampaignSampleModel[];
}

@ObjectType('SenderIdentity', {
  description: 'Who campaigns are from, with the mailing address and contact line CASL requires in every message.',
})
export class SenderIdentityModel {
  @Field(() => ID, { description: 'Its id.' }) id!: string;
  @Field({ description: 'The name shown as the sender.' }) fromName!: string;
  @Field({ description: 'The From address.' }) fromEmail!: string;
  @Field(() => String, { nullable: true, description: 'Where replies go, when not the From address.' })
  replyTo!: string | null;
  @Field({ description: 'The physical mailing address shown in every message.' }) mailingAddress!: string;
  @Field({ description: 'A telephone number, email or web address to reach the sender, shown in every message.' })
  contactLine!: string;
  @Field({ description: 'When it was created.' }) createdAt!: Date;
}

@InputType({ description: 'A new sender identity.' })
export class SenderIdentityInput {
  @Field({ description: 'The name shown as the sender (1 to 200 characters).' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  fromName!: string;
  @Field({ description: 'The From address.' }) @IsEmail() @MaxLength(320) fromEmail!: string;
  @Field(() => String, { nullable: true, description: 'Where replies go.' })
  @IsOptional()
  @IsEmail()
  @MaxLength(320)
  replyTo?: string | null;
  @Field({ description: 'The physical mailing address (1 to 500 characters).' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  mailingAddress!: string;
  @Field({ description: 'A telephone number, email or web address (1 to 200 characters).' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  contactLine!: string;
}

@ObjectType('CampaignSettings', { description: 'The organization’s campaign rules.' })
export class CampaignSettingsModel {
  @Field(() => Int, {
    nullable: true,
    description: 'At most this many campaigns per person in frequencyCapDays days; null: no cap.',
  })
  frequencyCapCount!: number | null;
  @Field(() => Int, { description: 'The period of the cap, in days.' }) frequencyCapDays!: number;
}

@InputType({ description: 'The organization’s campaign rules.' })
export class CampaignSettingsInput {
  @Field(() => Int, { nullable: true, description: 'At most this many campaigns per person (1 to 100); null: no cap.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  frequencyCapCount?: number | null;
  @Field(() => Int, { description: 'In this many days (1 to 365).' })
  @IsInt()
  @Min(1)
  @Max(365)
  frequencyCapDays!: number;
}
