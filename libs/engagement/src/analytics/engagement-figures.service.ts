import { Injectable } from '@nestjs/common';
import { TenantDb } from '@app/database';
import { PASSIVE_TYPES } from '../interactions/contact-engagement.js';
import { InteractionType } from '../interactions/engagement-terms.js';
import { ANALYTICS_TIME_ZONE, TimeInterval } from './engagement-stats.models.js';

/**
 * One figure per period that an organization can compare with others (pool benchmarks), with the same definitions as
 * engagementStats and retention:
 * - EMAIL_OPEN_RATE: distinct contact + campaign pairs that opened over those delivered (engagementStats' openRate);
 *   people: the contacts delivered to.
 * - TICKETS_PER_BUYER: tickets bought (TICKET_PURCHASE quantities, an order without one counting one ticket) per
 *   distinct buyer; people: the buyers.
 * - ATTENDANCE_FREQUENCY: ATTENDANCE interactions per distinct attendee; people: the attendees.
 * - RETENTION: of the contacts first active ever in the period before (retention's cohort: activity is any interaction
 *   not done to the person), the share active again in this one (retention's first rate); people: that cohort.
 */
export enum EngagementFigure {
  EMAIL_OPEN_RATE = 'EMAIL_OPEN_RATE',
  TICKETS_PER_BUYER = 'TICKETS_PER_BUYER',
  ATTENDANCE_FREQUENCY = 'ATTENDANCE_FREQUENCY',
  RETENTION = 'RETENTION',
}

/** The intervals figures are kept for, and how many complete periods back each goes. */
export const FIGURE_PERIODS = {
  [TimeInterval.MONTH]: 12,
  [TimeInterval.QUARTER]: 8,
  [TimeInterval.YEAR]: 3,
} as const;
export type FigureInterval = keyof typeof FIGURE_PERIODS;

export interface EngagementFigureRow {
  /** The period's start (a local midnight in ANALYTICS_TIME_ZONE). */
  periodStart: Date;
  /** Null when no one is counted (people = 0). */
  value: number | null;
  /** Whom the figure is about (its denominator). */
  people: number;
}

const UNIT: Record<FigureInterval, { unit: string; step: string }> = {
  [TimeInterval.MONTH]: { unit: 'month', step: '1 month' },
  [TimeInterval.QUARTER]: { unit: 'quarter', step: '3 months' },
  [TimeInterval.YEAR]: { unit: 'year', step: '1 year' },
};

/**
 * The last `FIGURE_PERIODS[interval]` complete periods before now, oldest first, as local timestamps ($1 unit, $2
 * step, $3 count, $4 time zone). The current period is left out: it is not over, and figures computed on different
 * days would not compare. The pools' crm_pool_benchmarks lists the same periods (the same expression).
 */
const PERIODS_SQL = `SELECT date_trunc($1, now() AT TIME ZONE $4) - $2::interval * g AS p FROM generate_series($3::int, 1, -1) g`;

/** Each figure's SQL: value and people per period p, from `periods` and the organization's interactions within `bounds`. */
const FIGURE_SQL: Record<EngagementFigure, string> = {
  [EngagementFigure.EMAIL_OPEN_RATE]: `
    SELECT date_trunc($1, i.occurred_at AT TIME ZONE $4) AS p,
           count(DISTINCT (i.contact_id, coalesce(i.campaign, ''))) FILTER (WHERE i.type = '${InteractionType.EMAIL_OPENED}')::float8
             / nullif(count(DISTINCT (i.contact_id, coalesce(i.campaign, ''))) FILTER (WHERE i.type = '${InteractionType.EMAIL_DELIVERED}'), 0) AS value,
           count(DISTINCT i.contact_id) FILTER (WHERE i.type = '${InteractionType.EMAIL_DELIVERED}') AS people
      FROM interactions i
     WHERE i.occurred_at >= (SELECT from_at FROM bounds) AND i.occurred_at < (SELECT to_at FROM bounds)
       AND i.type IN ('${InteractionType.EMAIL_DELIVERED}', '${InteractionType.EMAIL_OPENED}')
     GROUP BY 1`,
  [EngagementFigure.TICKETS_PER_BUYER]: `
    SELECT date_trunc($1, i.occurred_at AT TIME ZONE $4) AS p,
           sum(coalesce(i.quantity, 1))::float8 / count(DISTINCT i.contact_id) AS value,
           count(DISTINCT i.contact_id) AS people
      FROM interactions i
     WHERE i.occurred_at >= (SELECT from_at FROM bounds) AND i.occurred_at < (SELECT to_at FROM bounds) AND i.type = '${InteractionType.TICKET_PURCHASE}'
     GROUP BY 1`,
  [EngagementFigure.ATTENDANCE_FREQUENCY]: `
    SELECT date_trunc($1, i.occurred_at AT TIME ZONE $4) AS p,
           count(*)::float8 / count(DISTINCT i.contact_id) AS value,
           count(DISTINCT i.contact_id) AS people
      FROM interactions i
     WHERE i.occurred_at >= (SELECT from_at FROM bounds) AND i.occurred_at < (SELECT to_at FROM bounds) AND i.type = '${InteractionType.ATTENDANCE}'
     GROUP BY 1`,
  // first activity ever: every interaction before the range's end is read (as retention reads)
  [EngagementFigure.RETENTION]: `
    WITH activity AS (
      SELECT DISTINCT i.contact_id, date_trunc($1, i.occurred_at AT TIME ZONE $4) AS period
        FROM interactions i WHERE i.occurred_at < (SELECT to_at FROM bounds) AND i.type <> ALL ($5::text[])
    ), firsts AS (
      SELECT contact_id, min(period) AS cohort FROM activity GROUP BY contact_id
    )
    SELECT periods.p, count(a.contact_id)::float8 / nullif(count(f.contact_id), 0) AS value, count(f.contact_id) AS people
      FROM periods
      JOIN firsts f ON f.cohort = periods.p - $2::interval
      LEFT JOIN activity a ON a.contact_id = f.contact_id AND a.period = periods.p
     GROUP BY periods.p`,
};

/** An organization's own engagement figures, per period: what it contributes to its pools' benchmarks. */
@Injectable()
export class EngagementFiguresService {
  constructor(private readonly db: TenantDb) {}

  /**
   * The current organization's figure for each of the last complete periods of `interval` (oldest first; every period
   * present, value null when no one is counted). Inside the caller's transaction when there is one.
   */
  figures(figure: EngagementFigure, interval: FigureInterval): Promise<EngagementFigureRow[]> {
    const { unit, step } = UNIT[interval];
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<{ periodStart: Date; value: number | null; people: number }>(
        `WITH periods AS (${PERIODS_SQL}),
              bounds AS (SELECT min(p) AT TIME ZONE $4 AS from_at, (max(p) + $2::interval) AT TIME ZONE $4 AS to_at FROM periods),
              figures AS (${FIGURE_SQL[figure]})
         SELECT periods.p AT TIME ZONE $4 AS "periodStart", f.value, coalesce(f.people, 0)::int AS people
           FROM periods LEFT JOIN figures f ON f.p = periods.p
          ORDER BY periods.p`,
        [
          unit,
          step,
          FIGURE_PERIODS[interval],
          ANALYTICS_TIME_ZONE,
          ...(figure === EngagementFigure.RETENTION ? [PASSIVE_TYPES] : []),
        ],
      );
      return rows.map((row) => ({ ...row, value: row.people > 0 ? row.value : null }));
    });
  }
}
