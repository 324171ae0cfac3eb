import {
  ATTRIBUTED_TYPES,
  type AttributedType,
  type CampaignAttributionModel,
  type CampaignFiguresModel,
  CampaignStatsDimension,
  type CampaignStatsGroupModel,
} from './campaign-stats.models.js';

/** One group's message counts, as the scan of campaign_messages gives them. */
export interface MessageCounts {
  recipients: number;
  sent: number;
  delivered: number;
  bounced: number;
  failed: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
}

/** One group's attributed interactions of one type. */
export interface AttributedSum {
  type: AttributedType;
  count: number;
  quantity: number;
  amountCents: number;
}

/** A group's key: null dimension for the totals. */
export interface GroupKey {
  dimension: CampaignStatsDimension | null;
  value: string | null;
}

export const groupKeyString = (key: GroupKey): string => JSON.stringify([key.dimension, key.value]);

/** part / base, or null when the base is 0. */
export function rate(part: number, base: number): number | null {
  return base > 0 ? part / base : null;
}

/** A group's figures: its counts, their rates and its attributed interactions (every type, zeros included). */
export function toFigures(
  group: CampaignStatsGroupModel | null,
  counts: MessageCounts,
  attributed: readonly AttributedSum[],
): CampaignFiguresModel {
  const byType: CampaignAttributionModel[] = ATTRIBUTED_TYPES.map(
    (type) => attributed.find((sum) => sum.type === type) ?? { type, count: 0, quantity: 0, amountCents: 0 },
  );
  return {
    group,
    recipients: counts.recipients,
    sent: counts.sent,
    delivered: counts.delivered,
    bounced: counts.bounced,
    failed: counts.failed,
    uniqueOpens: counts.opened,
    uniqueClicks: counts.clicked,
    unsubscribes: counts.unsubscribed,
    openRate: rate(counts.opened, counts.delivered),
    clickRate: rate(counts.clicked, counts.delivered),
    clickToOpenRate: rate(counts.clicked, counts.opened),
    bounceRate: rate(counts.bounced, counts.sent),
    unsubscribeRate: rate(counts.unsubscribed, counts.delivered),
    attributed: byType,
    attributedCount: byType.reduce((sum, a) => sum + a.count, 0),
    attributedRevenueCents: byType.reduce((sum, a) => sum + a.amountCents, 0),
  };
}

/** The row's group as GraphQL shows it. */
export function groupModel(key: GroupKey, audienceNames: ReadonlyMap<string, string>): CampaignStatsGroupModel | null {
  if (key.dimension === null) return null;
  return {
    dimension: key.dimension,
    language: key.dimension === CampaignStatsDimension.LANGUAGE ? (key.value?.toUpperCase() ?? null) : null,
    region: key.dimension === CampaignStatsDimension.REGION ? key.value : null,
    audienceId: key.dimension === CampaignStatsDimension.AUDIENCE ? key.value : null,
    audienceName:
      key.dimension === CampaignStatsDimension.AUDIENCE && key.value ? (audienceNames.get(key.value) ?? null) : null,
  };
}

/** Rows in the order of `dimensions`, then by value ascending, no value last. */
export function orderKeys(keys: readonly GroupKey[], dimensions: readonly CampaignStatsDimension[]): GroupKey[] {
  const compare = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  return keys
    .filter((key) => key.dimension !== null && dimensions.includes(key.dimension))
    .sort((a, b) => dimensions.indexOf(a.dimension!) - dimensions.indexOf(b.dimension!) || compare(a.value, b.value));
}
