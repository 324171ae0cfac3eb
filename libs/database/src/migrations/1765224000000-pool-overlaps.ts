import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';

/** pg_temp last, explicitly (the definer-search-path migration says why). */
const SAFE_SEARCH_PATH = 'pg_catalog, public, pg_temp';
const DEFINER = `SECURITY DEFINER SET search_path = ${SAFE_SEARCH_PATH}`;

/** A share that counts: not withdrawn, not expired (as in the shared-segments migration). */
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/**
 * 64 bits of a fingerprint, for order-independent set digests (bit_xor over a set) and cheap set membership. Not
 * crm_pool_fp64 (the ledger migration): a function with its own search_path is never inlined, and these run over
 * hundreds of thousands of fingerprints per question; PostgreSQL's own hash of a bytea (the one hash partitioning relies
 * on, so stable across versions) costs a fraction of it. Two fingerprints of a question sharing these 64 bits (about
 * one chance in 10^9 at 200,000 each side) would count as one.
 */
const FP64 = (bytes: string) => `hashbyteaextended(${bytes}, 0)`;

/** The aggregate functions hold a few hundred thousand fingerprints' hashes in memory (sorts, hash tables). */
const MEMORY = `SET work_mem = '64MB'`;
/** The matrix groups millions of fingerprints (every live segment of a pool): more memory, or it spills to disk. */
const MATRIX_MEMORY = `SET work_mem = '128MB'`;
/** The matrix keeps a person's segments as the bits of one bigint. */
const MATRIX_MAX_SEGMENTS = 64;

/**
 * HMAC-SHA256 of `value` with the key whose padded forms are `ipad` and `opad` (RFC 2104), with the core sha256:
 * the same bytes as pgcrypto's hmac(value, key, 'sha256'), at half its cost (hmac() looks its digest up and sets up
 * its key on every call), which matters at one call per email and phone of 100,000 contacts.
 */
const HMAC = (value: string) => `sha256(opad || sha256(ipad || ${value}))`;

/**
 * The 64-bit hashes (FP64) of my organization's fingerprints in a pool, computed on the fly under my claim with the
 * pool's secret, exactly as crm_pool_segment_refresh fingerprints a publisher's people (the stored email and E.164
 * phone as UTF-8, HMAC-SHA256, empty values left out): every contact of `org` (the broker also sees other publishers'
 * shared people: hence the explicit org_id), or the members of one of its audiences. Never stored. Distinct: the
 * answer depends on the set only, so must its digest.
 */
const MY_FINGERPRINTS = (audience: string | null) => `
  SELECT DISTINCT ${FP64('v.fp')} AS h
    FROM (SELECT unnest(ARRAY[${HMAC(`convert_to(nullif(c.email, ''), 'UTF8')`)},
                              ${HMAC(`convert_to(nullif(c.phone, ''), 'UTF8')`)}]) AS fp
            FROM ${
              audience
                ? `audience_members am JOIN contacts c ON c.org_id = am.org_id AND c.id = am.contact_id
           WHERE am.org_id = org AND am.audience_id = ${audience}`
                : `contacts c
           WHERE c.org_id = org`
            }) v
   WHERE v.fp IS NOT NULL`;

/**
 * One pass over a segment's fingerprints, each looked up in my set (a hashed subplan): per person (a publisher's
 * contact) whether I hold one of its fingerprints; then the segment's people, the people I hold, and the digests. The
 * segment's digest binds each fingerprint to its person (a nonlinear mix of each person's fingerprints), so that the
 * same fingerprints regrouped into other people (a merge, a split) make another question, not the same noise over
 * another count.
 */
const OVERLAP_QUERY = (audience: string | null) => `
  WITH mine AS MATERIALIZED (${MY_FINGERPRINTS(audience)}),
  prints AS (
    SELECT f.contact_id, ${FP64('f.fingerprint')} AS h
      FROM segment_fingerprints f WHERE f.pool_id = s.pool_id AND f.segment_id = s.id
  ),
  people AS (
    SELECT bool_or(r.h IN (SELECT m.h FROM mine m)) AS held, bit_xor(r.h) AS x, count(*) AS n
      FROM prints r GROUP BY r.contact_id
  )
  SELECT count(*), count(*) FILTER (WHERE p.held), coalesce(sum(p.n), 0), coalesce(bit_xor(hashint8extended(p.x, 0)), 0),
         (SELECT count(*) FROM mine), (SELECT coalesce(bit_xor(m.h), 0) FROM mine m)
    INTO seg_people, n_held, seg_rows, seg_digest, my_count, my_digest
    FROM people p`;

/**
 * What members learn of each other's shared segments (issue 15, "What members can learn"): the overlap of a segment
 * with my contacts or one of my audiences, and the overlap matrix of a pool's segments. Every count goes out through
 * crm_pool_noisy (suppressed under the effective k, seeded Laplace noise, rounded), after crm_pool_ask (the daily
 * budget of distinct questions), and each answer is written to the sharing ledger (crm_pool_log).
 *
 * Seeds (README, "Disclosure control"): hmac(label || digests of the compared sets, the pool's secret). The same
 * question (the same sets) gets the same answer; a question that differs by one person gets fresh noise. The seeds
 * name no segment id: the same people shared twice get the same noise, not two independent looks.
 */
export class PoolOverlaps1765224000000 implements MigrationInterface {
  name = 'PoolOverlaps1765224000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const signature of SIGNATURES) await q.query(`DROP FUNCTION ${signature}`);
  }
}

const SIGNATURES = ['crm_pool_overlap(uuid, uuid, uuid)', 'crm_pool_overlap_matrix(uuid, uuid)'];

const FUNCTIONS = `
  -- How many people of a live shared segment my organization already holds (all my contacts, or the members of
  -- p_audience), and how many would be new reach, for an ACTIVE member of the segment's pool. Both noisy, NULL under
  -- the effective k of the publisher and me. CP404 (sharedSegmentId) for a segment not live in a pool I am ACTIVE in,
  -- existing or not; CP404 (audienceId) for an audience not mine; CP429 past the day's budget of distinct questions.
  CREATE FUNCTION crm_pool_overlap(p_segment uuid, p_audience uuid, p_user uuid)
    RETURNS TABLE (overlap int, new_reach int, min_group_size int)
    LANGUAGE plpgsql ${DEFINER} ${MEMORY} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
      key bytea;
      ipad bytea;
      opad bytea;
      k int;
      seg_people bigint;
      n_held bigint;
      seg_rows bigint;
      seg_digest bigint;
      my_count bigint;
      my_digest bigint;
      state bytea;
      seed bytea;
    BEGIN
      SELECT * INTO s FROM shared_segments x
       WHERE x.id = p_segment AND ${LIVE('x')}
         AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = x.pool_id AND m.org_id = org AND m.status = 'ACTIVE');
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'sharedSegmentId';
      END IF;
      IF p_audience IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audiences a WHERE a.org_id = org AND a.id = p_audience) THEN
        RAISE EXCEPTION 'Audience not found' USING ERRCODE = 'CP404', COLUMN = 'audienceId';
      END IF;
      key := crm_pool_secret(s.pool_id);
      -- the key's padded forms for HMAC: a 32-byte secret (the pools' secrets), zero-padded to SHA-256's 64-byte block
      ipad := key || decode(repeat('00', 64 - length(key)), 'hex');
      opad := ipad;
      FOR i IN 0..63 LOOP
        ipad := set_byte(ipad, i, get_byte(ipad, i) # 54);
        opad := set_byte(opad, i, get_byte(opad, i) # 92);
      END LOOP;
      IF p_audience IS NULL THEN
        ${OVERLAP_QUERY(null)};
      ELSE
        ${OVERLAP_QUERY('p_audience')};
      END IF;
      k := crm_pool_effective_k(s.pool_id, ARRAY[s.org_id, org]);
      state := int8send(seg_digest) || int8send(seg_rows) || int8send(seg_people)
               || int8send(my_digest) || int8send(my_count);
      seed := hmac(convert_to('overlap', 'UTF8') || state, key, 'sha256');
      PERFORM crm_pool_ask(s.pool_id, s.id, 'OVERLAP', seed);
      overlap := crm_pool_noisy(n_held, k, seed);
      new_reach := crm_pool_noisy(seg_people - n_held, k, hmac(convert_to('new-reach', 'UTF8') || state, key, 'sha256'));
      min_group_size := k;
      PERFORM crm_pool_log(s.pool_id, 'OVERLAP', ARRAY[s.org_id], ARRAY[s.id], s.purpose, seed,
                           jsonb_build_object('overlap', overlap, 'newReach', new_reach), p_user);
      RETURN NEXT;
    END $$;

  -- For every unordered pair of a pool's live shared segments (A shared before B), how many people of A share a
  -- fingerprint with people of B: noisy, NULL under the effective k of both publishers. For an ACTIVE member (who
  -- among them may ask is the API's rule, by role); CP404 (poolId) for anyone else, existing pool or not. One
  -- question of the day's matrix budget, one ledger row naming every publisher and segment. At most
  -- ${MATRIX_MAX_SEGMENTS} live segments (a person's segments are the bits of one bigint).
  CREATE FUNCTION crm_pool_overlap_matrix(p_pool uuid, p_user uuid)
    RETURNS TABLE (segment_a uuid, segment_b uuid, overlap int, min_group_size int)
    LANGUAGE plpgsql ${DEFINER} ${MATRIX_MEMORY} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      key bytea;
      question bytea;
      segs uuid[];
      publishers uuid[];
      purposes text[];
      seg_state bytea[];
      -- the cells, A before B: indexes into segs, the people of A found in B, k, the count shown
      cell_a int[];
      cell_b int[];
      cell_count bigint[];
      cell_k int[];
      cell_shown int[];
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = p_pool AND m.org_id = org AND m.status = 'ACTIVE')
      THEN
        RAISE EXCEPTION 'Pool not found' USING ERRCODE = 'CP404', COLUMN = 'poolId';
      END IF;
      SELECT array_agg(x.id ORDER BY x.created_at, x.id), array_agg(x.org_id ORDER BY x.created_at, x.id),
             array_agg(DISTINCT x.purpose)
        INTO segs, publishers, purposes
        FROM shared_segments x WHERE x.pool_id = p_pool AND ${LIVE('x')};
      IF coalesce(cardinality(segs), 0) < 2 THEN
        RETURN; -- no pair: nothing to learn, nothing asked
      END IF;
      IF cardinality(segs) > ${MATRIX_MAX_SEGMENTS} THEN
        RAISE EXCEPTION 'The overlap matrix covers at most ${MATRIX_MAX_SEGMENTS} live shared segments; this pool has %',
          cardinality(segs) USING ERRCODE = 'CP400', COLUMN = 'poolId';
      END IF;
      key := crm_pool_secret(p_pool);
      -- Per fingerprint, the segments that hold it (a window over the fingerprints, no join); per person (a segment's
      -- contact), the segments holding one of its fingerprints (bits); the people grouped by (segment, those bits):
      -- each segment's digest (as crm_pool_overlap's) and, for every pair A < B, the people of A found in B.
      -- Everything is computed before the budget is asked: nothing leaves the function unless it is granted.
      WITH prints AS (
        SELECT array_position(segs, f.segment_id) AS n, f.contact_id, ${FP64('f.fingerprint')} AS h
          FROM segment_fingerprints f WHERE f.pool_id = p_pool AND f.segment_id = ANY (segs)
      ), masked AS (
        SELECT p.n, p.contact_id, p.h, bit_or(1::bigint << (p.n - 1)) OVER (PARTITION BY p.h) AS m FROM prints p
      ), people AS (
        SELECT p.n, bit_or(p.m) AS m, bit_xor(p.h) AS x, count(*) AS r FROM masked p GROUP BY p.n, p.contact_id
      ), groups AS MATERIALIZED (
        SELECT p.n, p.m, count(*) AS c, bit_xor(hashint8extended(p.x, 0)) AS d, sum(p.r) AS r
          FROM people p GROUP BY p.n, p.m
      ), states AS (
        SELECT i.n, int8send(coalesce(t.d, 0)) || int8send(coalesce(t.r, 0)) || int8send(coalesce(t.c, 0)) AS state
          FROM generate_series(1, cardinality(segs)) i (n)
          LEFT JOIN (SELECT g.n, bit_xor(g.d) AS d, sum(g.r)::bigint AS r, sum(g.c)::bigint AS c
                       FROM groups g GROUP BY g.n) t ON t.n = i.n
      ), pairs AS (
        SELECT g.n AS a, b.n AS b, sum(g.c)::bigint AS c
          FROM groups g CROSS JOIN LATERAL generate_series(g.n + 1, cardinality(segs)) b (n)
         WHERE (g.m >> (b.n - 1)) & 1 = 1
         GROUP BY g.n, b.n
      ), cells AS (
        SELECT a.n AS a, b.n AS b, coalesce(p.c, 0) AS c
          FROM generate_series(1, cardinality(segs)) a (n)
          JOIN generate_series(1, cardinality(segs)) b (n) ON b.n > a.n
          LEFT JOIN pairs p ON p.a = a.n AND p.b = b.n
      )
      SELECT (SELECT array_agg(t.state ORDER BY t.n) FROM states t),
             array_agg(c.a ORDER BY c.a, c.b), array_agg(c.b ORDER BY c.a, c.b), array_agg(c.c ORDER BY c.a, c.b)
        INTO seg_state, cell_a, cell_b, cell_count
        FROM cells c;
      question := hmac(convert_to('overlap-matrix-question', 'UTF8')
                       || (SELECT string_agg(x.state, ''::bytea ORDER BY x.i) FROM unnest(seg_state) WITH ORDINALITY x (state, i)),
                       key, 'sha256');
      PERFORM crm_pool_ask(p_pool, NULL, 'OVERLAP_MATRIX', question);
      SELECT array_agg(c.k ORDER BY c.i),
             array_agg(crm_pool_noisy(c.n, c.k, hmac(convert_to('overlap-matrix', 'UTF8') || seg_state[c.a] || seg_state[c.b],
                                                     key, 'sha256')) ORDER BY c.i)
        INTO cell_k, cell_shown
        FROM (SELECT u.*, crm_pool_effective_k(p_pool, ARRAY[publishers[u.a], publishers[u.b]]) AS k
                FROM unnest(cell_a, cell_b, cell_count) WITH ORDINALITY u (a, b, n, i)) c;
      PERFORM crm_pool_log(p_pool, 'OVERLAP_MATRIX', ARRAY(SELECT DISTINCT u FROM unnest(publishers) u), segs,
                           CASE WHEN cardinality(purposes) = 1 THEN purposes[1] END, question,
                           (SELECT jsonb_object_agg(segs[c.a] || ':' || segs[c.b], c.shown)
                              FROM unnest(cell_a, cell_b, cell_shown) c (a, b, shown)),
                           p_user);
      RETURN QUERY SELECT segs[c.a], segs[c.b], c.shown, c.k
                     FROM unnest(cell_a, cell_b, cell_shown, cell_k) WITH ORDINALITY c (a, b, shown, k, i)
                    ORDER BY c.i;
    END $$;
`;
