import { Injectable } from '@nestjs/common';
import { AppError, isUuid } from '@app/common';
import { TenantDb, type Tx } from '@app/database';
import { ACCOUNT_CURRENCY } from '@app/engagement';
import {
  type AttributedSum,
  type GroupKey,
  groupKeyString,
  groupModel,
  type MessageCounts,
  orderKeys,
  toFigures,
} from './campaign-figures.js';
import {
  ATTRIBUTED_TYPES,
  type CampaignRelayFiguresModel,
  CampaignStatsDimension,
  type CampaignStatsModel,
} from './campaign-stats.models.js';

/** The message column each dimension groups by (campaign_messages m, or a row derived from it with the same names). */
const COLUMN: Record<CampaignStatsDimension, string> = {
  [CampaignStatsDimension.LANGUAGE]: 'language',
  [CampaignStatsDimension.REGION]: 'region',
  [CampaignStatsDimension.AUDIENCE]: 'audience_id',
};

/**
 * `GROUP BY GROUPING SETS ((), (language), ...)` for the dimensions, with the row's dimension and value: one
 * statement gives the totals and each breakdown.
 */
function grouping(
  alias: string,
  dimensions: readonly CampaignStatsDimension[],
  alsoBy?: string,
): { select: string; groupBy: string } {
  const column = (d: CampaignStatsDimension) => `${alias}.${COLUMN[d]}`;
  const when = (pick: (d: CampaignStatsDimension) => string) =>
    dimensions.map((d) => `WHEN GROUPING(${column(d)}) = 0 THEN ${pick(d)}`).join(' ');
  if (dimensions.length === 0)
    return { select: 'NULL::text AS dimension, NULL::text AS value', groupBy: alsoBy ? `GROUP BY ${alsoBy}` : '' };
  return {
    select: `CASE ${when((d) => `'${d}'`)} END AS dimension, CASE ${when((d) => `${column(d)}::text`)} END AS value`,
    groupBy: `GROUP BY ${alsoBy ? `${alsoBy}, ` : ''}GROUPING SETS ((), ${dimensions.map((d) => `(${column(d)})`).join(', ')})`,
  };
}

/**
 * Attribution's touch rule, for a message `m` (opened_at, clicked_at: its first open and click) of a campaign with
 * `days` days of attribution, and an interaction at `at`: 2 when `at` falls in [first click, first click + days), else
 * 1 in [first open, first open + days), else 0; and the touch's time. Ranking (kind, time, campaign id) decides
 * between campaigns: the latest click before the interaction wins, else the latest open (last touch).
 */
const touchKind = (m: string, days: string, at: string) =>
  `CASE WHEN ${at} >= ${m}.clicked_at AND ${at} < ${m}.clicked_at + ${days} * interval '1 day' THEN 2
        WHEN ${at} >= ${m}.opened_at AND ${at} < ${m}.opened_at + ${days} * interval '1 day' THEN 1 ELSE 0 END`;
const touchTime = (m: string, days: string, at: string) =>
  `CASE WHEN ${at} >= ${m}.clicked_at AND ${at} < ${m}.clicked_at + ${days} * interval '1 day' THEN ${m}.clicked_at
        ELSE ${m}.opened_at END`;

interface CountsRow extends MessageCounts {
  dimension: CampaignStatsDimension | null;
  value: string | null;
}

interface AttributedRow extends AttributedSum {
  dimension: CampaignStatsDimension | null;
  value: string | null;
}

/**
 * A campaign's figures: its messages' outcomes (one scan of campaign_messages, whose first-time columns MessageEvents
 * keeps) and what it earned (attribution), in total and by language, region or audience. Nothing identifies a person.
 */
@Injectable()
export class CampaignStatsService {
  constructor(private readonly db: TenantDb) {}

  /** NOT_FOUND for a campaign of another organization (RLS hides it) or none. */
  async stats(campaignId: string, by: readonly CampaignStatsDimension[] = []): Promise<CampaignStatsModel> {
    const dimensions = [...new Set(by)];
    return this.db.transaction(async (tx) => {
      const [campaign] = await tx.query<{ attributionDays: number; crossPromotion: boolean }>(
        `SELECT attribution_days AS "attributionDays",
                shared_segment_id IS NOT NULL AND relay_of_campaign_id IS NULL AS "crossPromotion"
           FROM campaigns WHERE id = $1`,
        [campaignId],
      );
      if (!campaign) throw AppError.notFound('Campaign');
      const counts = await this.messageCounts(tx, campaignId, dimensions);
      const attributed = await this.attributed(tx, campaignId, dimensions);
      const audienceNames = dimensions.includes(CampaignStatsDimension.AUDIENCE)
        ? await this.audienceNames(
            tx,
            counts.flatMap((row) =>
              row.dimension === CampaignStatsDimension.AUDIENCE && row.value ? [row.value] : [],
            ),
          )
        : new Map<string, string>();

      const sums = new Map<string, AttributedSum[]>();
      for (const row of attributed) {
        const key = groupKeyString(row);
        sums.set(key, [...(sums.get(key) ?? []), row]);
      }
      const figures = (key: GroupKey, row: MessageCounts) =>
        toFigures(groupModel(key, audienceNames), row, sums.get(groupKeyString(key)) ?? []);
      const byKey = new Map(counts.map((row) => [groupKeyString(row), row]));
      const total: GroupKey = { dimension: null, value: null };
      return {
        campaignId,
        attributionDays: campaign.attributionDays,
        currency: ACCOUNT_CURRENCY,
        totals: figures(total, byKey.get(groupKeyString(total)) ?? EMPTY),
        rows: orderKeys(counts, dimensions).map((key) => figures(key, byKey.get(groupKeyString(key))!)),
        relay: campaign.crossPromotion ? await this.relayFigures(tx, campaignId) : null,
      };
    });
  }

  /** The names of these campaigns that exist (ids that are not campaign ids are skipped), for engagementStats rows. */
  async names(ids: readonly string[]): Promise<Map<string, string>> {
    // interactions.campaign is free text (an import may say "NL-3"): only a uuid can name a campaign
    const uuids = ids.filter(isUuid);
    if (uuids.length === 0) return new Map();
    const rows = await this.db.transaction((tx) =>
      tx.query<{ id: string; name: string }>(`SELECT id, name FROM campaigns WHERE id = ANY($1::uuid[])`, [uuids]),
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /**
   * A cross-promotion's relay at the publisher, as the pools' broker shows it to the sender: suppressed counts only
   * (crm_campaign_relay_stats); null before the hand-off.
   */
  private async relayFigures(tx: Tx, campaignId: string): Promise<CampaignRelayFiguresModel | null> {
    const [row] = await tx.query<CampaignRelayFiguresModel>(
      `SELECT status, k AS "minGroupSize", recipients, sent, delivered, bounced, opened AS "uniqueOpens",
              clicked AS "uniqueClicks", unsubscribed AS unsubscribes
         FROM crm_campaign_relay_stats($1)`,
      [campaignId],
    );
    return row ?? null;
  }

  /** One scan of the campaign's messages (its unique (org_id, campaign_id, contact_id) index). */
  private messageCounts(tx: Tx, campaignId: string, dimensions: readonly CampaignStatsDimension[]) {
    const { select, groupBy } = grouping('m', dimensions);
    return tx.query<CountsRow>(
      `SELECT ${select},
              count(*)::int AS recipients,
              count(*) FILTER (WHERE m.status IN ('SENT', 'DELIVERED', 'BOUNCED'))::int AS sent,
              count(*) FILTER (WHERE m.status = 'DELIVERED')::int AS delivered,
              count(*) FILTER (WHERE m.status = 'BOUNCED')::int AS bounced,
              count(*) FILTER (WHERE m.status = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE m.opened_at IS NOT NULL OR m.clicked_at IS NOT NULL)::int AS opened,
              count(*) FILTER (WHERE m.clicked_at IS NOT NULL)::int AS clicked,
              count(*) FILTER (WHERE m.unsubscribed_at IS NOT NULL)::int AS unsubscribed
         FROM campaign_messages m
        WHERE m.campaign_id = $1
        ${groupBy}`,
      [campaignId],
    );
  }

  /**
   * The TICKET_PURCHASE, DONATION and MEMBERSHIP interactions the campaign earned. Attribution reads the engagement
   * context's interactions table as a read model (no service of @app/engagement answers "a contact's interactions of
   * these types in a window" for a whole campaign in one statement). For each recipient who opened or clicked, their
   * interactions in the window (interactions_contact_idx: contact, then time) count unless another campaign's message
   * to them ranks higher for that interaction (last touch; see touchKind), so an interaction counts for one campaign
   * at most. Amounts: CAD only, as engagementStats sums them; the count includes every currency.
   */
  private attributed(tx: Tx, campaignId: string, dimensions: readonly CampaignStatsDimension[]) {
    const { select, groupBy } = grouping('p', dimensions, 'p.type');
    return tx.query<AttributedRow>(
      `WITH c AS (SELECT id, attribution_days AS days FROM campaigns WHERE id = $1),
       p AS (
         SELECT m.language, m.region, m.audience_id, m.contact_id, i.type, i.quantity, i.amount_cents, i.currency,
                i.occurred_at AS at, ${touchKind('m', 'c.days', 'i.occurred_at')} AS kind,
                ${touchTime('m', 'c.days', 'i.occurred_at')} AS touched_at
           FROM c
           JOIN campaign_messages m ON m.campaign_id = c.id
           JOIN interactions i ON i.contact_id = m.contact_id
                AND i.occurred_at >= least(m.opened_at, m.clicked_at)
                AND i.occurred_at < greatest(m.opened_at, m.clicked_at) + c.days * interval '1 day'
                AND i.type = ANY($2::text[])
          WHERE (m.opened_at IS NOT NULL OR m.clicked_at IS NOT NULL)
       )
       SELECT ${select}, p.type, count(*)::int AS count, coalesce(sum(p.quantity), 0)::float8 AS quantity,
              coalesce(sum(p.amount_cents) FILTER (WHERE p.currency = $3), 0)::float8 AS "amountCents"
         FROM p
        WHERE p.kind > 0
          AND NOT EXISTS (
                SELECT 1 FROM campaign_messages o JOIN campaigns oc ON oc.org_id = o.org_id AND oc.id = o.campaign_id
                 WHERE o.contact_id = p.contact_id AND o.campaign_id <> $1
                   AND (${touchKind('o', 'oc.attribution_days', 'p.at')}, ${touchTime('o', 'oc.attribution_days', 'p.at')}, o.campaign_id)
                       > (p.kind, p.touched_at, $1::uuid))
        ${groupBy}`,
      [campaignId, ATTRIBUTED_TYPES, ACCOUNT_CURRENCY],
    );
  }

  /**
   * Audience names for the AUDIENCE rows, read from the audiences context's table as a read model (campaign_audiences
   * already references it by key), in the same tenant transaction.
   */
  private async audienceNames(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await tx.query<{ id: string; name: string }>(
      `SELECT id, name FROM audiences WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.name]));
  }
}

const EMPTY: MessageCounts = {
  recipients: 0,
  sent: 0,
  delivered: 0,
  bounced: 0,
  failed: 0,
  opened: 0,
  clicked: 0,
  unsubscribed: 0,
};
