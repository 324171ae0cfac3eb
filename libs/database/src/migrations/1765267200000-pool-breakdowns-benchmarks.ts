import type { MigrationInterface, QueryRunner } from 'typeorm';
import { QUEBEC_REGIONS } from '../../../contacts/src/normalization/quebec-region.util.js';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

/**
 * pg_temp last: without it in a SECURITY DEFINER function's search_path, PostgreSQL searches the caller's temporary
 * schema first, and crm_app (which may create temporary tables: imports stage rows in them) could shadow
 * `pool_members` with a table of its own and pass every membership check.
 */
const POOL_SEARCH_PATH = 'pg_catalog, public, pg_temp';
const DEFINER = `SECURITY DEFINER SET search_path = ${POOL_SEARCH_PATH}`;
const INTERNAL = `SET search_path = ${POOL_SEARCH_PATH}`;
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/** What a shared segment's breakdown can be by. */
export const BREAKDOWN_DIMENSIONS = ['REGION', 'PREFERRED_LANGUAGE', 'AGE_BAND', 'DISCIPLINE'] as const;

/**
 * Every bucket of every breakdown, in the order answered: a fixed vocabulary, so that every bucket is always listed
 * (suppressed when under k) and a listed bucket reveals nothing, not even that someone is in it. The publisher's own
 * disciplines and free-text regions fall into OTHER: their names are the publisher's, and could be one person's.
 * (The built-in disciplines of libs/engagement and the regions of libs/contacts, as of this migration; a unit test
 * compares them.)
 */
export const BREAKDOWN_BUCKETS: Record<(typeof BREAKDOWN_DIMENSIONS)[number], [key: string, label: string][]> = {
  REGION: [
    ...QUEBEC_REGIONS.map((region): [string, string] => [region, region]),
    ['OTHER', 'Outside Quebec, or not a Quebec administrative region'],
    ['UNKNOWN', 'No region'],
  ],
  PREFERRED_LANGUAGE: [
    ['FR', 'French'],
    ['EN', 'English'],
    ['UNKNOWN', 'No preferred language'],
  ],
  AGE_BAND: [
    ['UNDER_25', 'Under 25'],
    ['25_34', '25–34'],
    ['35_44', '35–44'],
    ['45_54', '45–54'],
    ['55_64', '55–64'],
    ['65_PLUS', '65 and over'],
    ['UNKNOWN', 'No birth date'],
  ],
  DISCIPLINE: [
    ['THEATRE', 'Theatre'],
    ['DANCE', 'Dance'],
    ['MUSIC', 'Music'],
    ['VISUAL_ARTS', 'Visual arts'],
    ['CIRCUS', 'Circus'],
    ['LITERATURE', 'Literature'],
    ['CINEMA', 'Cinema'],
    ['HERITAGE', 'Heritage'],
    ['HUMOUR', 'Humour'],
    ['MULTIDISCIPLINARY', 'Multidisciplinary'],
    ['OTHER', "One of the publisher's own disciplines"],
    ['NONE', 'No interaction with a discipline'],
  ],
};

/** The figures pool benchmarks compare (EngagementFigure of libs/engagement). */
export const BENCHMARK_METRICS = ['EMAIL_OPEN_RATE', 'TICKETS_PER_BUYER', 'ATTENDANCE_FREQUENCY', 'RETENTION'] as const;
/** The intervals of benchmarks, and how many complete periods back each goes (FIGURE_PERIODS of libs/engagement). */
export const BENCHMARK_PERIODS = { MONTH: 12, QUARTER: 8, YEAR: 3 } as const;
/** A benchmark's median needs this many contributing organizations in the period; its quartiles BENCHMARK_MIN_QUARTILES. */
export const BENCHMARK_MIN_ORGANIZATIONS = 3;
export const BENCHMARK_MIN_QUARTILES = 5;
/** Decimal places of a benchmark's pool cells: rates to a percentage point, ratios to a tenth. */
export const BENCHMARK_PLACES: Record<(typeof BENCHMARK_METRICS)[number], number> = {
  EMAIL_OPEN_RATE: 2,
  TICKETS_PER_BUYER: 1,
  ATTENDANCE_FREQUENCY: 1,
  RETENTION: 2,
};
const ANALYTICS_TIME_ZONE = 'America/Toronto';

/**
 * crm_pool_fp64 (the ledger migration), inlined: a function with its own search_path is never inlined, and calling it
 * on each of a segment's fingerprints costs ten times the expression.
 */
const FP64 = (bytes: string) => `('x' || encode(substr(${bytes}, 1, 8), 'hex'))::bit(64)::bigint`;
const list = (values: readonly string[]) => values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
const BUILT_IN_DISCIPLINE_KEYS = BREAKDOWN_BUCKETS.DISCIPLINE.map(([key]) => key).filter(
  (key) => key !== 'OTHER' && key !== 'NONE',
);

/**
 * What members learn of each other's data beyond the catalogue (issue 15): a shared segment's breakdown, and pool
 * benchmarks.
 *
 * - `crm_pool_breakdown(segment, by, user)`: for an ACTIVE member of the live segment's pool, the segment's people by
 *   region, preferred language, age band or discipline, read from the publisher's rows through the broker policy
 *   `pool_broker_shared`; each bucket a noisy count (crm_pool_noisy) or NULL under the publisher's effective k, with
 *   complementary suppression (below); the daily question budget; a BREAKDOWN ledger row.
 * - `pool_benchmark_figures`: each contributing organization's own engagement figures per period, computed under its
 *   own claim by the pools.benchmark-figures job and written through `crm_pool_benchmark_figures_put`; a tenant table
 *   on which crm_app has no privilege at all (the broker reads it across organizations, FOR SELECT).
 * - `pool_members.benchmark_contributor`: the setting by which an organization joins a pool's benchmarks
 *   (`crm_pool_set_benchmarks`); cleared when the membership stops being ACTIVE.
 * - `crm_pool_benchmarks(pool, metric, interval, user)`: per period, the contributors' median and quartiles, to a
 *   contributing ACTIVE member only (reciprocity), with at least 3 organizations and k people (5 for quartiles).
 */
export class PoolBreakdownsBenchmarks1765267200000 implements MigrationInterface {
  name = 'PoolBreakdownsBenchmarks1765267200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE pool_members
        ADD COLUMN benchmark_contributor boolean NOT NULL DEFAULT false,
        ADD COLUMN benchmark_since timestamptz;

      CREATE TABLE pool_benchmark_figures (
        org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
        metric text NOT NULL CHECK (metric IN (${list(BENCHMARK_METRICS)})),
        period_unit text NOT NULL CHECK (period_unit IN (${list(Object.keys(BENCHMARK_PERIODS))})),
        period_start timestamptz NOT NULL,
        value numeric NOT NULL CHECK (value >= 0),
        people int NOT NULL CHECK (people > 0),
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, metric, period_unit, period_start)
      );
      ALTER TABLE pool_benchmark_figures ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_benchmark_figures FORCE ROW LEVEL SECURITY;
      -- the broker writes an organization's figures under that organization's claim only
      CREATE POLICY tenant_isolation ON pool_benchmark_figures
        USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
      -- and reads every organization's, for crm_pool_benchmarks (which keeps to contributors of the caller's pool)
      CREATE POLICY pool_broker_read ON pool_benchmark_figures FOR SELECT TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified()));
      REVOKE ALL ON pool_benchmark_figures FROM crm_app;
      GRANT SELECT, INSERT, DELETE ON pool_benchmark_figures TO ${POOL_BROKER_ROLE};
    `);
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      if (GRANTED.includes(signature)) await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
    await q.query(`
      CREATE TRIGGER pool_members_benchmarks_off BEFORE UPDATE OF status ON pool_members
        FOR EACH ROW WHEN (NEW.status <> 'ACTIVE' AND OLD.benchmark_contributor)
        EXECUTE FUNCTION crm_pool_benchmarks_off();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER pool_members_benchmarks_off ON pool_members`);
    for (const signature of [...SIGNATURES].reverse()) await q.query(`DROP FUNCTION ${signature}`);
    await q.query(`
      DROP TABLE pool_benchmark_figures;
      ALTER TABLE pool_members DROP COLUMN benchmark_contributor, DROP COLUMN benchmark_since;
    `);
  }
}

const SIGNATURES = [
  'crm_pool_region_key(text)',
  'crm_pool_breakdown_buckets(text)',
  'crm_pool_breakdown_people(uuid, uuid, uuid, text)',
  'crm_pool_breakdown(uuid, text, uuid)',
  'crm_pool_benchmarks_off()',
  'crm_pool_set_benchmarks(uuid, boolean)',
  'crm_pool_benchmark_figures_put(jsonb)',
  'crm_pool_benchmarks(uuid, text, text, uuid)',
];
const GRANTED = [
  'crm_pool_breakdown(uuid, text, uuid)',
  'crm_pool_set_benchmarks(uuid, boolean)',
  'crm_pool_benchmark_figures_put(jsonb)',
  'crm_pool_benchmarks(uuid, text, text, uuid)',
];

const BUCKET_ROWS = Object.entries(BREAKDOWN_BUCKETS)
  .flatMap(([by, buckets]) => buckets.map(([key, label], i) => `(${list([by])}, ${i + 1}, ${list([key, label])})`))
  .join(',\n        ');

/** The periods of a benchmark: the last n complete ones, as EngagementFiguresService lists them (local timestamps). */
const BENCHMARK_PERIODS_SQL = `
  SELECT date_trunc(lower(p_interval), now() AT TIME ZONE '${ANALYTICS_TIME_ZONE}') - step * g AS p
    FROM generate_series(n, 1, -1) g`;

const FUNCTIONS = `
  -- A region as compared: without accents, case, spaces or punctuation ("montreal" is Montréal).
  CREATE FUNCTION crm_pool_region_key(p text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE ${INTERNAL} AS $$
    SELECT regexp_replace(lower(crm_unaccent(p)), '[^a-z]', '', 'g')
    $$;

  -- The buckets of a breakdown, in order (none for an unknown dimension).
  CREATE FUNCTION crm_pool_breakdown_buckets(p_by text) RETURNS TABLE (ord int, key text, label text)
    LANGUAGE sql IMMUTABLE ${INTERNAL} AS $$
    SELECT v.ord, v.key, v.label FROM (VALUES
        ${BUCKET_ROWS}
      ) v (dimension, ord, key, label)
     WHERE v.dimension = p_by ORDER BY v.ord
    $$;

  -- Each person of a shared segment (a contact of its publisher) with its bucket(s): one for REGION,
  -- PREFERRED_LANGUAGE and AGE_BAND; for DISCIPLINE one per distinct discipline of its interactions at the publisher
  -- (NONE without any). person: the smallest 64-bit digest of its fingerprints, for the answer's seed. Regions are
  -- compared once per distinct value (unaccenting each of 100,000 contacts' costs seconds).
  CREATE FUNCTION crm_pool_breakdown_people(p_pool uuid, p_segment uuid, p_publisher uuid, p_by text)
    RETURNS TABLE (contact_id uuid, person bigint, bucket text)
    LANGUAGE sql STABLE ${INTERNAL} AS $$
    WITH people AS (
      SELECT f.contact_id, min(${FP64('f.fingerprint')}) AS person FROM segment_fingerprints f
       WHERE f.pool_id = p_pool AND f.segment_id = p_segment GROUP BY f.contact_id
    ), person AS MATERIALIZED (
      SELECT p.contact_id, p.person, c.region, c.preferred_language, c.birth_date
        FROM people p JOIN contacts c ON c.org_id = p_publisher AND c.id = p.contact_id
       WHERE p_by <> 'DISCIPLINE'
    ), regions AS MATERIALIZED (
      SELECT r.region, b.key
        FROM (SELECT DISTINCT x.region FROM person x WHERE p_by = 'REGION' AND nullif(btrim(x.region), '') IS NOT NULL) r
        LEFT JOIN (SELECT q.key, crm_pool_region_key(q.key) AS norm FROM crm_pool_breakdown_buckets('REGION') q
                    WHERE q.key NOT IN ('OTHER', 'UNKNOWN')) b ON b.norm = crm_pool_region_key(r.region)
    )
    SELECT x.contact_id, x.person,
           CASE WHEN nullif(btrim(x.region), '') IS NULL THEN 'UNKNOWN' ELSE coalesce(r.key, 'OTHER') END
      FROM person x LEFT JOIN regions r ON r.region = x.region
     WHERE p_by = 'REGION'
    UNION ALL
    SELECT x.contact_id, x.person, coalesce(upper(x.preferred_language), 'UNKNOWN')
      FROM person x
     WHERE p_by = 'PREFERRED_LANGUAGE'
    UNION ALL
    SELECT x.contact_id, x.person,
           CASE WHEN a.years IS NULL OR a.years < 0 OR a.years > 120 THEN 'UNKNOWN'
                WHEN a.years < 25 THEN 'UNDER_25' WHEN a.years < 35 THEN '25_34' WHEN a.years < 45 THEN '35_44'
                WHEN a.years < 55 THEN '45_54' WHEN a.years < 65 THEN '55_64' ELSE '65_PLUS' END
      FROM person x
      CROSS JOIN LATERAL (SELECT date_part('year', age((now() AT TIME ZONE '${ANALYTICS_TIME_ZONE}')::date::timestamp,
                                                       x.birth_date::timestamp))::int AS years) a
     WHERE p_by = 'AGE_BAND'
    UNION ALL
    -- one pass over each person's interactions (through the broker policy, row by row)
    SELECT p.contact_id, p.person, coalesce(d.bucket, 'NONE')
      FROM people p
      LEFT JOIN LATERAL (
        SELECT DISTINCT CASE WHEN i.discipline IN (${list(BUILT_IN_DISCIPLINE_KEYS)}) THEN i.discipline ELSE 'OTHER' END
                          AS bucket
          FROM interactions i
         WHERE i.org_id = p_publisher AND i.contact_id = p.contact_id AND i.discipline IS NOT NULL) d ON true
     WHERE p_by = 'DISCIPLINE'
    $$;

  -- A live shared segment's people by p_by, for an ACTIVE member of its pool (CP404 for anyone else, as for a segment
  -- that does not exist; CP400 for an unknown p_by). Every bucket of the vocabulary, in order: a noisy count
  -- (crm_pool_noisy, the publisher's effective k), or NULL and suppressed under k. Complementary suppression: when
  -- what is suppressed adds up to less than k (zero included), the smallest bucket shown is suppressed too, so that
  -- the catalogue's size minus the buckets shown never tells a small count (and whether it happens does not depend
  -- on the small counts). The seed covers the segment's fingerprints and every person's bucket: the same state gets
  -- the same answer, a change of one person fresh noise. Costs one question of the daily budget; one ledger row.
  CREATE FUNCTION crm_pool_breakdown(p_segment uuid, p_by text, p_user uuid)
    RETURNS TABLE (bucket text, label text, people int, suppressed boolean)
    LANGUAGE plpgsql ${DEFINER} AS $$
    #variable_conflict use_column
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
      k int;
      secret bytea;
      segment_digest bigint;
      keys text[];
      labels text[];
      counts bigint[];
      digests bigint[];
      hidden boolean[];
      mass bigint := 0;
      any_hidden boolean := false;
      extra int;
      question bytea;
      outcome jsonb := '[]';
    BEGIN
      IF p_by IS NULL OR NOT EXISTS (SELECT 1 FROM crm_pool_breakdown_buckets(p_by)) THEN
        RAISE EXCEPTION 'by must be one of ${BREAKDOWN_DIMENSIONS.join(', ')}' USING ERRCODE = 'CP400', COLUMN = 'by';
      END IF;
      SELECT sh.* INTO s FROM shared_segments sh
       WHERE sh.id = p_segment AND ${LIVE('sh')}
         AND EXISTS (SELECT 1 FROM pool_members me WHERE me.pool_id = sh.pool_id AND me.org_id = org
                                                     AND me.status = 'ACTIVE');
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'sharedSegmentId';
      END IF;
      k := crm_pool_effective_k(s.pool_id, ARRAY[s.org_id]);
      secret := crm_pool_secret(s.pool_id);
      SELECT coalesce(bit_xor(${FP64('f.fingerprint')}), 0) INTO segment_digest
        FROM segment_fingerprints f WHERE f.pool_id = s.pool_id AND f.segment_id = s.id;
      SELECT array_agg(v.key ORDER BY v.ord), array_agg(v.label ORDER BY v.ord),
             array_agg(coalesce(n.people, 0) ORDER BY v.ord), array_agg(coalesce(n.digest, 0) ORDER BY v.ord)
        INTO keys, labels, counts, digests
        FROM crm_pool_breakdown_buckets(p_by) v
        LEFT JOIN (SELECT a.bucket, count(*) AS people, bit_xor(a.person) AS digest
                     FROM crm_pool_breakdown_people(s.pool_id, s.id, s.org_id, p_by) a GROUP BY a.bucket) n
          ON n.bucket = v.key;
      question := hmac(convert_to(format('breakdown:%s:%s:%s', p_by, segment_digest,
                                         array_to_string(ARRAY(SELECT keys[j] || '=' || digests[j]
                                                                 FROM generate_subscripts(keys, 1) j ORDER BY j), ',')),
                                  'UTF8'), secret, 'sha256');
      PERFORM crm_pool_ask(s.pool_id, s.id, 'BREAKDOWN', question);

      hidden := ARRAY(SELECT counts[j] < k FROM generate_subscripts(counts, 1) j ORDER BY j);
      FOR j IN 1 .. cardinality(keys) LOOP
        IF hidden[j] THEN
          any_hidden := true;
          mass := mass + counts[j];
        END IF;
      END LOOP;
      IF any_hidden AND mass < k THEN
        SELECT j INTO extra FROM generate_subscripts(counts, 1) j WHERE NOT hidden[j] ORDER BY counts[j], j LIMIT 1;
        IF extra IS NOT NULL THEN
          hidden[extra] := true;
        END IF;
      END IF;

      FOR j IN 1 .. cardinality(keys) LOOP
        bucket := keys[j];
        label := labels[j];
        suppressed := hidden[j];
        people := CASE WHEN hidden[j] THEN NULL
                       ELSE crm_pool_noisy(counts[j], k,
                                           hmac(convert_to('bucket:' || keys[j], 'UTF8') || question, secret, 'sha256'))
                  END;
        outcome := outcome || jsonb_build_array(jsonb_build_object('bucket', bucket, 'people', people));
        RETURN NEXT;
      END LOOP;
      PERFORM crm_pool_log(s.pool_id, 'BREAKDOWN', ARRAY[s.org_id], ARRAY[s.id], s.purpose, question,
                           jsonb_build_object('by', p_by, 'buckets', outcome), p_user);
    END $$;

  -- A membership that stops being ACTIVE (left, removed, invited again) stops contributing to benchmarks.
  CREATE FUNCTION crm_pool_benchmarks_off() RETURNS trigger
    LANGUAGE plpgsql ${INTERNAL} AS $$
    BEGIN
      NEW.benchmark_contributor := false;
      NEW.benchmark_since := NULL;
      RETURN NEW;
    END $$;

  -- My organization contributes its engagement figures to a pool's benchmarks, or stops (ACTIVE members; CP404
  -- otherwise). Stopping in the last pool it contributed to deletes its figures at once.
  CREATE FUNCTION crm_pool_set_benchmarks(p_pool uuid, p_contribute boolean) RETURNS boolean
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      r record := crm_pool_my_row(p_pool, ARRAY['ACTIVE']);
    BEGIN
      IF p_contribute IS NULL THEN
        RAISE EXCEPTION 'contribute is required' USING ERRCODE = 'CP400', COLUMN = 'contribute';
      END IF;
      UPDATE pool_members
         SET benchmark_contributor = p_contribute,
             benchmark_since = CASE WHEN p_contribute THEN coalesce(benchmark_since, now()) END,
             updated_at = now()
       WHERE pool_id = p_pool AND org_id = (r.me).org_id;
      IF NOT p_contribute AND NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.org_id = (r.me).org_id
                                                                         AND m.status = 'ACTIVE' AND m.benchmark_contributor) THEN
        DELETE FROM pool_benchmark_figures WHERE org_id = (r.me).org_id;
      END IF;
      RETURN p_contribute;
    END $$;

  -- Replaces my organization's figures (the pools.benchmark-figures job, under my claim): a JSON array of
  -- {metric, interval, periodStart, value, people}; rows without a value or people are left out. Nothing is kept
  -- unless my organization contributes in some pool. Returns how many were kept.
  CREATE FUNCTION crm_pool_benchmark_figures_put(p_figures jsonb) RETURNS int
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      n int;
    BEGIN
      IF p_figures IS NOT NULL AND jsonb_typeof(p_figures) <> 'array' THEN
        RAISE EXCEPTION 'figures must be a JSON array' USING ERRCODE = 'CP400', COLUMN = 'figures';
      END IF;
      -- two runs at once would insert the same keys
      PERFORM pg_advisory_xact_lock(hashtextextended('crm_pool_benchmark_figures:' || org, 0));
      DELETE FROM pool_benchmark_figures WHERE org_id = org;
      IF p_figures IS NULL OR NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.org_id = org AND m.status = 'ACTIVE'
                                                                         AND m.benchmark_contributor) THEN
        RETURN 0;
      END IF;
      INSERT INTO pool_benchmark_figures (org_id, metric, period_unit, period_start, value, people)
        SELECT org, x.metric, x."interval", x."periodStart", x.value, x.people
          FROM jsonb_to_recordset(p_figures) AS x (metric text, "interval" text, "periodStart" timestamptz,
                                                    value numeric, people int)
         WHERE x.value IS NOT NULL AND x.people > 0;
      GET DIAGNOSTICS n = ROW_COUNT;
      RETURN n;
    END $$;

  -- A pool's benchmark of one metric, per period (the last complete ones: 12 months, 8 quarters or 3 years), for an
  -- ACTIVE member (CP404 otherwise). Only a member that contributes sees the pool's cells (reciprocity): to one that
  -- does not, every period is suppressed, and nothing of anyone is read. Per period, over the contributing ACTIVE
  -- members' figures: the median with at least ${BENCHMARK_MIN_ORGANIZATIONS} organizations and k people (the effective
  -- k over them), the quartiles with at least ${BENCHMARK_MIN_QUARTILES} (with fewer, the median and both quartiles
  -- would give every figure back); rounded (rates to a percentage point, ratios to a tenth). One ledger row, whose data
  -- organizations are the contributors whose figures were read.
  CREATE FUNCTION crm_pool_benchmarks(p_pool uuid, p_metric text, p_interval text, p_user uuid)
    RETURNS TABLE (period_start timestamptz, contributing boolean, organizations int, median numeric, q1 numeric,
                   q3 numeric, suppressed boolean)
    LANGUAGE plpgsql ${DEFINER} AS $$
    #variable_conflict use_column
    DECLARE
      org uuid := crm_pool_caller();
      me pool_members;
      n int := CASE p_interval ${Object.entries(BENCHMARK_PERIODS)
        .map(([unit, count]) => `WHEN '${unit}' THEN ${count}`)
        .join(' ')} END;
      step interval := CASE p_interval WHEN 'MONTH' THEN interval '1 month' WHEN 'QUARTER' THEN interval '3 months'
                                       WHEN 'YEAR' THEN interval '1 year' END;
      places int := CASE p_metric ${Object.entries(BENCHMARK_PLACES)
        .map(([metric, places]) => `WHEN '${metric}' THEN ${places}`)
        .join(' ')} END;
      r record;
      readers uuid[] := '{}';
      state text := '';
      outcome jsonb := '[]';
    BEGIN
      IF places IS NULL THEN
        RAISE EXCEPTION 'metric must be one of ${BENCHMARK_METRICS.join(', ')}' USING ERRCODE = 'CP400', COLUMN = 'metric';
      END IF;
      IF n IS NULL THEN
        RAISE EXCEPTION 'interval must be one of ${Object.keys(BENCHMARK_PERIODS).join(', ')}'
          USING ERRCODE = 'CP400', COLUMN = 'interval';
      END IF;
      SELECT * INTO me FROM pool_members m WHERE m.pool_id = p_pool AND m.org_id = org AND m.status = 'ACTIVE';
      IF me.org_id IS NULL THEN
        RAISE EXCEPTION 'Pool not found' USING ERRCODE = 'CP404', COLUMN = 'poolId';
      END IF;
      IF NOT me.benchmark_contributor THEN
        RETURN QUERY SELECT g.p AT TIME ZONE '${ANALYTICS_TIME_ZONE}', false, NULL::int, NULL::numeric, NULL::numeric,
                            NULL::numeric, true
                       FROM (${BENCHMARK_PERIODS_SQL}) g ORDER BY g.p;
        RETURN;
      END IF;
      FOR r IN
        WITH periods AS (
          SELECT g.p AT TIME ZONE '${ANALYTICS_TIME_ZONE}' AS p FROM (${BENCHMARK_PERIODS_SQL}) g
        ), figures AS (
          SELECT f.period_start, f.org_id, f.value, f.people
            FROM pool_benchmark_figures f
            JOIN pool_members m ON m.org_id = f.org_id AND m.pool_id = p_pool AND m.status = 'ACTIVE'
                               AND m.benchmark_contributor
           WHERE f.metric = p_metric AND f.period_unit = p_interval AND f.period_start IN (SELECT p FROM periods)
        ), cells AS (
          SELECT f.period_start, count(*)::int AS orgs, sum(f.people) AS people, array_agg(f.org_id) AS org_ids,
                 string_agg(f.org_id || '=' || f.value || '/' || f.people, ',' ORDER BY f.org_id) AS state,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY f.value::float8) AS mid,
                 percentile_cont(0.25) WITHIN GROUP (ORDER BY f.value::float8) AS lo,
                 percentile_cont(0.75) WITHIN GROUP (ORDER BY f.value::float8) AS hi
            FROM figures f GROUP BY f.period_start
        )
        SELECT periods.p, coalesce(c.orgs, 0) AS orgs, c.org_ids, c.state,
               coalesce(c.orgs >= ${BENCHMARK_MIN_ORGANIZATIONS}
                        AND c.people >= crm_pool_effective_k(p_pool, c.org_ids), false) AS shown,
               coalesce(c.orgs >= ${BENCHMARK_MIN_QUARTILES}, false) AS quartiles, c.mid, c.lo, c.hi
          FROM periods LEFT JOIN cells c ON c.period_start = periods.p
         ORDER BY periods.p
      LOOP
        period_start := r.p;
        contributing := true;
        organizations := r.orgs;
        suppressed := NOT r.shown;
        median := CASE WHEN r.shown THEN round(r.mid::numeric, places) END;
        q1 := CASE WHEN r.shown AND r.quartiles THEN round(r.lo::numeric, places) END;
        q3 := CASE WHEN r.shown AND r.quartiles THEN round(r.hi::numeric, places) END;
        readers := readers || coalesce(r.org_ids, '{}');
        state := state || r.p || ':' || coalesce(r.state, '') || ';';
        outcome := outcome || jsonb_build_array(jsonb_build_object(
          'periodStart', r.p, 'organizations', r.orgs, 'median', median, 'q1', q1, 'q3', q3));
        RETURN NEXT;
      END LOOP;
      PERFORM crm_pool_log(p_pool, 'BENCHMARK', ARRAY(SELECT DISTINCT x FROM unnest(readers) x ORDER BY 1), '{}', NULL,
                           hmac(convert_to('benchmark:' || p_metric || ':' || p_interval || ':' || state, 'UTF8'),
                                crm_pool_secret(p_pool), 'sha256'),
                           jsonb_build_object('metric', p_metric, 'interval', p_interval, 'periods', outcome), p_user);
    END $$;
`;
