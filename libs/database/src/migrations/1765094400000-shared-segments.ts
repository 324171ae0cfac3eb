import type { MigrationInterface, QueryRunner } from 'typeorm';
import { consentStateSql } from '../../../contacts/src/consent/consent-state.sql.js';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public`;

/** A share that counts: not withdrawn, not expired (an expired share behaves as withdrawn everywhere). */
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/**
 * Shared segments (issue 15, step 2a): an organization's audience published to a pool, and what enters the pool of
 * it: pool-scoped fingerprints (HMAC-SHA256 with the pool's secret over the normalized email and the E.164 phone).
 *
 * - `shared_segments` is a tenant table (org_id = the publisher): crm_app reads its own rows and writes none; the
 *   catalogue of a pool (other publishers' shares) is read through `crm_pool_segments`, which returns nothing to a
 *   non-member, and sizes only at or above the effective k.
 * - `pool_secrets` and `segment_fingerprints`: crm_app has no privilege at all on them; the broker reads and writes
 *   them under a verified claim, through `crm_pool_share`, `crm_pool_unshare` and `crm_pool_segment_refresh`.
 *   A pool's secret never leaves the database.
 */
export class SharedSegments1765094400000 implements MigrationInterface {
  name = 'SharedSegments1765094400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shared_segments (
        org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        pool_id uuid NOT NULL REFERENCES pools ON DELETE CASCADE,
        audience_id uuid NOT NULL,
        -- the audience's name when shared: what the catalogue shows (the broker reads no audience of another org)
        audience_name text NOT NULL,
        purpose text NOT NULL,
        description text CHECK (length(description) <= 2000),
        expires_at timestamptz,
        withdrawn_at timestamptz,
        auto_approve boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, audience_id) REFERENCES audiences (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX shared_segments_pool ON shared_segments (pool_id);
      CREATE INDEX shared_segments_audience ON shared_segments (org_id, audience_id);
      ALTER TABLE shared_segments ENABLE ROW LEVEL SECURITY;
      ALTER TABLE shared_segments FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON shared_segments USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
      CREATE POLICY pool_broker ON shared_segments TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified())) WITH CHECK ((SELECT crm_tenant_verified()));

      -- one secret per pool, generated in the database; never selected by the application
      CREATE TABLE pool_secrets (
        pool_id uuid PRIMARY KEY REFERENCES pools ON DELETE CASCADE,
        secret bytea NOT NULL CHECK (length(secret) = 32)
      );
      ALTER TABLE pool_secrets ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_secrets FORCE ROW LEVEL SECURITY;
      CREATE POLICY pool_broker ON pool_secrets TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified())) WITH CHECK ((SELECT crm_tenant_verified()));

      CREATE TABLE segment_fingerprints (
        pool_id uuid NOT NULL,
        segment_id uuid NOT NULL,
        publisher_org_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        fingerprint bytea NOT NULL,
        revealable boolean NOT NULL,
        PRIMARY KEY (pool_id, segment_id, fingerprint, contact_id),
        FOREIGN KEY (publisher_org_id, segment_id) REFERENCES shared_segments (org_id, id) ON DELETE CASCADE,
        -- a contact deleted (or merged away) at the publisher leaves every pool at once
        FOREIGN KEY (publisher_org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX segment_fingerprints_contact ON segment_fingerprints (publisher_org_id, contact_id);
      CREATE INDEX segment_fingerprints_segment ON segment_fingerprints (segment_id, contact_id);
      ALTER TABLE segment_fingerprints ENABLE ROW LEVEL SECURITY;
      ALTER TABLE segment_fingerprints FORCE ROW LEVEL SECURITY;
      CREATE POLICY pool_broker ON segment_fingerprints TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified())) WITH CHECK ((SELECT crm_tenant_verified()));

      GRANT SELECT ON shared_segments TO crm_app;
      REVOKE ALL ON pool_secrets, segment_fingerprints FROM crm_app;
      GRANT SELECT, INSERT, UPDATE ON shared_segments TO ${POOL_BROKER_ROLE};
      GRANT SELECT, INSERT ON pool_secrets TO ${POOL_BROKER_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON segment_fingerprints TO ${POOL_BROKER_ROLE};
      -- the publisher's own data, read by the broker under the publisher's claim (the tenant policies bind it)
      GRANT SELECT ON audiences, audience_members, contacts, consents TO ${POOL_BROKER_ROLE};
    `);
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      if (!/^crm_pool_(secret|new_secret)\(/.test(signature))
        await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER pools_new_secret ON pools`);
    await q.query(`DROP TRIGGER consents_reach_pools ON consents`);
    await q.query(`DROP FUNCTION crm_consents_reach_pools()`);
    for (const signature of SIGNATURES) await q.query(`DROP FUNCTION ${signature}`);
    await q.query(`
      REVOKE ALL ON audiences, audience_members, contacts, consents FROM ${POOL_BROKER_ROLE};
      DROP TABLE segment_fingerprints, pool_secrets, shared_segments;
    `);
  }
}

const SIGNATURES = [
  'crm_pool_new_secret()',
  'crm_pool_secret(uuid)',
  'crm_pool_segment_refresh(uuid)',
  'crm_pool_contacts_refresh(uuid[])',
  'crm_pool_share(uuid, uuid, text, timestamptz, text, uuid)',
  'crm_pool_unshare(uuid)',
  'crm_pool_segments(uuid)',
];

const FUNCTIONS = `
  -- A new pool gets its secret (inserted by the broker, in crm_pool_create).
  CREATE FUNCTION crm_pool_new_secret() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      INSERT INTO pool_secrets (pool_id, secret) VALUES (NEW.id, gen_random_bytes(32)) ON CONFLICT DO NOTHING;
      RETURN NEW;
    END $$;
  CREATE TRIGGER pools_new_secret AFTER INSERT ON pools FOR EACH ROW EXECUTE FUNCTION crm_pool_new_secret();

  -- A pool's secret, created on first use for a pool older than this migration. Not granted to crm_app.
  CREATE FUNCTION crm_pool_secret(p_pool uuid) RETURNS bytea
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE s bytea;
    BEGIN
      SELECT secret INTO s FROM pool_secrets WHERE pool_id = p_pool;
      IF s IS NULL THEN
        INSERT INTO pool_secrets (pool_id, secret) VALUES (p_pool, gen_random_bytes(32)) ON CONFLICT DO NOTHING;
        SELECT secret INTO s FROM pool_secrets WHERE pool_id = p_pool;
      END IF;
      RETURN s;
    END $$;

  -- Recomputes the fingerprints of one of the caller's shared segments from its audience's members, set-based:
  -- what left is deleted, what entered inserted. A PARTNER_SHARING consent WITHDRAWN: no fingerprint; GRANTED:
  -- revealable. A withdrawn or expired share keeps none. Returns the number of fingerprinted contacts.
  CREATE FUNCTION crm_pool_segment_refresh(p_segment uuid) RETURNS int
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
      key bytea;
      n int;
    BEGIN
      SELECT * INTO s FROM shared_segments WHERE org_id = org AND id = p_segment;
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      IF NOT (${LIVE('s')}) THEN
        DELETE FROM segment_fingerprints WHERE pool_id = s.pool_id AND segment_id = s.id;
        RETURN 0;
      END IF;
      key := crm_pool_secret(s.pool_id);
      WITH wanted AS (
        SELECT DISTINCT c.id AS contact_id, hmac(v.value, key, 'sha256') AS fingerprint,
               c.partner_sharing = 'GRANTED' AS revealable
          FROM (SELECT c.id, c.email, c.phone, ${consentStateSql("'PARTNER_SHARING'")} AS partner_sharing
                  FROM audience_members am JOIN contacts c ON c.org_id = am.org_id AND c.id = am.contact_id
                 WHERE am.org_id = org AND am.audience_id = s.audience_id) c
          CROSS JOIN LATERAL (VALUES (convert_to(c.email, 'UTF8')), (convert_to(c.phone, 'UTF8'))) v (value)
         WHERE v.value IS NOT NULL AND v.value <> ''::bytea AND c.partner_sharing <> 'WITHDRAWN'
      ), gone AS (
        DELETE FROM segment_fingerprints f
         WHERE f.pool_id = s.pool_id AND f.segment_id = s.id
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.contact_id = f.contact_id AND w.fingerprint = f.fingerprint)
      ), entered AS (
        INSERT INTO segment_fingerprints (pool_id, segment_id, publisher_org_id, contact_id, fingerprint, revealable)
          SELECT s.pool_id, s.id, org, w.contact_id, w.fingerprint, w.revealable FROM wanted w
          ON CONFLICT (pool_id, segment_id, fingerprint, contact_id) DO UPDATE SET revealable = EXCLUDED.revealable
            WHERE segment_fingerprints.revealable IS DISTINCT FROM EXCLUDED.revealable
      )
      SELECT count(DISTINCT contact_id) INTO n FROM wanted;
      RETURN n;
    END $$;

  -- Recomputes the fingerprints of these contacts only, in every live share of the caller (a PARTNER_SHARING consent
  -- recorded for them: the trigger below). Returns how many fingerprints it wrote or deleted.
  CREATE FUNCTION crm_pool_contacts_refresh(p_contacts uuid[]) RETURNS int
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      n int;
      m int;
    BEGIN
      WITH segs AS (
        SELECT s.id, s.pool_id, s.audience_id, crm_pool_secret(s.pool_id) AS key FROM shared_segments s
         WHERE s.org_id = org AND ${LIVE('s')}
      ), wanted AS (
        SELECT DISTINCT s.id AS segment_id, s.pool_id, c.id AS contact_id, hmac(v.value, s.key, 'sha256') AS fingerprint,
               c.partner_sharing = 'GRANTED' AS revealable
          FROM segs s
          JOIN (SELECT am.audience_id, c.id, c.email, c.phone, ${consentStateSql("'PARTNER_SHARING'")} AS partner_sharing
                  FROM audience_members am JOIN contacts c ON c.org_id = am.org_id AND c.id = am.contact_id
                 WHERE am.org_id = org AND am.contact_id = ANY (p_contacts)) c ON c.audience_id = s.audience_id
          CROSS JOIN LATERAL (VALUES (convert_to(c.email, 'UTF8')), (convert_to(c.phone, 'UTF8'))) v (value)
         WHERE v.value IS NOT NULL AND v.value <> ''::bytea AND c.partner_sharing <> 'WITHDRAWN'
      ), gone AS (
        DELETE FROM segment_fingerprints f USING segs s
         WHERE f.pool_id = s.pool_id AND f.segment_id = s.id AND f.contact_id = ANY (p_contacts)
           AND NOT EXISTS (SELECT 1 FROM wanted w WHERE w.segment_id = f.segment_id AND w.contact_id = f.contact_id
                                                    AND w.fingerprint = f.fingerprint)
        RETURNING 1
      ), entered AS (
        INSERT INTO segment_fingerprints (pool_id, segment_id, publisher_org_id, contact_id, fingerprint, revealable)
          SELECT w.pool_id, w.segment_id, org, w.contact_id, w.fingerprint, w.revealable FROM wanted w
          ON CONFLICT (pool_id, segment_id, fingerprint, contact_id) DO UPDATE SET revealable = EXCLUDED.revealable
            WHERE segment_fingerprints.revealable IS DISTINCT FROM EXCLUDED.revealable
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM entered) INTO n, m;
      RETURN n + m;
    END $$;

  -- A PARTNER_SHARING consent recorded at a publisher (granted, withdrawn, by a merge or an import) reaches its
  -- shares in the same statement.
  CREATE FUNCTION crm_consents_reach_pools() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE
      changed uuid[];
    BEGIN
      IF crm_current_org() IS NULL OR NOT crm_tenant_verified() THEN
        RETURN NULL;
      END IF;
      changed := ARRAY(SELECT DISTINCT contact_id FROM new_consents WHERE purpose = 'PARTNER_SHARING');
      IF cardinality(changed) > 0 AND EXISTS (SELECT 1 FROM shared_segments WHERE org_id = crm_current_org()) THEN
        PERFORM crm_pool_contacts_refresh(changed);
      END IF;
      RETURN NULL;
    END $$;
  CREATE TRIGGER consents_reach_pools AFTER INSERT ON consents REFERENCING NEW TABLE AS new_consents
    FOR EACH STATEMENT EXECUTE FUNCTION crm_consents_reach_pools();

  -- Publishes one of the caller's audiences to a pool it is ACTIVE in, for a purpose the pool allows; fingerprints
  -- it at once. CP404 (audienceId) for an audience not the caller's, CP404 (poolId) for a pool it is not ACTIVE in.
  CREATE FUNCTION crm_pool_share(p_audience uuid, p_pool uuid, p_purpose text, p_expires timestamptz,
                                 p_description text, p_user uuid)
    RETURNS uuid LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      a_name text;
      p pools;
      segment uuid;
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
      PERFORM crm_pool_segment_refresh(segment);
      RETURN segment;
    END $$;

  -- Withdraws one of the caller's live shares at once, and its fingerprints with it.
  CREATE FUNCTION crm_pool_unshare(p_segment uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
    BEGIN
      UPDATE shared_segments SET withdrawn_at = now()
       WHERE org_id = org AND id = p_segment AND withdrawn_at IS NULL RETURNING * INTO s;
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      DELETE FROM segment_fingerprints WHERE pool_id = s.pool_id AND segment_id = s.id;
    END $$;

  -- A pool's catalogue for an ACTIVE member: the live shares, publisher's name, audience name, purpose, description,
  -- expiry; the size (people fingerprinted) only at or above the effective k of the publisher, else NULL.
  -- Nothing at all for a non-member.
  CREATE FUNCTION crm_pool_segments(p_pool uuid)
    RETURNS TABLE (id uuid, pool_id uuid, publisher_name text, audience_name text, purpose text, description text,
                   expires_at timestamptz, created_at timestamptz, mine boolean, size int)
    LANGUAGE sql STABLE ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org)
    SELECT s.id, s.pool_id, o.name, s.audience_name, s.purpose, s.description, s.expires_at, s.created_at,
           s.org_id = caller.org,
           CASE WHEN n.size >= crm_pool_effective_k(s.pool_id, ARRAY[s.org_id]) THEN n.size END
      FROM caller, shared_segments s JOIN organizations o ON o.id = s.org_id
      CROSS JOIN LATERAL (SELECT count(DISTINCT f.contact_id)::int AS size FROM segment_fingerprints f
                           WHERE f.pool_id = s.pool_id AND f.segment_id = s.id) n
     WHERE s.pool_id = p_pool AND ${LIVE('s')}
       AND EXISTS (SELECT 1 FROM pool_members me WHERE me.pool_id = p_pool AND me.org_id = caller.org
                                                   AND me.status = 'ACTIVE')
     ORDER BY s.created_at, s.id
    $$;
`;
