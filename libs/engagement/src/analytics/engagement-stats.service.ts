import { Injectable } from '@nestjs/common';
import { AppError } from '@app/common';
import { contactFilterSql } from '@app/contacts';
import { SqlParams, TenantDb, type Tx, whereClause } from '@app/database';
import { ACCOUNT_CURRENCY, PASSIVE_TYPES } from '../interactions/contact-engagement.js';
import { InteractionType } from '../interactions/engagement-terms.js';
import type { Vocabularies } from '../interactions/interaction-rows.js';
import {
  type FilterColumns,
  INTERACTION_COLUMNS,
  interactionFilterSql,
  InteractionsService,
} from '../interactions/interactions.service.js';
import {
  ANALYTICS_TIME_ZONE,
  EngagementDimension,
  type EngagementFilterInput,
  type EngagementGroupModel,
  type EngagementMetricsModel,
  type EngagementStatsArgs,
  type EngagementStatsModel,
  type RetentionArgs,
  type RetentionModel,
  TimeInterval,
} from './engagement-stats.models.js';

/** Rows one answer may have (periods × groups): more is a question to narrow. */
export const MAX_ROWS = 10_000;
/**
 * work_mem of analytics transactions: the distinct counts of a quarter's emails (350,000 rows at 10 M interactions)
 * sort in memory instead of on disk (300 ms instead of 1.7 s).
 */
const ANALYTICS_WORK_MEM = '64MB';
/** Cohorts one retention answer may have (a DAY cohort over decades is refused); with at most 36 periods followed, 14,800 cells. */
export const MAX_COHORTS = 400;

/**
 * Where engagementStats reads: the interactions themselves, or their daily or monthly rollups (interaction_rollups,
 * interaction_monthly_rollups, kept by triggers), which answer counts, amounts and quantities of whole local days or
 * months without reading the interactions.
 */
interface StatsSource {
  from: string;
  columns: FilterColumns;
  /** The row's local time, for date_trunc (a timestamp in ANALYTICS_TIME_ZONE). */
  localTime(tz: string): string;
  interactions: string;
  amountCents: string;
  quantity: string;
  offeringName: string;
}

const RAW: StatsSource = {
  from: 'interactions i',
  columns: INTERACTION_COLUMNS,
  localTime: (tz) => `i.occurred_at AT TIME ZONE ${tz}`,
  interactions: 'count(*)',
  amountCents: `sum(i.amount_cents) FILTER (WHERE i.currency = '${ACCOUNT_CURRENCY}')`,
  quantity: 'sum(i.quantity)',
  offeringName: 'max(i.offering_name)',
};

const ROLLUPS: StatsSource = {
  from: 'interaction_rollups r',
  columns: {
    type: 'r.type',
    discipline: "nullif(r.discipline, '')",
    offering: "nullif(r.offering, '')",
    venue: "nullif(r.venue, '')",
    campaign: "nullif(r.campaign, '')",
    channel: "nullif(r.channel, '')",
    from: (param) => `r.day >= (${param} AT TIME ZONE '${ANALYTICS_TIME_ZONE}')::date`,
    to: (param) => `r.day < (${param} AT TIME ZONE '${ANALYTICS_TIME_ZONE}')::date`,
  },
  localTime: () => 'r.day::timestamp',
  interactions: 'sum(r.interactions)',
  amountCents: 'sum(r.amount_cents)',
  quantity: 'sum(r.quantity)',
  offeringName: 'max(r.offering_name)',
};

const MONTHLY_ROLLUPS: StatsSource = {
  ...ROLLUPS,
  from: 'interaction_monthly_rollups r',
  columns: {
    ...ROLLUPS.columns,
    from: (param) => `r.month >= (${param} AT TIME ZONE '${ANALYTICS_TIME_ZONE}')::date`,
    to: (param) => `r.month < (${param} AT TIME ZONE '${ANALYTICS_TIME_ZONE}')::date`,
  },
  localTime: () => 'r.month::timestamp',
};

/** Intervals of whole months: what the monthly rollups and the activity tables answer. */
const MONTHS_INTERVALS: readonly (TimeInterval | null | undefined)[] = [
  null,
  undefined,
  TimeInterval.MONTH,
  TimeInterval.QUARTER,
  TimeInterval.YEAR,
];

/** What each dimension groups by: a column of the source, or of the interaction's contact (raw source only). */
function dimensionSql(dimension: EngagementDimension, source: StatsSource): string {
  switch (dimension) {
    case EngagementDimension.TYPE:
      return source.columns.type;
    case EngagementDimension.DISCIPLINE:
      return source.columns.discipline;
    case EngagementDimension.OFFERING:
      return source.columns.offering;
    case EngagementDimension.VENUE:
      return source.columns.venue;
    case EngagementDimension.CAMPAIGN:
      return source.columns.campaign;
    case EngagementDimension.CHANNEL:
      return source.columns.channel;
    case EngagementDimension.REGION:
      return 'c.region';
    case EngagementDimension.LANGUAGE:
      return 'upper(c.preferred_language)';
  }
}

const CONTACT_DIMENSIONS: readonly EngagementDimension[] = [EngagementDimension.REGION, EngagementDimension.LANGUAGE];

const GROUP_FIELD: Record<EngagementDimension, keyof EngagementGroupModel> = {
  [EngagementDimension.TYPE]: 'type',
  [EngagementDimension.DISCIPLINE]: 'discipline',
  [EngagementDimension.OFFERING]: 'offering',
  [EngagementDimension.VENUE]: 'venue',
  [EngagementDimension.CAMPAIGN]: 'campaign',
  [EngagementDimension.CHANNEL]: 'channel',
  [EngagementDimension.REGION]: 'region',
  [EngagementDimension.LANGUAGE]: 'language',
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
  /** Email pairs (emailPairsInto), when asked for. */
  delivered?: number;
  opened?: number;
  clicked?: number;
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
    const range = args.interval ? requireRange(args.filter) : null;
    return this.db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('work_mem', '${ANALYTICS_WORK_MEM}', true)`);
      const periods = range && args.interval ? await periodStarts(tx, range, args.interval, MAX_ROWS) : [null];
      if (periods.length > MAX_ROWS)
        throw AppError.badInput('interval', `the range has more than ${MAX_ROWS} periods: use a longer interval`);

      const params = new SqlParams();
      const byContact = dimensions.some((d) => CONTACT_DIMENSIONS.includes(d));
      const vocabularies = await this.interactions.vocabularies(tx);
      // distinct contacts from the activity tables when they can answer, email pairs from their own query; the rest
      // from the rollups when they can
      const activity = wanted.uniqueContacts ? activitySeries(args, dimensions, vocabularies) : null;
      const counted = { uniqueContacts: wanted.uniqueContacts && !activity, emailRates: false };
      const source =
        byContact || !rollupsAnswer(args.filter, counted)
          ? RAW
          : wholeMonths(args.filter) && MONTHS_INTERVALS.includes(args.interval)
            ? MONTHLY_ROLLUPS
            : ROLLUPS;
      const from = this.fromClause(args.filter, params, byContact, source, vocabularies);
      const { tz, keys } = groupingOf(args, dimensions, source, params);
      const rows = await tx.query<AggregateRow>(
        `SELECT ${keys.length ? `GROUPING(${keys[0]}) = 1` : 'true'} AS "isTotal",
                ${args.interval ? `${keys[0]} AT TIME ZONE ${tz}` : 'NULL::timestamptz'} AS period,
                ARRAY[${dimensions.map((d) => `${dimensionSql(d, source)}::text`).join(', ')}]::text[] AS keys,
                ${dimensions.includes(EngagementDimension.OFFERING) ? source.offeringName : 'NULL'} AS "offeringName",
                ${source.interactions}::int AS interactions,
                ${counted.uniqueContacts ? 'count(DISTINCT i.contact_id)::int' : 'NULL'} AS "uniqueContacts",
                coalesce(${source.amountCents}, 0)::float8 AS "amountCents",
                coalesce(${source.quantity}, 0)::float8 AS quantity
           ${whereFrom(from)}
           ${keys.length ? `GROUP BY GROUPING SETS ((${keys.join(', ')}), ())` : ''}
           -- rollups of deleted interactions stay, at zero
           HAVING ${source.interactions} > 0
           -- the total first; then at most one row more than an answer may have, so that a huge grouping is refused
           -- without carrying its rows into Node
           ${keys.length ? `ORDER BY GROUPING(${keys[0]}) DESC LIMIT ${MAX_ROWS + 2}` : ''}`,
        params.values,
      );

      if (activity) await distinctFromActivity(tx, rows, activity, args);
      if (wanted.emailRates) await this.emailPairsInto(tx, rows, args, dimensions, vocabularies);
      const totalRow = rows.find((row) => row.isTotal) ?? emptyAggregate(dimensions.length);
      const totals = toMetrics(totalRow, null, [], wanted);
      if (keys.length === 0) return { rows: [totals], totals, timeZone: ANALYTICS_TIME_ZONE };
      const groups = rows.filter((row) => !row.isTotal);
      if (groups.length > MAX_ROWS)
        throw AppError.badInput('groupBy', `more than ${MAX_ROWS} rows: narrow the filter or the grouping`);
      const groupKeys = uniqueKeys(groups, dimensions.length);
      if (periods.length * groupKeys.length > MAX_ROWS) {
        throw AppError.badInput(
          'groupBy',
          `${periods.length} periods × ${groupKeys.length} groups is more than ${MAX_ROWS} rows: narrow the filter or the grouping`,
        );
      }
      const byCell = new Map(groups.map((row) => [cellKey(row.period, row.keys), row]));
      const result: EngagementMetricsModel[] = [];
      for (const period of periods) {
        for (const group of groupKeys) {
          const row = byCell.get(cellKey(period, group.keys)) ?? {
            ...emptyAggregate(dimensions.length),
            keys: group.keys,
            offeringName: group.offeringName,
          };
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
      await tx.query(`SELECT set_config('work_mem', '${ANALYTICS_WORK_MEM}', true)`);
      const cohortCount = (await periodStarts(tx, range, args.cohortInterval, MAX_COHORTS)).length;
      if (cohortCount > MAX_COHORTS) {
        throw AppError.badInput(
          'cohortInterval',
          `the range has more than ${MAX_COHORTS} cohorts: use a longer cohortInterval or a shorter range`,
        );
      }
      const params = new SqlParams();
      const { unit, step } = PERIODS[args.cohortInterval];
      const [tz, unitParam, stepParam] = [
        params.add(ANALYTICS_TIME_ZONE),
        params.add(unit),
        params.add(step, 'interval'),
      ];
      const firstCohort = `date_trunc(${unitParam}, ${params.add(range.from, 'timestamptz')} AT TIME ZONE ${tz})`;
      const end = `(${params.add(range.to, 'timestamptz')} AT TIME ZONE ${tz})`;
      const periods = params.add(args.periods, 'int');
      const cohortStarts = `SELECT generate_series(${firstCohort}, ${end} - interval '1 microsecond', ${stepParam}) AS cohort`;
      const select = `SELECT c.cohort AT TIME ZONE ${tz} AS cohort, o.k, (c.cohort + ${stepParam} * o.k) AT TIME ZONE ${tz} <= now() AS started`;
      type Row = { cohort: Date; k: number; active: number; started: boolean };
      let rows: Row[];
      if (cohortsAnswer(args)) {
        // the default activity by month, quarter or year: activity_cohorts has the counts
        rows = await tx.query<Row>(
          `WITH cohorts AS (${cohortStarts})
           ${select}, coalesce(r.contacts, 0)::int AS active
             FROM cohorts c
             CROSS JOIN generate_series(0, ${periods}) AS o(k)
             LEFT JOIN activity_cohorts r
               ON r.unit = ${unitParam} AND r.cohort = c.cohort::date AND r.period = (c.cohort + ${stepParam} * o.k)::date
            ORDER BY c.cohort, o.k`,
          params.values,
        );
      } else {
        const activityFilter = { ...args.filter, from: null, to: null };
        const from = this.fromClause(activityFilter, params, false, RAW, await this.interactions.vocabularies(tx));
        if (!args.filter.types?.length) from.where.push(`i.type <> ALL(${params.add(PASSIVE_TYPES, 'text[]')})`);
        // activity is read up to the last period followed: the end of the range plus `periods` periods
        from.where.push(`i.occurred_at < (${end} + ${stepParam} * (${periods} + 1)) AT TIME ZONE ${tz}`);
        rows = await tx.query<Row>(
          `WITH activity AS (
             SELECT DISTINCT i.contact_id, date_trunc(${unitParam}, i.occurred_at AT TIME ZONE ${tz}) AS period ${whereFrom(from)}
           ), firsts AS (
             SELECT contact_id, min(period) AS cohort FROM activity GROUP BY contact_id
           ), cohorts AS (${cohortStarts})
           ${select}, count(a.contact_id)::int AS active
             FROM cohorts c
             CROSS JOIN generate_series(0, ${periods}) AS o(k)
             LEFT JOIN firsts f ON f.cohort = c.cohort
             LEFT JOIN activity a ON a.contact_id = f.contact_id AND a.period = c.cohort + ${stepParam} * o.k
            GROUP BY c.cohort, o.k
            ORDER BY c.cohort, o.k`,
          params.values,
        );
      }
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
          return {
            periodStart,
            size: first.active,
            retained,
            rates: retained.map((count) => (count === null || first.active === 0 ? null : count / first.active)),
          };
        }),
      };
    });
  }

  /**
   * Fills in each row's email pairs: the distinct contact + campaign pairs delivered, opened and clicked in its cell,
   * and over the whole answer in the total's. Deduplicated first (a hash: one row per cell, type and pair), then
   * counted, where count(DISTINCT) sorted each cell's records (BENCHMARKS.md, issue 18, third session).
   */
  private async emailPairsInto(
    tx: Tx,
    rows: AggregateRow[],
    args: EngagementStatsArgs,
    dimensions: readonly EngagementDimension[],
    vocabularies: Vocabularies,
  ): Promise<void> {
    const params = new SqlParams();
    const byContact = dimensions.some((d) => CONTACT_DIMENSIONS.includes(d));
    const from = this.fromClause(args.filter, params, byContact, RAW, vocabularies);
    from.where.push(`i.type = ANY(${params.add(Object.values(EMAIL_PAIRS), 'text[]')})`);
    const { tz, keys } = groupingOf(args, dimensions, RAW, params);
    const cells = keys.map((_, n) => `k${n}`);
    const groups = cells.slice(args.interval ? 1 : 0).map((cell) => `${cell}::text`);
    const counts = (pair: string) =>
      Object.entries(EMAIL_PAIRS)
        .map(([name, type]) => `count(${pair}) FILTER (WHERE type = '${type}')::int AS ${name}`)
        .join(', ');
    const found = await tx.query<
      Required<Pick<AggregateRow, 'isTotal' | 'period' | 'keys' | keyof typeof EMAIL_PAIRS>>
    >(
      `WITH pairs AS (
         SELECT DISTINCT ${keys.map((key, n) => `${key} AS k${n}, `).join('')}i.type, i.contact_id, coalesce(i.campaign, '') AS campaign
         ${whereFrom(from)}
       )
       SELECT false AS "isTotal", ${args.interval ? `k0 AT TIME ZONE ${tz}` : 'NULL::timestamptz'} AS period,
              ARRAY[${groups.join(', ')}]::text[] AS keys, ${counts('*')}
         FROM pairs ${cells.length ? `GROUP BY ${cells.join(', ')}` : ''}
       UNION ALL
       SELECT true, NULL, NULL, ${counts('DISTINCT (contact_id, campaign)')} FROM pairs`,
      params.values,
    );
    const byCell = new Map(found.map((cell) => [cell.isTotal ? 'total' : cellKey(cell.period, cell.keys), cell]));
    for (const row of rows) Object.assign(row, byCell.get(row.isTotal ? 'total' : cellKey(row.period, row.keys)));
  }

  /** FROM interactions i (joined to their contacts when needed) and the filter's conditions. */
  private fromClause(
    filter: EngagementFilterInput,
    params: SqlParams,
    groupsByContact: boolean,
    source: StatsSource,
    vocabularies: Vocabularies,
  ): FromClause {
    const where = interactionFilterSql(filter, params, vocabularies, source.columns);
    const contactWhere = contactFilterSql(
      { regions: filter.regions, tagsAny: filter.tags, audiences: filter.audiences },
      params,
    );
    if (filter.languages?.length)
      contactWhere.push(`c.preferred_language = ANY(${params.add(filter.languages, 'text[]')})`);
    return { source, where: [...where, ...contactWhere], joinsContacts: groupsByContact || contactWhere.length > 0 };
  }
}

interface FromClause {
  source: StatsSource;
  where: string[];
  joinsContacts: boolean;
}

/** The email pairs each answer counts, by AggregateRow field. */
const EMAIL_PAIRS = {
  delivered: InteractionType.EMAIL_DELIVERED,
  opened: InteractionType.EMAIL_OPENED,
  clicked: InteractionType.EMAIL_CLICKED,
} as const;

/** What an answer groups by: the period of the interval (first) and the dimensions, as the source has them. */
function groupingOf(
  args: EngagementStatsArgs,
  dimensions: readonly EngagementDimension[],
  source: StatsSource,
  params: SqlParams,
): { tz: string; keys: string[] } {
  const tz = args.interval ? params.add(ANALYTICS_TIME_ZONE) : '';
  const keys = [
    ...(args.interval ? [`date_trunc(${params.add(PERIODS[args.interval].unit)}, ${source.localTime(tz)})`] : []),
    ...dimensions.map((d) => dimensionSql(d, source)),
  ];
  return { tz, keys };
}

function whereFrom(from: FromClause): string {
  const join = from.joinsContacts ? ' JOIN contacts c ON c.org_id = i.org_id AND c.id = i.contact_id' : '';
  return `FROM ${from.source.from}${join} ${whereClause(from.where)}`;
}

const localClock = new Intl.DateTimeFormat('en-US', {
  timeZone: ANALYTICS_TIME_ZONE,
  hourCycle: 'h23',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});
const localDayClock = new Intl.DateTimeFormat('en-US', {
  timeZone: ANALYTICS_TIME_ZONE,
  hourCycle: 'h23',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** Whether the rollups can answer: whole local days, no distinct count, nothing about the contacts. */
function rollupsAnswer(filter: EngagementFilterInput, wanted: MetricsWanted): boolean {
  const midnight = (time: Date | null | undefined) =>
    !time ||
    (time.getMilliseconds() === 0 &&
      localClock.formatToParts(time).every((part) => part.type === 'literal' || Number(part.value) === 0));
  const aboutContacts = narrows(filter, ['types', 'disciplines', 'offerings', 'venues', 'campaigns', 'channels']);
  return !wanted.uniqueContacts && !wanted.emailRates && !aboutContacts && midnight(filter.from) && midnight(filter.to);
}

/** Whether the range is whole local months: from and to (when given) at midnight on the first of a month. */
function wholeMonths(filter: EngagementFilterInput): boolean {
  const monthStart = (time: Date | null | undefined) =>
    !time ||
    (time.getMilliseconds() === 0 &&
      localDayClock
        .formatToParts(time)
        .every((part) => part.type === 'literal' || Number(part.value) === (part.type === 'day' ? 1 : 0)));
  return monthStart(filter.from) && monthStart(filter.to);
}

/** A filter on interactions or contacts beyond from, to and `allowed`. */
function narrows(filter: EngagementFilterInput, allowed: readonly (keyof EngagementFilterInput)[] = []): boolean {
  const lists = [
    'types',
    'disciplines',
    'offerings',
    'venues',
    'campaigns',
    'channels',
    'regions',
    'languages',
    'tags',
    'audiences',
  ] as const;
  return lists.some((name) => !allowed.includes(name) && Boolean(filter[name]?.length));
}

/**
 * The activity_transitions series that answer distinct contacts, when they can: whole months, grouped by nothing or
 * by discipline, filtered by one discipline at most and nothing else. The total's series, and each group's.
 */
interface ActivitySeries {
  total: string;
  groupSeries: (keys: readonly (string | null)[]) => string;
}

function activitySeries(
  args: EngagementStatsArgs,
  dimensions: readonly EngagementDimension[],
  vocabularies: Vocabularies,
): ActivitySeries | null {
  const { filter } = args;
  if (!wholeMonths(filter) || !MONTHS_INTERVALS.includes(args.interval)) return null;
  if (dimensions.some((d) => d !== EngagementDimension.DISCIPLINE) || narrows(filter, ['disciplines'])) return null;
  const disciplines = filter.disciplines ?? [];
  if (disciplines.length > 1) return null;
  const only = disciplines.length ? vocabularies.disciplines.keyOf(disciplines[0]) : null;
  if (disciplines.length && !only) return null; // the raw path names the bad value
  const series = (discipline: string | null) => `D:${discipline ?? ''}`;
  return {
    total: only ? series(only) : 'ALL',
    groupSeries: (keys) => (dimensions.length ? series(keys[0]) : only ? series(only) : 'ALL'),
  };
}

/**
 * Fills in each row's distinct contacts from activity_transitions: in a period [a, b) of whole months, the contacts
 * active in a month of it whose previous active month is before a, each counted once, at its first month there. The
 * periods are the interval's; the whole range is the total's, and every group's without an interval.
 */
async function distinctFromActivity(
  tx: Tx,
  rows: AggregateRow[],
  activity: ActivitySeries,
  args: EngagementStatsArgs,
): Promise<void> {
  const unit = args.interval ? PERIODS[args.interval].unit : null;
  const groups = [...new Set(rows.filter((row) => !row.isTotal).map((row) => activity.groupSeries(row.keys)))];
  const counts = await tx.query<{ period: Date | null; series: string; contacts: number }>(
    `WITH bounds AS (
       SELECT coalesce(($1::timestamptz AT TIME ZONE $2)::date, '-infinity') AS first,
              coalesce(($3::timestamptz AT TIME ZONE $2)::date, 'infinity') AS last
     ), range AS (
       SELECT t.series, t.month, t.previous, t.contacts, b.first
         FROM activity_transitions t, bounds b
        WHERE t.series = ANY ($5) AND t.month >= b.first AND t.month < b.last
     )
     SELECT period::timestamp AT TIME ZONE $2 AS period, series, sum(contacts)::int AS contacts
       FROM (SELECT date_trunc($4, month::timestamp)::date AS period, series, previous, contacts
               FROM range WHERE $4::text IS NOT NULL) AS cells
      WHERE previous < period OR previous = '-infinity'
      GROUP BY period, series
     UNION ALL
     SELECT NULL, series, sum(contacts)::int FROM range
      WHERE series = ANY ($6) AND (previous < first OR previous = '-infinity')
      GROUP BY series`,
    [
      args.filter.from ?? null,
      ANALYTICS_TIME_ZONE,
      args.filter.to ?? null,
      unit,
      [...new Set([activity.total, ...groups])],
      unit ? [activity.total] : [...new Set([activity.total, ...groups])],
    ],
  );
  const key = (period: Date | null, series: string) => JSON.stringify([period?.getTime() ?? null, series]);
  const distinct = new Map(counts.map((c) => [key(c.period, c.series), c.contacts]));
  for (const row of rows) {
    const series = row.isTotal ? activity.total : activity.groupSeries(row.keys);
    row.uniqueContacts = distinct.get(key(row.isTotal ? null : row.period, series)) ?? 0;
  }
}

/** Whether activity_cohorts answers the retention asked: the default activity, by month, quarter or year. */
function cohortsAnswer(args: RetentionArgs): boolean {
  const units = [TimeInterval.MONTH, TimeInterval.QUARTER, TimeInterval.YEAR];
  return units.includes(args.cohortInterval) && !narrows(args.filter);
}

function requireRange(filter: EngagementFilterInput): { from: Date; to: Date } {
  if (!filter.from) throw AppError.badInput('filter.from', 'filter.from is required here');
  if (!filter.to) throw AppError.badInput('filter.to', 'filter.to is required here');
  if (filter.to <= filter.from) throw AppError.badInput('filter.to', 'filter.to must be after filter.from');
  return { from: filter.from, to: filter.to };
}

/** The start of every period that overlaps [from, to), in order; at most `max` + 1 (more is refused). */
async function periodStarts(
  tx: Tx,
  range: { from: Date; to: Date },
  interval: TimeInterval,
  max: number,
): Promise<Date[]> {
  const { unit, step } = PERIODS[interval];
  // generate_series in the select list stops at the LIMIT; in FROM it would build every period of the range first
  // (days over millennia) before the limit took the first ones
  const rows = await tx.query<{ period: Date }>(
    `SELECT p AT TIME ZONE $4 AS period
       FROM (SELECT generate_series(date_trunc($1, $2::timestamptz AT TIME ZONE $4), ($3::timestamptz AT TIME ZONE $4) - interval '1 microsecond', $5::interval) AS p
              LIMIT $6) AS series`,
    [unit, range.from, range.to, ANALYTICS_TIME_ZONE, step, max + 1],
  );
  return rows.map((row) => row.period);
}

function emptyAggregate(dimensions: number): AggregateRow {
  return {
    isTotal: false,
    period: null,
    keys: Array<string | null>(dimensions).fill(null),
    offeringName: null,
    interactions: 0,
    uniqueContacts: 0,
    amountCents: 0,
    quantity: 0,
  };
}

function cellKey(period: Date | null, keys: readonly (string | null)[]): string {
  return JSON.stringify([period?.getTime() ?? null, keys]);
}

/** The distinct group values seen, ascending with no value last. */
function uniqueKeys(
  rows: readonly AggregateRow[],
  dimensions: number,
): { keys: (string | null)[]; offeringName: string | null }[] {
  const seen = new Map<string, { keys: (string | null)[]; offeringName: string | null }>();
  for (const row of rows)
    if (!seen.has(cellKey(null, row.keys)))
      seen.set(cellKey(null, row.keys), { keys: row.keys, offeringName: row.offeringName });
  const compare = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  const keys = [...seen.values()].sort((a, b) => a.keys.reduce((order, key, i) => order || compare(key, b.keys[i]), 0));
  // periods without groups: one row per period, even when nothing happened
  return dimensions === 0 ? [{ keys: [], offeringName: null }] : keys;
}

function toMetrics(
  row: AggregateRow,
  period: Date | null,
  dimensions: readonly EngagementDimension[],
  wanted: MetricsWanted,
): EngagementMetricsModel {
  const group: EngagementGroupModel = {
    type: null,
    discipline: null,
    offering: null,
    offeringName: null,
    venue: null,
    campaign: null,
    channel: null,
    region: null,
    language: null,
  };
  dimensions.forEach((dimension, i) => (group[GROUP_FIELD[dimension]] = row.keys[i]));
  if (dimensions.includes(EngagementDimension.OFFERING)) group.offeringName = row.offeringName;
  const delivered = row.delivered ?? 0;
  const rate = (count: number | undefined) => (wanted.emailRates && delivered > 0 ? (count ?? 0) / delivered : null);
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
