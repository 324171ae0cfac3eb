import { Field, Int, ObjectType } from '@nestjs/graphql';
import { InteractionType } from './engagement-terms.js';

/** Amounts are summed in the organization's currency; interactions in other currencies are counted but not summed. */
export const ACCOUNT_CURRENCY = 'CAD';

/** Things done to a person, not by them: they do not make anyone recently active. */
export const PASSIVE_TYPES: readonly string[] = [
  InteractionType.EMAIL_SENT,
  InteractionType.EMAIL_DELIVERED,
  InteractionType.EMAIL_BOUNCED,
  InteractionType.EMAIL_UNSUBSCRIBED,
];

/** Buying decisions: what the frequency score counts. */
export const TRANSACTION_TYPES: readonly string[] = [
  InteractionType.TICKET_PURCHASE,
  InteractionType.DONATION,
  InteractionType.MEMBERSHIP,
];

/**
 * Recency, frequency and monetary scores from 1 (low) to 5, 0 when there is nothing to score. Fixed thresholds rather
 * than quintiles of the organization: a score means the same thing every day and in every organization, and a rule
 * on it (audiences) compiles to plain SQL.
 * - recency: days since the last active interaction: ≤ 30 → 5, ≤ 90 → 4, ≤ 180 → 3, ≤ 365 → 2, older → 1;
 * - frequency: transactions (tickets, donations, memberships) in the last 12 months: ≥ 12 → 5, ≥ 6 → 4, ≥ 3 → 3, 2 → 2, 1 → 1;
 * - monetary: amount in the last 12 months: ≥ $1,000 → 5, ≥ $500 → 4, ≥ $200 → 3, ≥ $50 → 2, more than 0 → 1.
 */
export const RFM_THRESHOLDS = {
  recencyDays: [30, 90, 180, 365],
  frequency: [12, 6, 3, 2, 1],
  monetaryCents: [100_000, 50_000, 20_000, 5_000, 1],
} as const;

export function recencyScore(daysSince: number | null): number {
  if (daysSince === null) return 0;
  const within = RFM_THRESHOLDS.recencyDays.findIndex((days) => daysSince <= days);
  return within === -1 ? 1 : 5 - within;
}

function atLeastScore(value: number, thresholds: readonly number[]): number {
  const reached = thresholds.findIndex((threshold) => value >= threshold);
  return reached === -1 ? 0 : 5 - reached;
}

export const frequencyScore = (transactions: number): number => atLeastScore(transactions, RFM_THRESHOLDS.frequency);
export const monetaryScore = (amountCents: number): number => atLeastScore(amountCents, RFM_THRESHOLDS.monetaryCents);

@ObjectType('InteractionTypeSummary', { description: "A contact's interactions of one type." })
export class InteractionTypeSummaryModel {
  @Field({ description: "The type's key, e.g. TICKET_PURCHASE." }) type!: string;
  @Field(() => Int, { description: 'Interactions of this type, ever.' }) count!: number;
  @Field(() => Int, { description: 'Interactions of this type in the last 12 months.' }) last12Months!: number;
  @Field(() => Int, { description: 'Sum of their CAD amounts, in cents (other currencies are not summed).' })
  amountCents!: number;
  @Field(() => Int, { description: 'Sum of their CAD amounts in the last 12 months, in cents.' })
  amount12MonthsCents!: number;
  @Field({ description: 'When the latest of them happened (UTC).' }) lastAt!: Date;
}

@ObjectType('ContactEngagement', {
  description: "A summary of a contact's interactions; scores are explained in the README (RFM).",
})
export class ContactEngagementModel {
  @Field(() => Date, { nullable: true, description: 'When the first interaction happened (UTC); null without any.' })
  firstInteractionAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the latest interaction happened (UTC); null without any.' })
  lastInteractionAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description: 'The last interaction that was not done to them (sent, delivered, bounced, unsubscribed), UTC.',
  })
  lastActiveAt!: Date | null;
  @Field(() => Int, { description: 'Interactions, ever.' }) interactions!: number;
  @Field(() => Int, { description: 'Interactions in the last 12 months.' }) interactions12Months!: number;
  @Field(() => Int, { description: 'Sum of CAD amounts, in cents (other currencies are not summed).' })
  amountCents!: number;
  @Field(() => Int, { description: 'Sum of CAD amounts in the last 12 months, in cents.' })
  amount12MonthsCents!: number;
  @Field(() => Int, {
    description:
      '5 when lastActiveAt is within 30 days, 4 within 90, 3 within 180, 2 within 365, else 1; 0 without any active interaction.',
  })
  recencyScore!: number;
  @Field(() => Int, {
    description:
      'Ticket purchases, donations and memberships in the last 12 months: 5 from 12, 4 from 6, 3 from 3, 2 for 2, 1 for 1; 0 for none.',
  })
  frequencyScore!: number;
  @Field(() => Int, {
    description:
      'The CAD amount of the last 12 months: 5 from $1,000, 4 from $500, 3 from $200, 2 from $50, 1 above $0; 0 for none.',
  })
  monetaryScore!: number;
  @Field(() => [InteractionTypeSummaryModel], { description: 'By type, most frequent first.' })
  byType!: InteractionTypeSummaryModel[];
}

/** One contact's interactions of one type, as the summary query aggregates them. */
export interface TypeAggregate {
  type: string;
  count: number;
  last12Months: number;
  amountCents: number;
  amount12MonthsCents: number;
  firstAt: Date;
  lastAt: Date;
}

export function summarize(aggregates: readonly TypeAggregate[], now: Date): ContactEngagementModel {
  const sum = (pick: (a: TypeAggregate) => number, of = aggregates) => of.reduce((total, a) => total + pick(a), 0);
  const latest = (of: readonly TypeAggregate[]) =>
    of.length ? new Date(Math.max(...of.map((a) => a.lastAt.getTime()))) : null;
  const active = aggregates.filter((a) => !PASSIVE_TYPES.includes(a.type));
  const lastActiveAt = latest(active);
  const amount12MonthsCents = sum((a) => a.amount12MonthsCents);
  return {
    firstInteractionAt: aggregates.length ? new Date(Math.min(...aggregates.map((a) => a.firstAt.getTime()))) : null,
    lastInteractionAt: latest(aggregates),
    lastActiveAt,
    interactions: sum((a) => a.count),
    interactions12Months: sum((a) => a.last12Months),
    amountCents: sum((a) => a.amountCents),
    amount12MonthsCents,
    recencyScore: recencyScore(lastActiveAt ? Math.floor((now.getTime() - lastActiveAt.getTime()) / 86_400_000) : null),
    frequencyScore: frequencyScore(
      sum(
        (a) => a.last12Months,
        aggregates.filter((a) => TRANSACTION_TYPES.includes(a.type)),
      ),
    ),
    monetaryScore: monetaryScore(amount12MonthsCents),
    byType: [...aggregates]
      .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type))
      .map(({ type, count, last12Months, amountCents, amount12MonthsCents: amount12, lastAt }) => ({
        type,
        count,
        last12Months,
        amountCents,
        amount12MonthsCents: amount12,
        lastAt,
      })),
  };
}
