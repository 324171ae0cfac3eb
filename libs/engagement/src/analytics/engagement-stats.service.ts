import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { contactFilterSql } from '@app/contacts';
import { SqlParams, TenantDb, type Tx, whereClause } from '@app/database';
import { ACCOUNT_CURRENCY, PASSIVE_TYPES } from '../interactions/contact-engagement.js';
import { InteractionType } from '../interactions/engagement-terms.js';
import { interactionFilterSql, InteractionsService } from '../interactions/interactions.service.js';
import {
  ANALYTICS_TIME_ZONE, EngagementDimension, type EngagementFilterInput, type EngagementGroupModel, type EngagementMetricsModel,
  type EngagementStatsArgs, type EngagementStatsModel, type RetentionArgs, type RetentionModel, TimeInterval,
} from './engagement-stats.models.js';

/** Rows one answer may have (periods × groups): more is a question to narrow. */
export const MAX_ROWS = 10_000;

const DIMENSIONS: Record<EngagementDimension, { sql: string; field: keyof EngagementGroupModel; contact?: true }> = {
  [EngagementDimension.TYPE]: { sql: 'i.type', field: 'type' },
  [EngagementDimension.DISCIPLINE]: { sql: 'i.discipline', field: 'discipline' },
  [EngagementDimension.OFFERING]: { sql: 'coalesce(i.offering_id, i.offering_name)', field: 'offering' },
  [EngagementDimension.VENUE]: { sql: 'i.venue', field: 'venue' },
  [EngagementDimension.CAMPAIGN]: { sql: 'i.campaign', field: 'campaign' },
  [EngagementDimension.CHANNEL]: { sql: 'i.channel', field: 'channel' },
  [EngagementDimension.REGION]: { sql: 'c.region', field: 'region', contact: true },
  [EngagementDimension.LANGUAGE]: { sql: 'upper(c.preferred_language)', field: 'language', contact: true },
};

const PERIODS: Record<TimeInterval, { unit: string; step: string }> = {
  [TimeInterval.DAY]: { unit: 'day', step: '1 day' },
  [TimeInterval.WEEK]: { unit: 'week', step: '1 week' },
  [TimeInterval.MONTH]: { unit: 'month', step: '1 month' },
  [TimeInterval.QUARTER]: { unit: 'quarter', step: '3 months' },
  [TimeInterval.YEAR]: { unit: 'year', step: '1 year' },
};

/** Metrics that cost a distinct count: computed only when asked for. */
export interface MetricsWanted {
  uniqueContacts: boolean;
  emailRates: boolean;
}

interface AggregateRow {
  isTotal: boolean;
  period: Date | null;
  keys: (string | null)[];
  offeringName: string | null;
  interactions: number;
  uniqueContacts: number | null;
  amountCents: number;
  quantity: number;
  delivered: number | null;
  opened: number | null;
  clicked: number | null;
}

/**
 * Engagement aggregates over interactions, exact and complete: every period of the range and every group seen in it
 * is present, empty cells as zero. Periods are calendar periods in America/Toronto time. Nothing identifies a person.
 */
@Injectable()
export class EngagementStatsService {
  constructor(
    private readonly db: TenantDb,
    private readonly interactions: InteractionsService,
  ) {}

  async stats(args: EngagementStatsArgs, wanted: MetricsWanted): Promise<EngagementStatsModel> {
    const dimensions = [...new Set(args.groupBy)];
    if (args.interval) requireRange(args.filter);
    return this.db.transaction(async (tx) => {
      const periods = args.interval ? await periodStarts(tx, args.filter, args.interval) : [null];
      if (periods.length > MAX_ROWS) throw AppError.badInput('interval', `the range has ${periods.length} periods (at most ${MAX_ROWS}): use a longer interval`);

      const params = new SqlParams();
      const from = await this.fromClause(tx, args.filter, params, dimensions.some((d) => DIMENSIONS[d].contact));
      const tz = args.interval ? params.add(ANALYTICS_TIME_ZONE) : '';
      const keys = [
        ...(args.interval ? [`date_trunc(${params.add(PERIODS[args.interval].unit)}, i.occurred_at AT TIME ZONE ${tz})`] : []),
        ...dimensions.map((d) => DIMENSIONS[d].sql),
      ];
      const pairs = (type: InteractionType) =>
        `count(DISTINCT (i.contact_id, coalesce(i.campaign, ''))) FILTER (WHERE i.type = '${type}')::int`;
      const rows = await tx.query<AggregateRow>(
        `SELECT ${keys.length ? `GROUPING(${keys[0]}) = 1` : 'true'} AS "isTotal",
                ${args.interval ? `${keys[0]} AT TIME ZONE ${tz}` : 'NULL::timestamptz'} AS period,
                ARRAY[${dimensions.map((d) => `${DIMENSIONS[d].sql}::text`).join(', ')}]::text[] AS keys,
                ${dimensions.includes(EngagementDimension.OFFERING) ? 'max(i.offering_name)' : 'NULL'} AS "offeringName",
                count(*)::int AS interactions,
                ${wanted.uniqueContacts ? 'count(DISTINCT i.contact_id)::int' : 'NULL'} AS "uniqueContacts",
                coalesce(sum(i.amount_cents) FILTER (WHERE i.currency = ${params.add(ACCOUNT_CURRENCY)}), 0)::float8 AS "amountCents",
                coalesce(sum(i.quantity), 0)::float8 AS quantity,
                ${wanted.emailRates ? pairs(InteractionType.EMAIL_DELIVERED) : 'NULL'} AS delivered,
                ${wanted.emailRates ? pairs(InteractionType.EMAIL_OPENED) : 'NULL'} AS opened,
                ${wanted.emailRates ? pairs(InteractionType.EMAIL_CLICKED) : 'NULL'} AS clicked
           ${whereFrom(from)}
           ${keys.length ? `GROUP BY GROUPING SETS ((${keys.join(', ')}), ())` : ''}`,
        params.values,
      );

      const totalRow = rows.find((row) => row.isTotal) ?? emptyAggregate(dimensions.length);
      const totals = toMetrics(totalRow, null, [], wanted);
      if (keys.length === 0) return { rows: [totals], totals, timeZone: ANALYTICS_TIME_ZONE };
      const groups = rows.filter((row) => !row.isTotal);
      const groupKeys = uniqueKeys(groups, dimensions.length);
      if (periods.length * groupKeys.length > MAX_ROWS) {
        throw AppError.badInput('groupBy', `${periods.length} periods × ${groupKeys.length} groups is more than ${MAX_ROWS} rows: narrow the filter or the grouping`);
      }
      const byCell = new Map(groups.map((row) => [cellKey(row.period, row.keys), row]));
      const result: EngagementMetricsModel[] = [];
      for (const period of periods) {
        for (const group of groupKeys) {
          const row = byCell.get(cellKey(period, group.keys)) ?? { ...emptyAggregate(dimensions.length), keys: group.keys, offeringName: group.offeringName };
          result.push(toMetrics(row, period, dimensions, wanted));
        }
      }
      return { rows: result, totals, timeZone: ANALYTICS_TIME_ZONE };
    });
  }

  /**
   * Cohorts by the period of each contact's first activity ever; for each, how many were active again in each
   * following period. Activity is what the filter's interaction conditions match (by default every interaction that
   * is not done to the person: sent, delivered, bounced, unsubscribed); its from/to choose the cohorts.
   */
  async retention(args: RetentionArgs): Promise<RetentionModel> {
    const range = requireRange(args.filter);
    return this.db.transaction(async (tx) => {
      const params = new SqlParams();
      const activityFilter = { ...args.filter, from: null, to: null };
      const from = await this.fromClause(tx, activityFilter, params, false);
      if (!args.filter.types?.length) from.where.push(`i.type <> ALL(${params.add(PASSIVE_TYPES, 'text[]')})`);
      const { unit, step } = PERIODS[args.cohortInterval];
      const [tz, unitParam, stepParam] = [params.add(ANALYTICS_TIME_ZONE), params.add(unit), params.add(step, 'interval')];
      const firstCohort = `date_trunc(${unitParam}, ${params.add(range.from, 'timestamptz')} AT TIME ZONE ${tz})`;
      const end = `(${params.add(range.to, 'timestamptz')} AT TIME ZONE ${tz})`;
      const periods = params.add(args.periods, 'int');
      // activity is read up to the last period followed: the end of the range plus `periods` periods
      from.where.push(`i.occurred_at < (${end} + ${stepParam} * (${periods} + 1)) AT TIME ZONE ${tz}`);
      const rows = await tx.query<{ cohort: Date; k: number; active: number; started: boolean }>(
        `WITH activity AS (
           SELECT DISTINCT i.contact_id, date_trunc(${unitParam}, i.occurred_at AT TIME ZONE ${tz}) AS period ${whereFrom(from)}
         ), firsts AS (
           SELECT contact_id, min(period) AS cohort FROM activity GROUP BY contact_id
         ), cohorts AS (
           SELECT generate_series(${firstCohort}, ${end} - interval '1 microsecond', ${stepParam}) AS cohort
         )
         SELECT c.cohort AT TIME ZONE ${tz} AS cohort, o.k, count(a.contact_id)::int AS active,
                (c.cohort + ${stepParam} * o.k) AT TIME ZONE ${tz} <= now() AS started
           FROM cohorts c
           CROSS JOIN generate_series(0, ${periods}) AS o(k)
           LEFT JOIN firsts f ON f.cohort = c.cohort
           LEFT JOIN activity a ON a.contact_id = f.contact_id AND a.period = c.cohort + ${stepParam} * o.k
          GROUP BY c.cohort, o.k
          ORDER BY c.cohort, o.k`,
        params.values,
      );
      const cohorts = new Map<number, { periodStart: Date; counts: { active: number; started: boolean }[] }>();
      for (const row of rows) {
        const cohort = cohorts.get(row.cohort.getTime()) ?? { periodStart: row.cohort, counts: [] };
        cohort.counts[row.k] = { active: row.active, started: row.started };
        cohorts.set(row.cohort.getTime(), cohort);
      }
      return {
        timeZone: ANALYTICS_TIME_ZONE,
        cohorts: [...cohorts.values()].map(({ periodStart, counts: [first, ...following] }) => {
          const retained = following.map((count) => (count.started ? count.active : null));
          return { periodStart, size: first.active, retained, rates: retained.map((count) => (count === null || first.active === 0 ? null : count / first.active)) };
        }),
      };
    });
  }

  /** FROM interactions i (joined to their contacts when needed) and the filter's conditions. */
  private async fromClause(tx: Tx, filter: EngagementFilterInput, params: SqlParams, groupsByContact: boolean): Promise<FromClause> {
    const where = interactionFilterSql(filter, params, await this.interactions.vocabularies(tx));
    const contactWhere = contactFilterSql({ regions: filter.regions, tagsAny: filter.tags }, params);
    if (filter.languages?.length) contactWhere.push(`c.preferred_language = ANY(${params.add(filter.languages, 'text[]')})`);
    return { where: [...where, ...contactWhere], joinsContacts: groupsByContact || contactWhere.length > 0 };
  }
}

interface FromClause {
  where: string[];
  joinsContacts: boolean;
}

function whereFrom(from: FromClause): string {
  const join = from.joinsContacts ? ' JOIN contacts c ON c.org_id = i.org_id AND c.id = i.contact_id' : '';
  return `FROM interactions i${join} ${whereClause(from.where)}`;
}

function requireRange(filter: EngagementFilterInput): { from: Date; to: Date } {
  if (!filter.from) throw AppError.badInput('filter.from', 'filter.from is required here');
  if (!filter.to) throw AppError.badInput('filter.to', 'filter.to is required here');
  if (filter.to <= filter.from) throw AppError.badInput('filter.to', 'filter.to must be after filter.from');
  return { from: filter.from, to: filter.to };
}

/** The start of every period that overlaps [from, to), in order. */
async function periodStarts(tx: Tx, filter: EngagementFilterInput, interval: TimeInterval): Promise<Date[]> {
  const { unit, step } = PERIODS[interval];
  const rows = await tx.query<{ period: Date }>(
    `SELECT p AT TIME ZONE $4 AS period
       FROM generate_series(date_trunc($1, $2::timestamptz AT TIME ZONE $4), ($3::timestamptz AT TIME ZONE $4) - interval '1 microsecond', $5::interval) AS p
      LIMIT ${MAX_ROWS + 1}`,
    [unit, filter.from, filter.to, ANALYTICS_TIME_ZONE, step],
  );
  return rows.map((row) => row.period);
}

function emptyAggregate(dimensions: number): AggregateRow {
  return {
    isTotal: false, period: null, keys: Array<string | null>(dimensions).fill(null), offeringName: null,
    interactions: 0, uniqueContacts: 0, amountCents: 0, quantity: 0, delivered: 0, opened: 0, clicked: 0,
  };
}

function cellKey(period: Date | null, keys: readonly (string | null)[]): string {
  return JSON.stringify([period?.getTime() ?? null, keys]);
}

/** The distinct group values seen, ascending with no value last. */
function uniqueKeys(rows: readonly AggregateRow[], dimensions: number): { keys: (string | null)[]; offeringName: string | null }[] {
  const seen = new Map<string, { keys: (string | null)[]; offeringName: string | null }>();
  for (const row of rows) if (!seen.has(cellKey(null, row.keys))) seen.set(cellKey(null, row.keys), { keys: row.keys, offeringName: row.offeringName });
  const compare = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const keys = [...seen.values()].sort((a, b) => a.keys.reduce((order, key, i) => order || compare(key, b.keys[i]), 0));
  // periods without groups: one row per period, even when nothing happened
  return dimensions === 0 ? [{ keys: [], offeringName: null }] : keys;
}

function toMetrics(row: AggregateRow, period: Date | null, dimensions: readonly EngagementDimension[], wanted: MetricsWanted): EngagementMetricsModel {
  const group: EngagementGroupModel = {
    type: null, discipline: null, offering: null, offeringName: null, venue: null, campaign: null, channel: null, region: null, language: null,
  };
  dimensions.forEach((dimension, i) => (group[DIMENSIONS[dimension].field] = row.keys[i]));
  if (dimensions.includes(EngagementDimension.OFFERING)) group.offeringName = row.offeringName;
  const delivered = row.delivered ?? 0;
  const rate = (count: number | null) => (wanted.emailRates && delivered > 0 ? (count ?? 0) / delivered : null);
  return {
    periodStart: period,
    group,
    interactions: row.interactions,
    uniqueContacts: row.uniqueContacts ?? 0,
    amountCents: row.amountCents,
    quantity: row.quantity,
    emailsDelivered: delivered,
    openRate: rate(row.opened),
    clickRate: rate(row.clicked),
  };
}
