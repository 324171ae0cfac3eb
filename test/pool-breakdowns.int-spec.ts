import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { asTenant, setTenant } from './support/tenant-claim.js';

interface Bucket {
  bucket: string;
  label: string;
  people: number | null;
  suppressed: boolean;
}

/** The people of A's shared audience, by what the breakdowns count (35 people; the pool's k is 5). */
const PEOPLE = Array.from({ length: 35 }, (_, i) => ({
  // FR 20, EN 12, no language 3
  language: i < 20 ? 'fr' : i < 32 ? 'en' : null,
  // Montréal 20 (typed three ways), Capitale-Nationale 10, outside Quebec 3, none 2
  region:
    i < 20 ? ['Montréal', 'montreal', 'MONTREAL '][i % 3] : i < 30 ? 'Capitale-Nationale' : i < 33 ? 'Ontario' : null,
  // 25–34: 15, 45–54: 12, no birth date: 8
  age: i < 15 ? 30 : i < 27 ? 50 : null,
  // THEATRE 25 (10 of them MUSIC too), no discipline 10
  disciplines: i < 10 ? ['THEATRE', 'MUSIC'] : i < 25 ? ['THEATRE'] : [],
}));

/**
 * A shared segment's breakdown as the application role, with plain SQL (issue 15): crm_pool_breakdown answers an
 * ACTIVE member only, every bucket of a fixed vocabulary, suppressed under k and complementarily, noisy and rounded,
 * within the daily budget, and writes the ledger.
 */
describe('shared segment breakdowns, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const a = randomUUID();
  const b = randomUUID();
  const c = randomUUID();
  const audience = randomUUID();
  let pool: string;
  let segment: string;

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);
  const rows = <T>(result: T[] | { code: string }) => result as T[];
  const breakdown = async (org: string, by: string) =>
    rows(await as<Bucket>(org, `SELECT * FROM crm_pool_breakdown($1, $2, NULL)`, [segment, by]));
  const byKey = (buckets: Bucket[]) => Object.fromEntries(buckets.map((x) => [x.bucket, x]));
  /** The error's SQLSTATE and COLUMN (asTenant keeps only the code and message). */
  const refusal = async (org: string, sql: string, params: unknown[]) => {
    await app.query('BEGIN');
    try {
      await setTenant(app, org);
      await app.query(sql, params);
      return null;
    } catch (error) {
      const { code, column, message } = error as { code: string; column?: string; message: string };
      return { code, column, message };
    } finally {
      await app.query('ROLLBACK');
    }
  };

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Brk A'), ($2, 'Brk B'), ($3, 'Brk C')`, [
      a,
      b,
      c,
    ]);
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'Public', 'STATIC')`, [
      a,
      audience,
    ]);
    for (const [i, person] of PEOPLE.entries()) {
      const id = randomUUID();
      await owner.query(
        `INSERT INTO contacts (org_id, id, email, region, preferred_language, birth_date)
         VALUES ($1, $2, $3, $4, $5, ((now() AT TIME ZONE 'America/Toronto')::date - make_interval(years => $6::int))::date - 100)`,
        [a, id, `brk${i}@example.org`, person.region, person.language, person.age],
      );
      await owner.query(`INSERT INTO audience_members (org_id, audience_id, contact_id) VALUES ($1, $2, $3)`, [
        a,
        audience,
        id,
      ]);
      for (const discipline of person.disciplines)
        await owner.query(
          `INSERT INTO interactions (org_id, contact_id, type, occurred_at, discipline)
           VALUES ($1, $2, 'ATTENDANCE', now() - interval '10 days', $3), ($1, $2, 'ATTENDANCE', now() - interval '40 days', $3)`,
          [a, id, discipline],
        );
      // an interaction without a discipline makes no one count in a discipline
      if (person.disciplines.length === 0)
        await owner.query(
          `INSERT INTO interactions (org_id, contact_id, type, occurred_at) VALUES ($1, $2, 'EMAIL_OPENED', now())`,
          [a, id],
        );
    }
    pool = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Réseau', NULL, '{AUDIENCE_RESEARCH}', 5, NULL) AS id`),
    )[0].id;
    await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, b]);
    await as(b, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    segment = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, NULL, NULL) AS id`, [audience, pool]),
    )[0].id;
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('answers every bucket of the vocabulary, in order: noisy counts rounded to 5 and never under k, the rest suppressed', async () => {
    const region = await breakdown(b, 'REGION');
    expect(region.map((x) => x.bucket)).toEqual([
      'Bas-Saint-Laurent',
      'Saguenay–Lac-Saint-Jean',
      'Capitale-Nationale',
      'Mauricie',
      'Estrie',
      'Montréal',
      'Outaouais',
      'Abitibi-Témiscamingue',
      'Côte-Nord',
      'Nord-du-Québec',
      'Gaspésie–Îles-de-la-Madeleine',
      'Chaudière-Appalaches',
      'Laval',
      'Lanaudière',
      'Laurentides',
      'Montérégie',
      'Centre-du-Québec',
      'OTHER',
      'UNKNOWN',
    ]);
    // "montreal" and "MONTREAL " are Montréal; what is suppressed (OTHER 3 + UNKNOWN 2 + empty regions) adds up to k
    const shown = region.filter((x) => !x.suppressed).map((x) => x.bucket);
    expect(shown).toEqual(['Capitale-Nationale', 'Montréal']);
    for (const x of region) {
      if (x.suppressed) expect(x.people).toBeNull();
      else {
        expect(x.people! % 5).toBe(0);
        expect(x.people).toBeGreaterThanOrEqual(5);
      }
    }
    // the same question gets the same answer
    expect(await breakdown(b, 'REGION')).toEqual(region);
  });

  it('complementary suppression: when the suppressed buckets add up to less than k, the smallest shown one goes too', async () => {
    // UNKNOWN (3) is under k: EN (12), the smallest shown, is withheld with it, so size − FR does not tell UNKNOWN
    const language = byKey(await breakdown(b, 'PREFERRED_LANGUAGE'));
    expect(Object.keys(language)).toEqual(['FR', 'EN', 'UNKNOWN']);
    expect(language.FR).toMatchObject({ suppressed: false, people: expect.any(Number) });
    expect(language.EN).toMatchObject({ suppressed: true, people: null });
    expect(language.UNKNOWN).toMatchObject({ suppressed: true, people: null });
    // zero suppressed is handled the same way (whether a small bucket is empty does not change the pattern): the
    // empty age bands leave 0 < k, so the smallest shown (no birth date, 8) is withheld
    const age = await breakdown(b, 'AGE_BAND');
    expect(age.filter((x) => !x.suppressed).map((x) => x.bucket)).toEqual(['25_34', '45_54']);
    expect(age.find((x) => x.bucket === 'UNKNOWN')).toMatchObject({ suppressed: true, people: null });
  });

  it('counts a person once in each discipline of its interactions at the publisher, NONE without one', async () => {
    const discipline = await breakdown(b, 'DISCIPLINE');
    expect(discipline.map((x) => x.bucket)).toEqual([
      'THEATRE',
      'DANCE',
      'MUSIC',
      'VISUAL_ARTS',
      'CIRCUS',
      'LITERATURE',
      'CINEMA',
      'HERITAGE',
      'HUMOUR',
      'MULTIDISCIPLINARY',
      'OTHER',
      'NONE',
    ]);
    // MUSIC (10) and NONE (10) tie for the smallest shown: the first in the vocabulary's order is withheld
    expect(discipline.filter((x) => !x.suppressed).map((x) => x.bucket)).toEqual(['THEATRE', 'NONE']);
  });

  it('a non-member, a withdrawn segment and an unknown segment are NOT_FOUND alike; an unknown `by` is BAD_USER_INPUT', async () => {
    const notFound = { code: 'CP404', column: 'sharedSegmentId', message: 'Shared segment not found' };
    expect(await refusal(c, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [segment])).toEqual(notFound);
    expect(await refusal(b, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [randomUUID()])).toEqual(notFound);
    const withdrawn = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, NULL, NULL) AS id`, [audience, pool]),
    )[0].id;
    expect(await as(a, `SELECT crm_pool_unshare($1, NULL)`, [withdrawn])).toHaveLength(1);
    expect(await refusal(b, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [withdrawn])).toEqual(notFound);
    expect(await refusal(a, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [withdrawn])).toEqual(notFound);
    expect(await refusal(b, `SELECT * FROM crm_pool_breakdown($1, 'POSTAL_CODE', NULL)`, [segment])).toMatchObject({
      code: 'CP400',
      column: 'by',
    });
    expect(await as(null, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [segment])).toMatchObject({
      code: '42501',
    });
    // the internal functions are not the application role's
    for (const sql of [
      `SELECT * FROM crm_pool_breakdown_people('${pool}', '${segment}', '${a}', 'REGION')`,
      `SELECT * FROM crm_pool_breakdown_buckets('REGION')`,
    ])
      expect(await as(b, sql)).toMatchObject({ code: '42501', message: expect.stringMatching(/^permission denied/) });
  });

  it('writes one BREAKDOWN ledger row per question: who asked, whose data, which segment, what came out', async () => {
    const { rows: before } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1 AND action = 'BREAKDOWN'`,
      [pool],
    );
    const answer = await breakdown(b, 'PREFERRED_LANGUAGE');
    const { rows: ledger } = await owner.query(
      `SELECT actor_org_id, data_org_ids, segment_ids, purpose, outcome, question IS NOT NULL AS asked
         FROM pool_ledger WHERE pool_id = $1 AND action = 'BREAKDOWN' ORDER BY seq DESC LIMIT 1`,
      [pool],
    );
    expect(ledger).toEqual([
      {
        actor_org_id: b,
        data_org_ids: [a],
        segment_ids: [segment],
        purpose: 'AUDIENCE_RESEARCH',
        outcome: { by: 'PREFERRED_LANGUAGE', buckets: answer.map(({ bucket, people }) => ({ bucket, people })) },
        asked: true,
      },
    ]);
    const { rows: after } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1 AND action = 'BREAKDOWN'`,
      [pool],
    );
    expect(after[0].n).toBe(before[0].n + 1);
    // the publisher reads what was asked of its data
    const seen = rows<{ action: string }>(
      await as(a, `SELECT action, actor_name FROM crm_pool_ledger($1, NULL, 100) WHERE action = 'BREAKDOWN'`, [pool]),
    );
    expect(seen.length).toBe(after[0].n);
  });

  it('a change of one person in the segment gets fresh noise on every bucket (the seed covers who is in each)', async () => {
    const seeds = async () =>
      (
        await owner.query<{ question: Buffer }>(
          `SELECT question FROM pool_ledger WHERE pool_id = $1 AND action = 'BREAKDOWN' AND actor_org_id = $2
            ORDER BY seq DESC LIMIT 1`,
          [pool, b],
        )
      ).rows[0].question.toString('hex');
    await breakdown(b, 'PREFERRED_LANGUAGE');
    const before = await seeds();
    // one person of the segment changes language: the same fingerprints, another assignment
    await owner.query(
      `UPDATE contacts SET preferred_language = 'en' WHERE org_id = $1 AND email = 'brk0@example.org'`,
      [a],
    );
    await breakdown(b, 'PREFERRED_LANGUAGE');
    expect(await seeds()).not.toBe(before);
    await owner.query(
      `UPDATE contacts SET preferred_language = 'fr' WHERE org_id = $1 AND email = 'brk0@example.org'`,
      [a],
    );
    await breakdown(b, 'PREFERRED_LANGUAGE');
    expect(await seeds()).toBe(before);
  });

  it("a temporary table of the application role does not stand in for the broker's tables (pg_temp is searched last)", async () => {
    await app.query(`CREATE TEMP TABLE pool_members (LIKE public.pool_members INCLUDING DEFAULTS)`);
    try {
      await app.query(`GRANT SELECT ON pg_temp.pool_members TO crm_pool_broker`);
      await app.query(
        `INSERT INTO pg_temp.pool_members (org_id, pool_id, role, status, benchmark_contributor) VALUES ($1, $2, 'MEMBER', 'ACTIVE', true)`,
        [c, pool],
      );
      expect(await refusal(c, `SELECT * FROM crm_pool_breakdown($1, 'REGION', NULL)`, [segment])).toMatchObject({
        code: 'CP404',
      });
      expect(await as(c, `SELECT * FROM crm_pool_segments($1)`, [pool])).toEqual([]);
      expect(
        await refusal(c, `SELECT * FROM crm_pool_benchmarks($1, 'RETENTION', 'YEAR', NULL)`, [pool]),
      ).toMatchObject({ code: 'CP404' });
    } finally {
      await app.query(`DROP TABLE pg_temp.pool_members`);
    }
    const { rows: config } = await owner.query<{ name: string }>(
      `SELECT proname AS name FROM pg_proc WHERE proname LIKE 'crm\\_pool\\_%'
          AND NOT proconfig @> ARRAY['search_path=pg_catalog, public, pg_temp']`,
    );
    expect(config).toEqual([]);
  });
});

/**
 * Pool benchmarks as the application role (issue 15): the figures table is the broker's alone; crm_pool_benchmarks
 * answers contributing ACTIVE members with median and quartiles under their thresholds.
 */
describe('pool benchmarks, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const orgs = Array.from({ length: 6 }, () => randomUUID());
  const [a, b, d, e, f, g] = orgs;
  const outsider = randomUUID();
  let pool: string;
  let months: string[];

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);
  const rows = <T>(result: T[] | { code: string }) => result as T[];
  const contribute = (org: string, on = true) => as(org, `SELECT crm_pool_set_benchmarks($1, $2) AS on`, [pool, on]);
  /** The organization's figures as its job would put them: `value` per month (people 4, else given). */
  const put = (org: string, value: number, people = 4) =>
    as<{ n: number }>(org, `SELECT crm_pool_benchmark_figures_put($1::jsonb) AS n`, [
      JSON.stringify(
        months.map((periodStart) => ({ metric: 'TICKETS_PER_BUYER', interval: 'MONTH', periodStart, value, people })),
      ),
    ]);
  const benchmarks = async (org: string) =>
    rows<{
      period_start: Date;
      contributing: boolean;
      organizations: number | null;
      median: string | null;
      q1: string | null;
      q3: string | null;
      suppressed: boolean;
    }>(await as(org, `SELECT * FROM crm_pool_benchmarks($1, 'TICKETS_PER_BUYER', 'MONTH', NULL)`, [pool]));

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    for (const [i, org] of [...orgs, outsider].entries())
      await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, $2)`, [org, `Bench ${i}`]);
    pool = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Repères', NULL, '{AUDIENCE_RESEARCH}', 10, NULL) AS id`),
    )[0].id;
    for (const org of orgs.slice(1)) {
      await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, org]);
      await as(org, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    }
    months = (
      await owner.query<{ p: Date }>(
        `SELECT (date_trunc('month', now() AT TIME ZONE 'America/Toronto') - interval '1 month' * g) AT TIME ZONE 'America/Toronto' AS p
           FROM generate_series(12, 1, -1) g`,
      )
    ).rows.map((row) => row.p.toISOString());
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('crm_app has no privilege on the figures table; the job stores nothing for an organization that does not contribute', async () => {
    for (const org of [null, a])
      expect(await as(org, `SELECT * FROM pool_benchmark_figures`)).toMatchObject({ code: '42501' });
    expect(await put(a, 2)).toEqual([{ n: 0 }]);
    expect(await contribute(outsider)).toMatchObject({ code: 'CP404' });
    expect(
      await as(outsider, `SELECT * FROM crm_pool_benchmarks($1, 'RETENTION', 'YEAR', NULL)`, [pool]),
    ).toMatchObject({ code: 'CP404' });
    expect(await as(a, `SELECT * FROM crm_pool_benchmarks($1, 'NPS', 'YEAR', NULL)`, [pool])).toMatchObject({
      code: 'CP400',
    });
    expect(await as(a, `SELECT * FROM crm_pool_benchmarks($1, 'RETENTION', 'WEEK', NULL)`, [pool])).toMatchObject({
      code: 'CP400',
    });
  });

  it('fewer than 3 contributing organizations: every pool cell is suppressed', async () => {
    for (const [org, value] of [
      [a, 2],
      [b, 3],
    ] as const) {
      expect(await contribute(org)).toEqual([{ on: true }]);
      expect(await put(org, value)).toEqual([{ n: 12 }]);
    }
    const answer = await benchmarks(a);
    expect(answer.map((p) => p.period_start.toISOString())).toEqual(months);
    for (const period of answer)
      expect(period).toMatchObject({
        contributing: true,
        organizations: 2,
        median: null,
        q1: null,
        q3: null,
        suppressed: true,
      });
  });

  it('3 organizations and k people: the median (rounded), not the quartiles; fewer than k people: suppressed', async () => {
    await contribute(d);
    // 4 + 4 + 1 people in the last month: under k (10)
    await as(d, `SELECT crm_pool_benchmark_figures_put($1::jsonb)`, [
      JSON.stringify(
        months.map((periodStart, i) => ({
          metric: 'TICKETS_PER_BUYER',
          interval: 'MONTH',
          periodStart,
          value: 4.04,
          people: i === 11 ? 1 : 4,
        })),
      ),
    ]);
    const answer = await benchmarks(b);
    expect(answer[0]).toMatchObject({ organizations: 3, median: '3.0', q1: null, q3: null, suppressed: false });
    expect(answer[11]).toMatchObject({ organizations: 3, median: null, suppressed: true });
  });

  it('5 organizations: the quartiles too', async () => {
    for (const [org, value] of [
      [e, 1],
      [f, 5],
    ] as const) {
      await contribute(org);
      await put(org, value);
    }
    // 1, 2, 3, 4.04, 5
    expect((await benchmarks(a))[0]).toMatchObject({
      organizations: 5,
      median: '3.0',
      q1: '2.0',
      q3: '4.0',
      suppressed: false,
    });
  });

  it('a member that does not contribute sees no pool cell, and nothing of anyone is read (no ledger row)', async () => {
    const { rows: before } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1 AND action = 'BENCHMARK' AND actor_org_id = $2`,
      [pool, g],
    );
    const answer = await benchmarks(g);
    expect(answer).toHaveLength(12);
    for (const period of answer)
      expect(period).toMatchObject({ contributing: false, organizations: null, median: null, suppressed: true });
    const { rows: after } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1 AND action = 'BENCHMARK' AND actor_org_id = $2`,
      [pool, g],
    );
    expect(after).toEqual(before);
  });

  it('writes a BENCHMARK ledger row naming the contributors whose figures were read', async () => {
    await benchmarks(e);
    const { rows: ledger } = await owner.query(
      `SELECT actor_org_id, data_org_ids, outcome->>'metric' AS metric, jsonb_array_length(outcome->'periods') AS periods
         FROM pool_ledger WHERE pool_id = $1 AND action = 'BENCHMARK' ORDER BY seq DESC LIMIT 1`,
      [pool],
    );
    expect(ledger).toEqual([
      { actor_org_id: e, data_org_ids: [a, b, d, e, f].sort(), metric: 'TICKETS_PER_BUYER', periods: 12 },
    ]);
  });

  it("leaving the pool ends a member's contribution; stopping in its last pool deletes its figures", async () => {
    expect(await as(f, `SELECT crm_pool_leave($1)`, [pool])).toHaveLength(1);
    const { rows: member } = await owner.query(
      `SELECT benchmark_contributor FROM pool_members WHERE pool_id = $1 AND org_id = $2`,
      [pool, f],
    );
    expect(member).toEqual([{ benchmark_contributor: false }]);
    expect((await benchmarks(a))[0]).toMatchObject({ organizations: 4, q1: null });
    // invited again and accepting does not bring the old setting back
    await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, f]);
    await as(f, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    expect((await benchmarks(f))[0]).toMatchObject({ contributing: false });

    expect(await contribute(e, false)).toEqual([{ on: false }]);
    const { rows: figures } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_benchmark_figures WHERE org_id = $1`,
      [e],
    );
    expect(figures).toEqual([{ n: 0 }]);
    expect((await benchmarks(a))[0]).toMatchObject({ organizations: 3, median: '3.0' });
  });
});
