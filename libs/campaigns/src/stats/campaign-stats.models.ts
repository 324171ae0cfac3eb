import { ArgsType, Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional } from 'class-validator';

/** What campaignStats rows can be grouped by, one breakdown per dimension asked for. */
export enum CampaignStatsDimension {
  LANGUAGE = 'LANGUAGE',
  REGION = 'REGION',
  AUDIENCE = 'AUDIENCE',
}
registerEnumType(CampaignStatsDimension, {
  name: 'CampaignStatsDimension',
  description: 'What campaignStats rows are grouped by (each dimension asked for is a breakdown of its own).',
  valuesMap: {
    LANGUAGE: { description: 'The variant the recipient got (FR or EN).' },
    REGION: { description: "The recipient's region when the recipients were taken." },
    AUDIENCE: { description: 'The audience the recipient was taken from.' },
  },
});

/** The interaction types a campaign earns (attribution). */
export const ATTRIBUTED_TYPES = ['TICKET_PURCHASE', 'DONATION', 'MEMBERSHIP'] as const;
export type AttributedType = (typeof ATTRIBUTED_TYPES)[number];

@ArgsType()
export class CampaignStatsArgs {
  @Field(() => [CampaignStatsDimension], {
    nullable: true,
    description: 'Breakdowns wanted besides the totals (rows), at most one per dimension.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsEnum(CampaignStatsDimension, { each: true })
  by?: CampaignStatsDimension[] | null;
}

@ObjectType('CampaignStatsGroup', {
  description: 'What a row is grouped by: its dimension and value (null value: recipients without one).',
})
export class CampaignStatsGroupModel {
  @Field(() => CampaignStatsDimension, { description: 'What the row is grouped by.' })
  dimension!: CampaignStatsDimension;
  @Field(() => String, { nullable: true, description: 'FR or EN (LANGUAGE rows).' }) language!: string | null;
  @Field(() => String, { nullable: true, description: 'The region (REGION rows).' }) region!: string | null;
  @Field(() => ID, { nullable: true, description: 'The audience id (AUDIENCE rows).' }) audienceId!: string | null;
  @Field(() => String, { nullable: true, description: "The audience's name (AUDIENCE rows; null once deleted)." })
  audienceName!: string | null;
}

@ObjectType('CampaignAttribution', {
  description: 'Interactions of one type that the campaign earned: by recipients within its attribution window.',
})
export class CampaignAttributionModel {
  @Field(() => String, { description: 'TICKET_PURCHASE, DONATION or MEMBERSHIP.' }) type!: AttributedType;
  @Field(() => Int, { description: 'Interactions attributed.' }) count!: number;
  @Field(() => Float, { description: 'Sum of their quantities (tickets).' }) quantity!: number;
  @Field(() => Float, { description: 'Sum of their amounts in cents, CAD only.' }) amountCents!: number;
}

@ObjectType('CampaignFigures', { description: "A campaign's figures: of all its recipients, or of one group." })
export class CampaignFiguresModel {
  @Field(() => CampaignStatsGroupModel, { nullable: true, description: 'The group; null for the totals.' })
  group!: CampaignStatsGroupModel | null;
  @Field(() => Int, { description: 'Messages of the recipient snapshot (any status).' }) recipients!: number;
  @Field(() => Int, {
    description: 'Handed to the mail server: status SENT, DELIVERED or BOUNCED (not QUEUED, FAILED, CANCELLED).',
  })
  sent!: number;
  @Field(() => Int, { description: 'Accepted by the mail server and not bounced since (status DELIVERED).' })
  delivered!: number;
  @Field(() => Int, { description: 'Hard bounces (status BOUNCED).' }) bounced!: number;
  @Field(() => Int, { description: 'Could not be handed over (status FAILED).' }) failed!: number;
  @Field(() => Int, { description: 'Recipients who opened at least once (a click counts as an open).' })
  uniqueOpens!: number;
  @Field(() => Int, { description: 'Recipients who clicked at least once.' }) uniqueClicks!: number;
  @Field(() => Int, { description: 'Recipients who unsubscribed from this campaign.' }) unsubscribes!: number;
  @Field(() => Float, { nullable: true, description: 'Unique opens over delivered; null when none was delivered.' })
  openRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Unique clicks over delivered; null when none was delivered.' })
  clickRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Unique clicks over unique opens; null when none opened.' })
  clickToOpenRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Bounced over sent; null when none was sent.' })
  bounceRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Unsubscribes over delivered; null when none was delivered.' })
  unsubscribeRate!: number | null;
  @Field(() => [CampaignAttributionModel], {
    description: 'Attributed interactions per type (TICKET_PURCHASE, DONATION, MEMBERSHIP, always all three).',
  })
  attributed!: CampaignAttributionModel[];
  @Field(() => Int, { description: 'Attributed interactions of every type.' }) attributedCount!: number;
  @Field(() => Float, { description: 'Attributed amounts in cents, CAD only (other currencies are not converted).' })
  attributedRevenueCents!: number;
}

@ObjectType('CampaignRelayFigures', {
  description:
    "What the publisher's relay of a campaign to its shared segment did, as the sender may see it: each count with the pool's noise, null under the pool's k (suppressed). No identifiers, no breakdowns.",
})
export class CampaignRelayFiguresModel {
  @Field(() => String, { description: "The relay's status at the publisher (SCHEDULED, SENDING, SENT, ...)." })
  status!: string;
  @Field(() => Int, { description: 'The k below which a count is withheld.' }) minGroupSize!: number;
  @Field(() => Int, { nullable: true, description: 'Recipients taken.' }) recipients!: number | null;
  @Field(() => Int, { nullable: true, description: 'Handed to the mail server.' }) sent!: number | null;
  @Field(() => Int, { nullable: true, description: 'Accepted by the mail server.' }) delivered!: number | null;
  @Field(() => Int, { nullable: true, description: 'Hard bounces.' }) bounced!: number | null;
  @Field(() => Int, { nullable: true, description: 'Recipients who opened.' }) uniqueOpens!: number | null;
  @Field(() => Int, { nullable: true, description: 'Recipients who clicked.' }) uniqueClicks!: number | null;
  @Field(() => Int, { nullable: true, description: 'Recipients who unsubscribed.' }) unsubscribes!: number | null;
}

@ObjectType('CampaignStats', {
  description:
    "What a campaign did: its messages' outcomes, rates, and the purchases, donations and memberships it earned. Aggregates only.",
})
export class CampaignStatsModel {
  @Field(() => ID, { description: 'The campaign.' }) campaignId!: string;
  @Field(() => Int, {
    description:
      'The attribution window: an interaction counts when it falls within this many days after the recipient clicked, else after they opened.',
  })
  attributionDays!: number;
  @Field({ description: 'The currency of the amounts (CAD).' }) currency!: string;
  @Field(() => CampaignFiguresModel, { description: 'Every recipient.' }) totals!: CampaignFiguresModel;
  @Field(() => [CampaignFiguresModel], {
    description: 'One row per value of each dimension asked for (by), in the order asked, by value (no value last).',
  })
  rows!: CampaignFiguresModel[];
  @Field(() => CampaignRelayFiguresModel, {
    nullable: true,
    description:
      "For a campaign to another pool member's shared segment (it has no messages of its own: totals are zero): the publisher's relay, suppressed counts only; null before it went out, and for every other campaign.",
  })
  relay!: CampaignRelayFiguresModel | null;
}
