import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { mulberry32, Rng } from '@app/fixtures';
import { InteractionType, PASSIVE_TYPES } from '@app/engagement';
import { Role } from '@app/tenancy';
import { TestApi } from './support/test-app.js';

/**
 * engagementStats and retention against the same figures computed here, in memory, from the interactions recorded:
 * every cell, zeros included, periods in America/Toronto time.
 */
const RECORD = `mutation($input: [InteractionInput!]!) { recordInteractions(input: $input) { accepted rejected } }`;
const STATS = `query($filter: EngagementFilterInput!, $groupBy: [EngagementDimension!], $interval: TimeInterval) {
  engagementStats(filter: $filter, groupBy: $groupBy, interval: $interval) { timeZone
    rows { periodStart group { type discipline offering offeringName campaign region language } interactions uniqueContacts amountCents quantity emailsDelivered openRate clickRate }
    totals { interactions uniqueContacts amountCents quantity emailsDelivered openRate clickRate } } }`;
const RETENTION = `query($filter: EngagementFilterInput!, $cohortInterval: TimeInterval, $periods: Int) {
  retention(filter: $filter, cohortInterval: $cohortInterval, periods: $periods) { cohorts { periodStart size retained rates } } }`;

const TYPES = ['TICKET_PURCHASE', 'ATTENDANCE', 'DONATION', 'EMAIL_DELIVERED', 'EMAIL_OPENED', 'EMAIL_CLICKED'];
const DISCIPLINES = ['THEATRE', 'DANCE', 'MUSIC', null];
const CAMPAIGNS = ['NL-A', 'NL-B', null];
const REGIONS = [
  { postalCode: 'H2X 1Y4', region: 'Montréal' },
  { postalCode: 'G1R 4P5', region: 'Capitale-Nationale' },
  { postalCode: null, region: null },
];

interface Recorded {
  contact: number;
  type: string;
  occurredAt: string;
  discipline: string | null;
  offering: string;
  campaign: string | null;
  amountCents: number | null;
  currency: string | null;
  quantity: number | null;
}

const toronto = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Toronto',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
/** The calendar day in Toronto, YYYY-MM-DD. */
const localDay = (instant: string | Date) => toronto.format(new Date(instant));
/** The Monday of the Toronto week, YYYY-MM-DD. */
function localWeek(instant: string | Date): string {
  const [y, m, d] = localDay(instant).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7));
  return day.toISOString().slice(0, 10);
}

describe('engagement analytics', () => {
  let api: TestApi;
  let owner: string;
  let orgId: string;
  const contacts: { id: string; region: string | null; language: string; tag: string }[] = [];
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    ({ api, owner, orgId } = await TestApi.withOrganization('Analytics Org'));
    const rng = new Rng(mulberry32(20251126));
    for (let c = 0; c < 30; c++) {
      const place = REGIONS[c % REGIONS.length];
      const language = c % 4 === 0 ? 'en' : 'fr';
      const tag = c % 2 ? 'abonné' : 'occasionnel';
      const { createContact } = await api.ok<any>(
        owner,
        `mutation($input: CreateContactInput!) { createContact(input: $input) { id region } }`,
        {
          input: {
            firstName: `Analyse ${c}`,
            postalCode: place.postalCode,
            preferredLanguage: language.toUpperCase(),
            tags: [tag],
          },
        },
      );
      expect(createContact.region).toBe(place.region);
      contacts.push({ id: createContact.id, region: place.region, language, tag });
    }
    // 2025 and a little around it; some instants on month edges, where UTC and Toronto disagree on the month
    const edges = [
      '2025-02-01T03:30:00Z',
      '2025-03-01T04:59:59Z',
      '2025-11-01T03:59:00Z',
      '2025-12-31T23:00:00Z',
      '2026-01-01T04:30:00Z',
    ];
    for (let i = 0; i < 600; i++) {
      const type = rng.pick(TYPES);
      const occurredAt =
        i < edges.length * 4
          ? edges[i % edges.length]
          : new Date(Date.UTC(2024, 11, 20) + Math.floor(rng.float() * 400 * 86_400_000)).toISOString();
      const paid = type === 'TICKET_PURCHASE' || type === 'DONATION';
      recorded.push({
        contact: rng.int(0, contacts.length - 1),
        type,
        occurredAt,
        discipline: type.startsWith('EMAIL') ? null : rng.pick(DISCIPLINES),
        offering: `O${rng.int(1, 5)}`,
        campaign: type.startsWith('EMAIL') ? rng.pick(CAMPAIGNS) : null,
        amountCents: paid ? rng.int(0, 20_000) : null,
        currency: paid ? (rng.chance(0.1) ? 'USD' : 'CAD') : null,
        quantity: type === 'TICKET_PURCHASE' ? rng.int(1, 4) : null,
      });
    }
    for (let start = 0; start < recorded.length; start += 200) {
      const input = recorded.slice(start, start + 200).map((r) => ({
        contact: { id: contacts[r.contact].id },
        type: r.type,
        occurredAt: r.occurredAt,
        discipline: r.discipline,
        offering: { id: r.offering, name: `Spectacle ${r.offering}` },
        campaign: r.campaign,
        amountCents: r.amountCents,
        currency: r.currency,
        quantity: r.quantity,
      }));
      expect((await api.ok<any>(owner, RECORD, { input })).recordInteractions).toEqual({
        accepted: input.length,
        rejected: 0,
      });
    }
  });
  afterAll(() => api.close());

  const stats = async (variables: Record<string, unknown>, token = owner) =>
    (await api.ok<any>(token, STATS, variables)).engagementStats;
  const YEAR_2025 = { from: '2025-01-01T05:00:00Z', to: '2026-01-01T05:00:00Z' };
  const inRange = (r: Recorded, range: { from: string; to: string }) =>
    r.occurredAt >= range.from && r.occurredAt < range.to;

  /** The metrics of a set of interactions, as engagementStats defines them. */
  function metrics(rows: readonly Recorded[]) {
    const pairs = (type: string) =>
      new Set(rows.filter((r) => r.type === type).map((r) => `${r.contact}/${r.campaign ?? ''}`)).size;
    const delivered = pairs('EMAIL_DELIVERED');
    return {
      interactions: rows.length,
      uniqueContacts: new Set(rows.map((r) => r.contact)).size,
      amountCents: rows.reduce((sum, r) => sum + (r.currency === 'CAD' ? r.amountCents! : 0), 0),
      quantity: rows.reduce((sum, r) => sum + (r.quantity ?? 0), 0),
      emailsDelivered: delivered,
      openRate: delivered ? pairs('EMAIL_OPENED') / delivered : null,
      clickRate: delivered ? pairs('EMAIL_CLICKED') / delivered : null,
    };
  }
  const sortKey = (value: string | null) => value ?? '\uffff';

  it('a year by month x discipline: 12 months x every discipline seen, empty cells as zero, exact', async () => {
    const result = await stats({ filter: YEAR_2025, groupBy: ['DISCIPLINE'], interval: 'MONTH' });
    expect(result.timeZone).toBe('America/Toronto');
    const inYear = recorded.filter((r) => inRange(r, YEAR_2025));
    const disciplines = [...new Set(inYear.map((r) => r.discipline))].sort((a, b) =>
      sortKey(a).localeCompare(sortKey(b)),
    );
    const months = Array.from({ length: 12 }, (_, m) => `2025-${String(m + 1).padStart(2, '0')}`);
    const expected = months.flatMap((month) =>
      disciplines.map((discipline) => ({
        month,
        discipline,
        ...metrics(inYear.filter((r) => localDay(r.occurredAt).startsWith(month) && r.discipline === discipline)),
      })),
    );
    expect(
      result.rows.map((row: any) => ({
        month: localDay(row.periodStart).slice(0, 7),
        discipline: row.group.discipline,
        interactions: row.interactions,
        uniqueContacts: row.uniqueContacts,
        amountCents: row.amountCents,
        quantity: row.quantity,
        emailsDelivered: row.emailsDelivered,
        openRate: row.openRate,
        clickRate: row.clickRate,
      })),
    ).toEqual(expected);
    // each period starts at midnight, Toronto time
    for (const row of result.rows)
      expect(localDay(new Date(new Date(row.periodStart).getTime() - 1))).not.toBe(localDay(row.periodStart));
    // a contact + campaign pair counted once over the year, whatever months it is in
    expect(result.totals).toEqual(metrics(inYear));
  });

  it('a quarter by week x type, and by month x campaign with email rates', async () => {
    const quarter = { from: '2025-04-01T04:00:00Z', to: '2025-07-01T04:00:00Z' };
    const result = await stats({ filter: quarter, groupBy: ['TYPE'], interval: 'WEEK' });
    const inQuarter = recorded.filter((r) => inRange(r, quarter));
    const types = [...new Set(inQuarter.map((r) => r.type))].sort();
    const weeks: string[] = [];
    for (let week = localWeek(quarter.from); week < '2025-07-01';) {
      weeks.push(week);
      const next = new Date(`${week}T12:00:00Z`);
      next.setUTCDate(next.getUTCDate() + 7);
      week = next.toISOString().slice(0, 10);
    }
    expect(weeks).toHaveLength(14); // Monday March 31 to Monday June 30
    expect(
      result.rows.map((row: any) => [localDay(row.periodStart), row.group.type, row.interactions, row.uniqueContacts]),
    ).toEqual(
      weeks.flatMap((week) =>
        types.map((type) => {
          const cell = inQuarter.filter((r) => localWeek(r.occurredAt) === week && r.type === type);
          return [week, type, cell.length, new Set(cell.map((r) => r.contact)).size];
        }),
      ),
    );

    const byCampaign = await stats({
      filter: { ...YEAR_2025, types: ['EMAIL_DELIVERED', 'EMAIL_OPENED', 'EMAIL_CLICKED'] },
      groupBy: ['CAMPAIGN'],
      interval: 'QUARTER',
    });
    const emails = recorded.filter((r) => inRange(r, YEAR_2025) && r.type.startsWith('EMAIL'));
    const campaigns = [...new Set(emails.map((r) => r.campaign))].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    expect(
      byCampaign.rows.map((row: any) => [
        localDay(row.periodStart),
        row.group.campaign,
        row.emailsDelivered,
        row.openRate,
        row.clickRate,
      ]),
    ).toEqual(
      ['2025-01', '2025-04', '2025-07', '2025-10'].flatMap((quarterStart) =>
        campaigns.map((campaign) => {
          const [y, m] = quarterStart.split('-').map(Number);
          const cell = emails.filter((r) => {
            const [ry, rm] = localDay(r.occurredAt).split('-').map(Number);
            return ry === y && rm >= m && rm < m + 3 && r.campaign === campaign;
          });
          const { emailsDelivered, openRate, clickRate } = metrics(cell);
          return [`${quarterStart}-01`, campaign, emailsDelivered, openRate, clickRate];
        }),
      ),
    );
    expect(byCampaign.totals).toEqual(metrics(emails));
  });

  it('filters and groups by the contacts: region, language, tags; offerings by id with their name', async () => {
    const filter = {
      ...YEAR_2025,
      regions: ['Montréal'],
      languages: ['FR'],
      tags: ['abonné'],
      offerings: ['O1', 'O2'],
    };
    const result = await stats({ filter, groupBy: ['OFFERING', 'LANGUAGE'] });
    const kept = recorded.filter((r) => {
      const contact = contacts[r.contact];
      return (
        inRange(r, YEAR_2025) &&
        contact.region === 'Montréal' &&
        contact.language === 'fr' &&
        contact.tag === 'abonné' &&
        ['O1', 'O2'].includes(r.offering)
      );
    });
    const offerings = [...new Set(kept.map((r) => r.offering))].sort();
    expect(
      result.rows.map((row: any) => [
        row.periodStart,
        row.group.offering,
        row.group.offeringName,
        row.group.language,
        row.interactions,
      ]),
    ).toEqual(
      offerings.map((offering) => [
        null,
        offering,
        `Spectacle ${offering}`,
        'FR',
        kept.filter((r) => r.offering === offering).length,
      ]),
    );
    expect(result.totals.interactions).toBe(kept.length);

    const byRegion = await stats({ filter: YEAR_2025, groupBy: ['REGION'] });
    expect(byRegion.rows.map((row: any) => [row.group.region, row.interactions])).toEqual(
      ['Capitale-Nationale', 'Montréal', null].map((region) => [
        region,
        recorded.filter((r) => inRange(r, YEAR_2025) && contacts[r.contact].region === region).length,
      ]),
    );
  });

  it('retention: of the contacts first active in each month, how many were active again in each following month', async () => {
    const analyst = await api.memberKey(orgId, Role.ANALYST);
    const result = (await api.ok<any>(analyst, RETENTION, { filter: YEAR_2025, cohortInterval: 'MONTH', periods: 3 }))
      .retention;
    const active = recorded.filter((r) => !r.type.startsWith('EMAIL_DELIVERED'));
    const monthsOf = new Map<number, Set<string>>();
    for (const r of active)
      monthsOf.set(r.contact, (monthsOf.get(r.contact) ?? new Set()).add(localDay(r.occurredAt).slice(0, 7)));
    const next = (month: string, k: number) => {
      const [y, m] = month.split('-').map(Number);
      const date = new Date(Date.UTC(y, m - 1 + k, 1));
      return date.toISOString().slice(0, 7);
    };
    const months = Array.from({ length: 12 }, (_, m) => `2025-${String(m + 1).padStart(2, '0')}`);
    expect(result.cohorts.map((c: any) => [localDay(c.periodStart).slice(0, 7), c.size, c.retained])).toEqual(
      months.map((month) => {
        const cohort = [...monthsOf].filter(([, seen]) => [...seen].sort()[0] === month).map(([, seen]) => seen);
        return [
          month,
          cohort.length,
          [1, 2, 3].map((k) =>
            next(month, k) > localDay(new Date()).slice(0, 7)
              ? null
              : cohort.filter((seen) => seen.has(next(month, k))).length,
          ),
        ];
      }),
    );
    for (const cohort of result.cohorts) {
      cohort.rates.forEach((rate: number | null, k: number) =>
        expect(rate).toBe(cohort.size && cohort.retained[k] !== null ? cohort.retained[k] / cohort.size : null),
      );
    }
  });

  it('answers from the daily rollups what it answers from the interactions, also after a contact is deleted and two are merged', async () => {
    await api.ok(owner, `mutation($id: ID!) { deleteContact(id: $id) }`, { id: contacts[3].id });
    await api.ok(owner, `mutation($s: ID!, $m: [ID!]!) { mergeContacts(survivorId: $s, mergedIds: $m) { id } }`, {
      s: contacts[4].id,
      m: [contacts[5].id],
    });
    const METRICS = `query($filter: EngagementFilterInput!, $groupBy: [EngagementDimension!], $interval: TimeInterval) {
      engagementStats(filter: $filter, groupBy: $groupBy, interval: $interval) { rows { periodStart group { type discipline offering offeringName venue campaign channel }
        interactions amountCents quantity %s } totals { interactions amountCents quantity } } }`;
    // asking for distinct contacts makes it read the interactions; without, whole local days come from the rollups
    const fromRollups = METRICS.replace('%s', '');
    const fromInteractions = METRICS.replace('%s', 'uniqueContacts');
    for (const interval of [null, 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']) {
      for (const groupBy of [[], ['TYPE'], ['DISCIPLINE', 'OFFERING'], ['CAMPAIGN', 'CHANNEL', 'VENUE']]) {
        const variables = {
          filter: { ...YEAR_2025, types: ['TICKET_PURCHASE', 'DONATION', 'EMAIL_OPENED', 'ATTENDANCE'] },
          groupBy,
          interval,
        };
        const rollups = (await api.ok<any>(owner, fromRollups, variables)).engagementStats;
        const raw = (await api.ok<any>(owner, fromInteractions, variables)).engagementStats;
        expect(rollups).toEqual({ ...raw, rows: raw.rows.map(({ uniqueContacts: _, ...row }: any) => row) });
      }
    }
    // and the rollups table itself is the interactions added up, day by day
    const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    try {
      const rollups = await db.query(
        `SELECT day::text, type, discipline, offering, venue, campaign, channel, interactions::int, amount_cents::int, quantity::int
        FROM interaction_rollups WHERE org_id = $1 AND interactions <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
        [orgId],
      );
      const raw = await db.query(
        `SELECT (occurred_at AT TIME ZONE 'America/Toronto')::date::text AS day, type, coalesce(discipline, '') AS discipline,
          coalesce(offering_id, offering_name, '') AS offering, coalesce(venue, '') AS venue, coalesce(campaign, '') AS campaign, coalesce(channel, '') AS channel,
          count(*)::int AS interactions, coalesce(sum(amount_cents) FILTER (WHERE currency = 'CAD'), 0)::int AS amount_cents, coalesce(sum(quantity), 0)::int AS quantity
        FROM interactions WHERE org_id = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
        [orgId],
      );
      expect(rollups.rows.length).toBeGreaterThan(100);
      expect(rollups.rows).toEqual(raw.rows);
    } finally {
      await db.end();
    }
  }, 60_000);

  it('answers distinct contacts and retention from the activity tables as from the interactions, through deletes, merges and an undo; the tables equal a rebuild', async () => {
    // listing every type recorded selects the same interactions but makes it read them
    const everyType = { types: TYPES };
    const activeTypes = { types: TYPES.filter((type) => !PASSIVE_TYPES.includes(type)) };
    const agree = async () => {
      for (const range of [YEAR_2025, {}, { from: '2025-02-01T05:00:00Z', to: '2025-11-01T04:00:00Z' }]) {
        for (const interval of range === YEAR_2025 ? [null, 'MONTH', 'QUARTER', 'YEAR'] : [null]) {
          for (const groupBy of [[], ['DISCIPLINE']]) {
            for (const disciplines of [null, ['THEATRE'], ['danse']]) {
              const filter = { ...range, disciplines };
              const fast = await stats({ filter, groupBy, interval });
              expect(await stats({ filter: { ...filter, ...everyType }, groupBy, interval })).toEqual(fast);
            }
          }
        }
      }
      for (const cohortInterval of ['MONTH', 'QUARTER', 'YEAR']) {
        const variables = { filter: YEAR_2025, cohortInterval, periods: 4 };
        const fast = (await api.ok<any>(owner, RETENTION, variables)).retention;
        const raw = (await api.ok<any>(owner, RETENTION, { ...variables, filter: { ...YEAR_2025, ...activeTypes } }))
          .retention;
        expect(fast).toEqual(raw);
      }
      await expectKeptAsRebuilt(orgId);
    };
    // consents too: their states are kept by triggers as well
    const CONSENT = `mutation($id: ID!, $input: ConsentInput!) { recordConsent(contactId: $id, input: $input) { id } }`;
    for (const [c, status, days, impliedReason] of [
      [7, 'GRANTED', 400, null],
      [8, 'GRANTED', 900, 'PURCHASE'],
      [8, 'WITHDRAWN', 10, null],
      [9, 'GRANTED', 100, 'PURCHASE'],
      [10, 'GRANTED', 50, null],
    ] as const) {
      await api.ok(owner, CONSENT, {
        id: contacts[c].id,
        input: {
          purpose: 'EMAIL_MARKETING',
          status,
          source: 'test',
          occurredAt: new Date(Date.now() - days * 86_400_000).toISOString(),
          ...(status === 'GRANTED' ? { legalBasis: impliedReason ? 'IMPLIED' : 'EXPRESS', impliedReason } : {}),
        },
      });
    }
    await agree();
    const { mergeContacts } = await api.ok<any>(
      owner,
      `mutation($s: ID!, $m: [ID!]!) { mergeContacts(survivorId: $s, mergedIds: $m) { id } }`,
      { s: contacts[7].id, m: [contacts[8].id, contacts[9].id] },
    );
    await agree();
    await api.ok(owner, `mutation($id: ID!) { unmergeContacts(mergeId: $id) { id } }`, { id: mergeContacts.id });
    await agree();
  }, 120_000);

  it('keeps the activity tables exact when requests add months to the same contacts at once', async () => {
    const rng = new Rng(mulberry32(7));
    const some = contacts.slice(10, 16);
    const batches = Array.from({ length: 8 }, () =>
      Array.from({ length: 40 }, () => ({
        contact: { id: rng.pick(some).id },
        type: rng.pick(TYPES),
        occurredAt: new Date(Date.UTC(2023, rng.int(0, 11), rng.int(1, 28), 15)).toISOString(),
        discipline: rng.pick(DISCIPLINES),
      })),
    );
    const answers = await Promise.all(batches.map((input) => api.ok<any>(owner, RECORD, { input })));
    expect(answers.map((answer) => answer.recordInteractions.accepted)).toEqual(batches.map(() => 40));
    await expectKeptAsRebuilt(orgId);
  });

  it("rebuilds an organization's tables with the CLI (npm run crm -- engagement:rebuild), changing nothing kept", async () => {
    const cli = (org: string) =>
      promisify(execFile)(process.execPath, ['dist/apps/api/src/cli.js', 'engagement:rebuild', '--org', org], {
        env: {
          PATH: process.env.PATH,
          LOG_LEVEL: 'warn',
          DATABASE_URL: process.env.TEST_DATABASE_URL,
          DATABASE_APP_URL: process.env.TEST_DATABASE_APP_URL,
        },
      });
    const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    try {
      const [{ n }] = (await db.query('SELECT count(*)::int AS n FROM interactions WHERE org_id = $1', [orgId])).rows;
      expect((await cli(orgId)).stdout).toMatch(new RegExp(`^Rebuilt from ${n} interactions`));
    } finally {
      await db.end();
    }
    await expectKeptAsRebuilt(orgId);
    await expect(cli('00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({ code: 1 });
  }, 30_000);

  it('counts as active what contact-engagement.ts does', async () => {
    const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query<{ type: string; active: boolean }>(
        `SELECT type, 'ACTIVE' = ANY (crm_activity_series(type, NULL)) AS active
           FROM unnest($1::text[]) AS type`,
        [Object.values(InteractionType)],
      );
      expect(rows.filter((row) => !row.active).map((row) => row.type)).toEqual(
        Object.values(InteractionType).filter((type) => PASSIVE_TYPES.includes(type)),
      );
      expect(rows.length).toBeGreaterThan(PASSIVE_TYPES.length);
    } finally {
      await db.end();
    }
  });

  it('explains bad questions, naming the field', async () => {
    const bad = async (variables: Record<string, unknown>) =>
      (await api.gql<any>(owner, STATS, variables)).errors?.[0].extensions;
    expect(await bad({ filter: {}, interval: 'MONTH' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.from',
    });
    expect(
      await bad({ filter: { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, interval: 'DAY' }),
    ).toMatchObject({ field: 'filter.to' });
    expect(
      await bad({ filter: { from: '1990-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, interval: 'DAY' }),
    ).toMatchObject({ field: 'interval' });
    expect(await bad({ filter: { types: ['NOT_A_TYPE'] } })).toMatchObject({ field: 'filter.types.0' });
    expect(await bad({ filter: {}, groupBy: ['TYPE', 'VENUE', 'CAMPAIGN', 'REGION'] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'groupBy',
    });
  });
});

/** What the triggers kept is what a rebuild from the interactions makes (checked, then rolled back). */
async function expectKeptAsRebuilt(orgId: string): Promise<void> {
  const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await db.connect();
  const tables = async () => {
    const rows = [];
    for (const sql of [
      `SELECT contact_id, series, months FROM contact_activity WHERE org_id = $1 ORDER BY 1, 2`,
      `SELECT series, month, previous, contacts FROM activity_transitions WHERE org_id = $1 AND contacts <> 0 ORDER BY 1, 2, 3`,
      `SELECT unit, cohort, period, contacts FROM activity_cohorts WHERE org_id = $1 AND contacts <> 0 ORDER BY 1, 2, 3`,
      `SELECT month, type, discipline, offering, venue, campaign, channel, interactions, amount_cents, quantity
         FROM interaction_monthly_rollups WHERE org_id = $1 AND interactions <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7`,
      `SELECT contact_id, purpose, granted_until FROM consent_states WHERE org_id = $1 ORDER BY 1, 2`,
    ])
      rows.push((await db.query(sql, [orgId])).rows);
    return rows;
  };
  try {
    await db.query('BEGIN');
    const kept = await tables();
    await db.query('SELECT crm_engagement_rebuild($1)', [orgId]);
    expect(await tables()).toEqual(kept);
    expect(kept[0].length).toBeGreaterThan(20);
  } finally {
    await db.query('ROLLBACK');
    await db.end();
  }
}
