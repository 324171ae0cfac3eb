import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';

const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp`;

/** The scale b of the Laplace noise on every count a member learns of other members' data (README, "Pools"). */
export const POOL_NOISE_SCALE = 10;
/** Counts are shown rounded to a multiple of this (after the noise). */
export const POOL_COUNT_ROUNDING = 5;
/** How many distinct questions an organization may ask of one shared segment (or one pool's matrix) in 24 hours. */
export const POOL_DAILY_QUESTIONS = 20;

/** What the ledger records: every cross-organization question, share, unshare and reveal. */
export const POOL_LEDGER_ACTIONS = [
  'SHARE',
  'UNSHARE',
  'OVERLAP',
  'OVERLAP_MATRIX',
  'BREAKDOWN',
  'BENCHMARK',
  'REVEAL_REQUEST',
  'REVEAL_APPROVE',
  'REVEAL_REFUSE',
  'REVEAL_COPY',
] as const;

/**
 * The sharing ledger and the disclosure control every pool aggregate uses (issue 15, steps 2 and 3).
 *
 * - `pool_ledger`: append-only (no UPDATE, DELETE or TRUNCATE, by anyone: a trigger refuses them, the broker has only
 *   SELECT and INSERT, crm_app nothing). A pool table without org_id (a row concerns several organizations): the asker
 *   (`actor_org_id`) and whose data the answer drew on (`data_org_ids`). Read through `crm_pool_ledger`.
 * - `crm_pool_noisy(count, k, seed)`: the count a member is shown. Under k: NULL (suppressed), never 0 or a bound.
 *   Else the count plus Laplace noise drawn from `seed`, rounded, never shown under k. The seed is an HMAC with the
 *   pool's secret over the *state* of the question (digests of the sets it compares), so the same question gets the
 *   same answer (repeating it averages nothing away), and a question that differs by one person gets fresh noise.
 * - `crm_pool_ask(pool, segment, action, question)`: the budget: an organization may ask POOL_DAILY_QUESTIONS distinct
 *   questions of one segment in 24 hours (asking the same question again is free: it gets the same answer). CP429 beyond.
 * - `crm_pool_log(...)`: writes one ledger row, for the caller.
 * Internal functions (not crm_app's): crm_pool_fp64, crm_pool_noisy, crm_pool_ask, crm_pool_log. crm_app calls
 * `crm_pool_ledger` only.
 */
export class PoolLedger1765137600000 implements MigrationInterface {
  name = 'PoolLedger1765137600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pool_ledger (
        pool_id uuid NOT NULL REFERENCES pools,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_org_id uuid NOT NULL,
        actor_user_id uuid,
        action text NOT NULL CHECK (action IN (${POOL_LEDGER_ACTIONS.map((a) => `'${a}'`).join(', ')})),
        -- whose data the answer (or the share, the reveal) is about
        data_org_ids uuid[] NOT NULL,
        segment_ids uuid[] NOT NULL DEFAULT '{}',
        purpose text,
        -- a one-way digest of the question's state (the budget counts distinct ones); never shown
        question bytea,
        -- what came out: counts as shown (null when suppressed)
        outcome jsonb NOT NULL DEFAULT '{}',
        PRIMARY KEY (pool_id, seq)
      );
      CREATE INDEX pool_ledger_asker ON pool_ledger (pool_id, actor_org_id, at);
      CREATE INDEX pool_ledger_data ON pool_ledger USING gin (data_org_ids);
      ALTER TABLE pool_ledger ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_ledger FORCE ROW LEVEL SECURITY;
      CREATE POLICY pool_broker_read ON pool_ledger FOR SELECT TO ${POOL_BROKER_ROLE} USING ((SELECT crm_tenant_verified()));
      CREATE POLICY pool_broker_write ON pool_ledger FOR INSERT TO ${POOL_BROKER_ROLE}
        WITH CHECK ((SELECT crm_tenant_verified()) AND actor_org_id = crm_current_org());
      REVOKE ALL ON pool_ledger FROM crm_app;
      GRANT SELECT, INSERT ON pool_ledger TO ${POOL_BROKER_ROLE};

      CREATE FUNCTION crm_refuse_ledger_change() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
        BEGIN
          RAISE EXCEPTION 'The sharing ledger is append-only' USING ERRCODE = '42501';
        END $$;
      CREATE TRIGGER pool_ledger_append_only BEFORE UPDATE OR DELETE ON pool_ledger
        FOR EACH ROW EXECUTE FUNCTION crm_refuse_ledger_change();
      CREATE TRIGGER pool_ledger_no_truncate BEFORE TRUNCATE ON pool_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION crm_refuse_ledger_change();
    `);
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
    }
    await q.query(`DROP FUNCTION crm_pool_unshare(uuid)`);
    await q.query(SHARING);
    for (const signature of [
      'crm_pool_share(uuid, uuid, text, timestamptz, text, uuid)',
      'crm_pool_unshare(uuid, uuid)',
    ])
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
    await q.query(`REVOKE EXECUTE ON FUNCTION crm_pool_unshare(uuid, uuid) FROM PUBLIC`);
    await q.query(
      `GRANT EXECUTE ON FUNCTION crm_pool_ledger(uuid, bigint, int), crm_pool_unshare(uuid, uuid) TO crm_app`,
    );
  }

  /** The ledger is append-only: reverting would erase it, so this migration is not reverted. */
  down(): Promise<void> {
    return Promise.reject(new Error('PoolLedger1765137600000 is not reverted: the sharing ledger is append-only'));
  }
}

const SIGNATURES = [
  'crm_pool_fp64(bytea)',
  'crm_pool_noisy(bigint, int, bytea)',
  'crm_pool_ask(uuid, uuid, text, bytea)',
  'crm_pool_log(uuid, text, uuid[], uuid[], text, bytea, jsonb, uuid)',
  'crm_pool_ledger(uuid, bigint, int)',
];

const FUNCTIONS = `
  -- The first 64 bits of a fingerprint (or any digest), for order-independent set digests: bit_xor(crm_pool_fp64(f)).
  CREATE FUNCTION crm_pool_fp64(p bytea) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT ('x' || encode(substr(p, 1, 8), 'hex'))::bit(64)::bigint
    $$;

  -- The count shown: NULL under k; else count + Laplace(${POOL_NOISE_SCALE}) drawn from the seed, rounded to
  -- ${POOL_COUNT_ROUNDING}, never under k (a count at or above k is never shown as one below it).
  CREATE FUNCTION crm_pool_noisy(p_count bigint, p_k int, p_seed bytea) RETURNS int
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      -- uniform in (0, 1) from 52 bits of the seed
      u double precision := ((('x' || encode(substr(p_seed, 1, 7), 'hex'))::bit(56)::bigint >> 4) + 0.5)
                            / 4503599627370496.0;
      noise double precision;
    BEGIN
      IF p_count IS NULL OR p_k IS NULL OR p_count < p_k THEN
        RETURN NULL;
      END IF;
      noise := CASE WHEN u < 0.5 THEN ${POOL_NOISE_SCALE} * ln(2 * u) ELSE -${POOL_NOISE_SCALE} * ln(2 * (1 - u)) END;
      RETURN greatest(p_k, round((p_count + noise) / ${POOL_COUNT_ROUNDING}) * ${POOL_COUNT_ROUNDING})::int;
    END $$;

  -- The caller's budget of questions about one segment (or, with a NULL segment, one pool's matrix): refuses a new
  -- distinct question past ${POOL_DAILY_QUESTIONS} in 24 hours (CP429); the same question again is always answered.
  -- Serialized per asker and segment, so that two concurrent questions cannot both take the last one.
  CREATE FUNCTION crm_pool_ask(p_pool uuid, p_segment uuid, p_action text, p_question bytea) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      org uuid := crm_pool_caller();
      -- the ledger keeps the question's digest (crm_pool_log)
      digest bytea := sha256(p_question);
      asked int;
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtextextended('crm_pool_ask:' || org || ':' || coalesce(p_segment, p_pool), 0));
      IF EXISTS (SELECT 1 FROM pool_ledger l
                  WHERE l.pool_id = p_pool AND l.actor_org_id = org AND l.at > now() - interval '24 hours'
                    AND l.action = p_action AND l.question = digest
                    AND (p_segment IS NULL OR l.segment_ids @> ARRAY[p_segment])) THEN
        RETURN;
      END IF;
      SELECT count(DISTINCT l.question) INTO asked FROM pool_ledger l
       WHERE l.pool_id = p_pool AND l.actor_org_id = org AND l.at > now() - interval '24 hours'
         AND l.action = p_action AND l.question IS NOT NULL
         AND (p_segment IS NULL OR l.segment_ids @> ARRAY[p_segment]);
      IF asked >= ${POOL_DAILY_QUESTIONS} THEN
        RAISE EXCEPTION 'My organization asked % different questions of this in the last 24 hours: ask again tomorrow',
          ${POOL_DAILY_QUESTIONS} USING ERRCODE = 'CP429';
      END IF;
    END $$;

  -- One ledger row, the caller's. p_question: the question's seed; the ledger keeps only its digest.
  CREATE FUNCTION crm_pool_log(p_pool uuid, p_action text, p_data_orgs uuid[], p_segments uuid[], p_purpose text,
                               p_question bytea, p_outcome jsonb, p_user uuid) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO pool_ledger (pool_id, actor_org_id, actor_user_id, action, data_org_ids, segment_ids, purpose, question,
                             outcome)
    VALUES (p_pool, crm_pool_caller(), p_user, p_action, coalesce(p_data_orgs, '{}'), coalesce(p_segments, '{}'),
            p_purpose, CASE WHEN p_question IS NOT NULL THEN sha256(p_question) END, coalesce(p_outcome, '{}'))
    $$;

  -- The ledger as the caller may read it, newest first, after the row p_before (NULL: from the newest), p_limit rows:
  -- the steward of the pool reads all of it; a member what was asked of its data and what it asked itself. Nothing
  -- for a non-member. The asker's user only on the asker's own rows.
  CREATE FUNCTION crm_pool_ledger(p_pool uuid, p_before bigint, p_limit int)
    RETURNS TABLE (seq bigint, at timestamptz, actor_org_id uuid, actor_name text, actor_user_id uuid, action text,
                   data_org_ids uuid[], data_org_names text[], segment_ids uuid[], purpose text, outcome jsonb)
    LANGUAGE sql STABLE ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org),
         me AS (SELECT m.role FROM caller, pool_members m
                 WHERE m.pool_id = p_pool AND m.org_id = caller.org AND m.status = 'ACTIVE')
    SELECT l.seq, l.at, l.actor_org_id, coalesce(o.name, '(deleted organization)'),
           CASE WHEN l.actor_org_id = caller.org THEN l.actor_user_id END, l.action, l.data_org_ids,
           ARRAY(SELECT coalesce(d.name, '(deleted organization)') FROM unnest(l.data_org_ids) WITH ORDINALITY x (id, n)
                   LEFT JOIN organizations d ON d.id = x.id ORDER BY x.n),
           l.segment_ids, l.purpose, l.outcome
      FROM caller, me, pool_ledger l LEFT JOIN organizations o ON o.id = l.actor_org_id
     WHERE l.pool_id = p_pool AND (p_before IS NULL OR l.seq < p_before)
       AND (me.role = 'STEWARD' OR l.actor_org_id = caller.org OR caller.org = ANY (l.data_org_ids))
     ORDER BY l.seq DESC
     LIMIT least(greatest(coalesce(p_limit, 100), 0), 1000)
    $$;
`;

/** crm_pool_share and crm_pool_unshare (shared-segments migration), now written to the ledger; unshare names its user. */
const SHARING = `
  CREATE OR REPLACE FUNCTION crm_pool_share(p_audience uuid, p_pool uuid, p_purpose text, p_expires timestamptz,
                                            p_description text, p_user uuid)
    RETURNS uuid LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      a_name text;
      p pools;
      segment uuid;
      people int;
    BEGIN
      SELECT name INTO a_name FROM audiences WHERE org_id = org AND id = p_audience;
      IF a_name IS NULL THEN
        RAISE EXCEPTION 'Audience not found' USING ERRCODE = 'CP404', COLUMN = 'audienceId';
      END IF;
      SELECT * INTO p FROM pools WHERE id = p_pool
        AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = p_pool AND m.org_id = org AND m.status = 'ACTIVE');
      IF p.id IS NULL THEN
        RAISE EXCEPTION 'Pool not found' USING ERRCODE = 'CP404', COLUMN = 'poolId';
      END IF;
      IF p.frozen_at IS NOT NULL THEN
        RAISE EXCEPTION 'The pool is frozen: it has no steward left' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      IF p_purpose IS NULL OR NOT p_purpose = ANY (p.purposes) THEN
        RAISE EXCEPTION 'The pool allows only these purposes: %', array_to_string(p.purposes, ', ')
          USING ERRCODE = 'CP400', COLUMN = 'purpose';
      END IF;
      IF p_expires IS NOT NULL AND p_expires <= now() THEN
        RAISE EXCEPTION 'expiresAt must be in the future' USING ERRCODE = 'CP400', COLUMN = 'expiresAt';
      END IF;
      IF length(p_description) > 2000 THEN
        RAISE EXCEPTION 'The description must have at most 2000 characters' USING ERRCODE = 'CP400', COLUMN = 'description';
      END IF;
      INSERT INTO shared_segments (org_id, pool_id, audience_id, audience_name, purpose, description, expires_at, created_by)
        VALUES (org, p_pool, p_audience, a_name, p_purpose, nullif(btrim(p_description), ''), p_expires, p_user)
        RETURNING id INTO segment;
      people := crm_pool_segment_refresh(segment);
      PERFORM crm_pool_log(p_pool, 'SHARE', ARRAY[org], ARRAY[segment], p_purpose, NULL,
                           jsonb_build_object('people', people), p_user);
      RETURN segment;
    END $$;

  CREATE FUNCTION crm_pool_unshare(p_segment uuid, p_user uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
    BEGIN
      -- a sync of the organization's segments finishes first (pools.sync-segments takes the same lock): it cannot
      -- write fingerprints of the share after they were deleted
      PERFORM pg_advisory_xact_lock(hashtextextended('crm_pools:' || org::text, 0));
      UPDATE shared_segments SET withdrawn_at = now()
       WHERE org_id = org AND id = p_segment AND withdrawn_at IS NULL RETURNING * INTO s;
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      DELETE FROM segment_fingerprints WHERE pool_id = s.pool_id AND segment_id = s.id;
      PERFORM crm_pool_log(s.pool_id, 'UNSHARE', ARRAY[org], ARRAY[s.id], s.purpose, NULL, '{}', p_user);
    END $$;
`;
