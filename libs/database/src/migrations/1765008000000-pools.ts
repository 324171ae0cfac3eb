import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

/** The role that owns the pools' narrow interface: no login, no BYPASSRLS, bound by the policies written for it. */
export const POOL_BROKER_ROLE = 'crm_pool_broker';

/** The purposes a pool may allow (the fixed vocabulary of issue 15). */
export const POOL_PURPOSES = ['AUDIENCE_RESEARCH', 'CROSS_PROMOTION', 'JOINT_CAMPAIGN'] as const;

/** The smallest k a pool or a member may set. */
export const POOL_MIN_K = 5;

const PURPOSES_SQL = `ARRAY[${POOL_PURPOSES.map((p) => `'${p}'`).join(', ')}]::text[]`;

/** What every function of the interface says first: it runs as the broker, with a fixed search_path. */
const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public`;

/**
 * Pools: organizations that pool audiences (issue 15). `pools` is a cross-organization row (no org_id): the
 * application role reads a pool only while its organization is INVITED or ACTIVE in it, and writes none.
 * `pool_members` is a tenant table (an organization reads only its own membership rows).
 *
 * Every write, and every read of another organization's membership, goes through SECURITY DEFINER functions owned by
 * `crm_pool_broker` with a fixed search_path: each checks the caller's tenant claim, then membership and stewardship
 * itself. The broker is not the tables' owner, so FORCEd row-level security binds it too: its own policies let it see
 * pools, memberships and organizations' names only under a verified claim. `crm_app` has EXECUTE on the functions and
 * SELECT on the two tables, nothing more.
 *
 * Errors the functions raise: SQLSTATE CP400 (bad input; COLUMN names the field), CP403 (forbidden), CP404 (not
 * found: a non-member is told this for every pool, existing or not), CP409 (conflict); pg-errors.util maps them.
 */
export class Pools1765008000000 implements MigrationInterface {
  name = 'Pools1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${POOL_BROKER_ROLE}') THEN
          CREATE ROLE ${POOL_BROKER_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
        END IF;
        -- an owner with CREATEROLE but not superuser must be a member to give the broker its functions
        IF NOT pg_has_role(current_user, '${POOL_BROKER_ROLE}', 'MEMBER') THEN
          EXECUTE format('GRANT ${POOL_BROKER_ROLE} TO %I', current_user);
        END IF;
      END $$;
      GRANT USAGE ON SCHEMA public TO ${POOL_BROKER_ROLE};

      CREATE TABLE pools (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        description text CHECK (length(description) <= 2000),
        purposes text[] NOT NULL CHECK (cardinality(purposes) BETWEEN 1 AND ${POOL_PURPOSES.length}
                                        AND purposes <@ ${PURPOSES_SQL}),
        min_group_size int NOT NULL DEFAULT 10 CHECK (min_group_size >= ${POOL_MIN_K}),
        terms_version int NOT NULL DEFAULT 1 CHECK (terms_version >= 1),
        steward_org_id uuid REFERENCES organizations ON DELETE SET NULL,
        frozen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE pool_members (
        org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
        pool_id uuid NOT NULL REFERENCES pools ON DELETE CASCADE,
        role text NOT NULL DEFAULT 'MEMBER' CHECK (role IN ('STEWARD', 'MEMBER')),
        status text NOT NULL CHECK (status IN ('INVITED', 'ACTIVE', 'DECLINED', 'LEFT', 'REMOVED')),
        invited_at timestamptz NOT NULL DEFAULT now(),
        invited_by_org uuid REFERENCES organizations ON DELETE SET NULL,
        -- a member raising k for its own data (never below the pool's)
        own_min_group_size int CHECK (own_min_group_size >= ${POOL_MIN_K}),
        -- the agreement: what the organization accepted, who and when
        accepted_at timestamptz,
        accepted_by uuid,
        agreed_purposes text[],
        agreed_min_group_size int,
        agreed_terms_version int,
        left_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, pool_id),
        CHECK (status <> 'ACTIVE' OR (accepted_at IS NOT NULL AND agreed_purposes IS NOT NULL
                                      AND agreed_min_group_size IS NOT NULL AND agreed_terms_version IS NOT NULL))
      );
      CREATE INDEX pool_members_pool ON pool_members (pool_id, status);

      ALTER TABLE pool_members ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_members FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON pool_members USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
      CREATE POLICY pool_broker ON pool_members TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified())) WITH CHECK ((SELECT crm_tenant_verified()));

      ALTER TABLE pools ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pools FORCE ROW LEVEL SECURITY;
      -- reads only: a pool the current organization is invited to or active in (pool_members is itself filtered to it)
      CREATE POLICY pool_member_reads ON pools FOR SELECT
        USING (EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = pools.id AND m.org_id = crm_current_org()
                                                      AND m.status IN ('INVITED', 'ACTIVE'))
               AND (SELECT crm_tenant_verified()));
      CREATE POLICY pool_broker ON pools TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified())) WITH CHECK ((SELECT crm_tenant_verified()));

      -- the broker reads organizations' names (a member list, an invitation's target), under a verified claim
      CREATE POLICY pool_broker ON organizations FOR SELECT TO ${POOL_BROKER_ROLE} USING ((SELECT crm_tenant_verified()));

      GRANT SELECT ON pools, pool_members TO crm_app;
      GRANT SELECT, INSERT, UPDATE ON pools, pool_members TO ${POOL_BROKER_ROLE};
      GRANT SELECT (id, name) ON organizations TO ${POOL_BROKER_ROLE};
    `);
    await q.query(FUNCTIONS);
    const functions = (await q.query(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'crm\\_pool\\_%'`,
    )) as { signature: string }[];
    for (const { signature } of functions) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      if (
        !/^crm_pool_(caller|check_terms|freeze_if_no_steward|steward_gone|effective_k|lock_as_steward|my_row)\(/.test(
          signature,
        )
      )
        await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER pools_steward_gone ON pools`);
    const functions = (await q.query(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'crm\\_pool\\_%'`,
    )) as { signature: string }[];
    for (const { signature } of functions) await q.query(`DROP FUNCTION ${signature}`);
    // the role is cluster-wide (other databases of the server may use it): it stays, with nothing left here
    await q.query(`
      DROP POLICY pool_broker ON organizations;
      REVOKE ALL ON organizations FROM ${POOL_BROKER_ROLE};
      DROP TABLE pool_members, pools;
      REVOKE ALL ON SCHEMA public FROM ${POOL_BROKER_ROLE};
    `);
  }
}

const FUNCTIONS = `
  -- The calling organization, from a verified claim; 42501 without one (as crm_tenant_verified).
  CREATE FUNCTION crm_pool_caller() RETURNS uuid
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
    DECLARE org uuid := crm_current_org();
    BEGIN
      IF org IS NULL OR NOT crm_tenant_verified() THEN
        RAISE EXCEPTION 'no tenant' USING ERRCODE = '42501';
      END IF;
      RETURN org;
    END $$;

  -- A pool's terms are well-formed: 1 to 3 distinct known purposes, k at least ${POOL_MIN_K}.
  CREATE FUNCTION crm_pool_check_terms(p_purposes text[], p_k int) RETURNS void
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, public AS $$
    BEGIN
      IF p_purposes IS NULL OR cardinality(p_purposes) = 0 THEN
        RAISE EXCEPTION 'A pool needs at least one purpose' USING ERRCODE = 'CP400', COLUMN = 'purposes';
      END IF;
      IF NOT p_purposes <@ ${PURPOSES_SQL} OR array_position(p_purposes, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'Unknown purpose: the purposes are %', array_to_string(${PURPOSES_SQL}, ', ')
          USING ERRCODE = 'CP400', COLUMN = 'purposes';
      END IF;
      IF (SELECT count(DISTINCT x) FROM unnest(p_purposes) x) <> cardinality(p_purposes) THEN
        RAISE EXCEPTION 'A purpose is given twice' USING ERRCODE = 'CP400', COLUMN = 'purposes';
      END IF;
      IF p_k IS NULL OR p_k < ${POOL_MIN_K} THEN
        RAISE EXCEPTION 'minGroupSize must be at least ${POOL_MIN_K}' USING ERRCODE = 'CP400', COLUMN = 'minGroupSize';
      END IF;
    END $$;

  -- Freezes the pool when no ACTIVE steward is left in it.
  CREATE FUNCTION crm_pool_freeze_if_no_steward(p_pool uuid) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pool_members WHERE pool_id = p_pool AND role = 'STEWARD' AND status = 'ACTIVE') THEN
        UPDATE pools SET frozen_at = coalesce(frozen_at, now()), steward_org_id = NULL, updated_at = now()
         WHERE id = p_pool;
      END IF;
    END $$;

  -- A pool whose steward organization is deleted (steward_org_id SET NULL by its foreign key) is frozen too.
  CREATE FUNCTION crm_pool_steward_gone() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      IF NEW.steward_org_id IS NULL AND OLD.steward_org_id IS NOT NULL AND NEW.frozen_at IS NULL THEN
        NEW.frozen_at := now();
      END IF;
      RETURN NEW;
    END $$;
  CREATE TRIGGER pools_steward_gone BEFORE UPDATE OF steward_org_id ON pools
    FOR EACH ROW EXECUTE FUNCTION crm_pool_steward_gone();

  -- The k of an aggregate over the data of these organizations in the pool: the pool's, or the largest k one of
  -- its ACTIVE members among them set for its own data. NULL for no such pool.
  CREATE FUNCTION crm_pool_effective_k(p_pool uuid, p_orgs uuid[]) RETURNS int
    LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT GREATEST(p.min_group_size,
                    (SELECT max(m.own_min_group_size) FROM pool_members m
                      WHERE m.pool_id = p.id AND m.status = 'ACTIVE' AND m.org_id = ANY (p_orgs)))
      FROM pools p WHERE p.id = p_pool
    $$;

  CREATE FUNCTION crm_pool_create(p_name text, p_description text, p_purposes text[], p_k int, p_user uuid)
    RETURNS uuid LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      pool uuid;
      sorted text[];
    BEGIN
      p_name := btrim(p_name);
      IF p_name IS NULL OR p_name = '' OR length(p_name) > 200 THEN
        RAISE EXCEPTION 'The name must have 1 to 200 characters' USING ERRCODE = 'CP400', COLUMN = 'name';
      END IF;
      IF length(p_description) > 2000 THEN
        RAISE EXCEPTION 'The description must have at most 2000 characters' USING ERRCODE = 'CP400', COLUMN = 'description';
      END IF;
      PERFORM crm_pool_check_terms(p_purposes, p_k);
      sorted := ARRAY(SELECT x FROM unnest(p_purposes) x ORDER BY 1);
      INSERT INTO pools (name, description, purposes, min_group_size, steward_org_id)
        VALUES (p_name, nullif(btrim(p_description), ''), sorted, p_k, org) RETURNING id INTO pool;
      INSERT INTO pool_members (org_id, pool_id, role, status, invited_by_org, accepted_at, accepted_by,
                                agreed_purposes, agreed_min_group_size, agreed_terms_version)
        VALUES (org, pool, 'STEWARD', 'ACTIVE', org, now(), p_user, sorted, p_k, 1);
      RETURN pool;
    END $$;

  -- The pool, locked, for a change by the caller's organization: CP404 unless it is INVITED or ACTIVE there,
  -- CP409 when the pool is frozen, CP403 unless it is the ACTIVE steward.
  CREATE FUNCTION crm_pool_lock_as_steward(p_pool uuid, p_org uuid, p_what text) RETURNS pools
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    DECLARE
      p pools;
      me pool_members;
    BEGIN
      SELECT * INTO p FROM pools WHERE id = p_pool FOR UPDATE;
      SELECT * INTO me FROM pool_members WHERE pool_id = p_pool AND org_id = p_org AND status IN ('INVITED', 'ACTIVE');
      IF p.id IS NULL OR me.org_id IS NULL THEN
        RAISE EXCEPTION 'Pool not found' USING ERRCODE = 'CP404', COLUMN = 'poolId';
      END IF;
      IF p.frozen_at IS NOT NULL THEN
        RAISE EXCEPTION 'The pool is frozen: it has no steward left' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      IF me.role <> 'STEWARD' OR me.status <> 'ACTIVE' THEN
        RAISE EXCEPTION 'Only the pool''s steward can %', p_what USING ERRCODE = 'CP403';
      END IF;
      RETURN p;
    END $$;

  CREATE FUNCTION crm_pool_update(p_pool uuid, p_name text, p_description text, p_set_description boolean,
                                  p_purposes text[], p_k int)
    RETURNS void LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      p pools := crm_pool_lock_as_steward(p_pool, crm_pool_caller(), 'change it');
      new_purposes text[] := p.purposes;
      new_k int := coalesce(p_k, p.min_group_size);
    BEGIN
      IF p_name IS NOT NULL THEN
        p_name := btrim(p_name);
        IF p_name = '' OR length(p_name) > 200 THEN
          RAISE EXCEPTION 'The name must have 1 to 200 characters' USING ERRCODE = 'CP400', COLUMN = 'name';
        END IF;
      END IF;
      IF p_set_description AND length(p_description) > 2000 THEN
        RAISE EXCEPTION 'The description must have at most 2000 characters' USING ERRCODE = 'CP400', COLUMN = 'description';
      END IF;
      IF p_purposes IS NOT NULL THEN
        new_purposes := ARRAY(SELECT x FROM unnest(p_purposes) x ORDER BY 1);
      END IF;
      PERFORM crm_pool_check_terms(new_purposes, new_k);
      UPDATE pools SET
          name = coalesce(p_name, pools.name),
          description = CASE WHEN p_set_description THEN nullif(btrim(p_description), '') ELSE pools.description END,
          purposes = new_purposes,
          min_group_size = new_k,
          -- the terms are the purposes and k: changing either makes a new version
          terms_version = pools.terms_version
                          + CASE WHEN new_purposes = p.purposes AND new_k = p.min_group_size THEN 0 ELSE 1 END,
          updated_at = now()
       WHERE id = p_pool;
    END $$;

  CREATE FUNCTION crm_pool_invite(p_pool uuid, p_org uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      p pools := crm_pool_lock_as_steward(p_pool, org, 'invite');
      current_status text;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM organizations WHERE id = p_org) THEN
        RAISE EXCEPTION 'Organization not found' USING ERRCODE = 'CP404', COLUMN = 'organizationId';
      END IF;
      SELECT status INTO current_status FROM pool_members WHERE pool_id = p.id AND org_id = p_org FOR UPDATE;
      IF current_status IN ('INVITED', 'ACTIVE') THEN
        RAISE EXCEPTION 'This organization is already %',
            CASE current_status WHEN 'INVITED' THEN 'invited to the pool' ELSE 'a member of the pool' END
          USING ERRCODE = 'CP409', COLUMN = 'organizationId';
      END IF;
      INSERT INTO pool_members (org_id, pool_id, role, status, invited_by_org)
        VALUES (p_org, p.id, 'MEMBER', 'INVITED', org)
        ON CONFLICT (org_id, pool_id) DO UPDATE SET
          role = 'MEMBER', status = 'INVITED', invited_at = now(), invited_by_org = org, own_min_group_size = NULL,
          accepted_at = NULL, accepted_by = NULL, agreed_purposes = NULL, agreed_min_group_size = NULL,
          agreed_terms_version = NULL, left_at = NULL, updated_at = now();
    END $$;

  CREATE FUNCTION crm_pool_remove_member(p_pool uuid, p_org uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      p pools := crm_pool_lock_as_steward(p_pool, crm_pool_caller(), 'remove a member');
    BEGIN
      IF p_org = crm_pool_caller() THEN
        RAISE EXCEPTION 'The steward leaves its pool with leavePool' USING ERRCODE = 'CP400', COLUMN = 'organizationId';
      END IF;
      UPDATE pool_members SET status = 'REMOVED', left_at = now(), updated_at = now()
       WHERE pool_id = p.id AND org_id = p_org AND status IN ('INVITED', 'ACTIVE');
      IF NOT FOUND THEN
        RAISE EXCEPTION 'This organization is not a member of the pool' USING ERRCODE = 'CP404', COLUMN = 'organizationId';
      END IF;
      PERFORM crm_pool_freeze_if_no_steward(p.id);
    END $$;

  -- The caller's own membership row, locked, with the pool (locked too); CP404 when the caller has no row in a
  -- state of p_states.
  CREATE FUNCTION crm_pool_my_row(p_pool uuid, p_states text[], OUT me pool_members, OUT p pools)
    LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
    BEGIN
      SELECT * INTO p FROM pools WHERE id = p_pool FOR UPDATE;
      SELECT * INTO me FROM pool_members WHERE pool_id = p_pool AND org_id = crm_pool_caller() FOR UPDATE;
      IF p.id IS NULL OR me.org_id IS NULL OR NOT me.status = ANY (p_states) THEN
        RAISE EXCEPTION 'Pool not found' USING ERRCODE = 'CP404', COLUMN = 'poolId';
      END IF;
    END $$;

  -- Accepts the caller's invitation; with p_terms, only if those are still the pool's terms (else CP409).
  CREATE FUNCTION crm_pool_accept(p_pool uuid, p_user uuid, p_terms int DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      r record := crm_pool_my_row(p_pool, ARRAY['INVITED', 'ACTIVE']);
    BEGIN
      IF (r.me).status = 'ACTIVE' THEN
        RAISE EXCEPTION 'The invitation was already accepted' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      IF (r.p).frozen_at IS NOT NULL THEN
        RAISE EXCEPTION 'The pool is frozen: it has no steward left' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      IF p_terms IS NOT NULL AND p_terms <> (r.p).terms_version THEN
        RAISE EXCEPTION 'The pool''s terms changed: they are now version %', (r.p).terms_version
          USING ERRCODE = 'CP409', COLUMN = 'termsVersion';
      END IF;
      UPDATE pool_members SET status = 'ACTIVE', accepted_at = now(), accepted_by = p_user,
          agreed_purposes = (r.p).purposes, agreed_min_group_size = (r.p).min_group_size,
          agreed_terms_version = (r.p).terms_version, updated_at = now()
       WHERE pool_id = p_pool AND org_id = (r.me).org_id;
    END $$;

  CREATE FUNCTION crm_pool_decline(p_pool uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      r record := crm_pool_my_row(p_pool, ARRAY['INVITED', 'ACTIVE']);
    BEGIN
      IF (r.me).status = 'ACTIVE' THEN
        RAISE EXCEPTION 'The invitation was accepted: leave the pool instead' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      UPDATE pool_members SET status = 'DECLINED', updated_at = now()
       WHERE pool_id = p_pool AND org_id = (r.me).org_id;
    END $$;

  CREATE FUNCTION crm_pool_leave(p_pool uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      r record := crm_pool_my_row(p_pool, ARRAY['INVITED', 'ACTIVE']);
    BEGIN
      IF (r.me).status = 'INVITED' THEN
        RAISE EXCEPTION 'The invitation is pending: decline it instead' USING ERRCODE = 'CP409', COLUMN = 'poolId';
      END IF;
      UPDATE pool_members SET status = 'LEFT', left_at = now(), updated_at = now()
       WHERE pool_id = p_pool AND org_id = (r.me).org_id;
      PERFORM crm_pool_freeze_if_no_steward(p_pool);
    END $$;

  -- A member's own k: NULL for the pool's; else at least the pool's k (it can only raise the effective k).
  CREATE FUNCTION crm_pool_set_own_k(p_pool uuid, p_k int) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      r record := crm_pool_my_row(p_pool, ARRAY['ACTIVE']);
    BEGIN
      IF p_k IS NOT NULL AND p_k < ${POOL_MIN_K} THEN
        RAISE EXCEPTION 'minGroupSize must be at least ${POOL_MIN_K}' USING ERRCODE = 'CP400', COLUMN = 'minGroupSize';
      END IF;
      IF p_k IS NOT NULL AND p_k < (r.p).min_group_size THEN
        RAISE EXCEPTION 'minGroupSize must be at least the pool''s (%)', (r.p).min_group_size
          USING ERRCODE = 'CP400', COLUMN = 'minGroupSize';
      END IF;
      UPDATE pool_members SET own_min_group_size = p_k, updated_at = now()
       WHERE pool_id = p_pool AND org_id = (r.me).org_id;
    END $$;

  -- The members (INVITED and ACTIVE) of the pools among p_pools where the caller's organization is INVITED or
  -- ACTIVE: organization names, roles, statuses and since when; other pools are silently left out.
  CREATE FUNCTION crm_pool_members(p_pools uuid[])
    RETURNS TABLE (pool_id uuid, organization_name text, role text, status text, since timestamptz, mine boolean)
    LANGUAGE sql STABLE ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org)
    SELECT m.pool_id, o.name, m.role, m.status, coalesce(m.accepted_at, m.invited_at), m.org_id = caller.org
      FROM caller, pool_members m JOIN organizations o ON o.id = m.org_id
     WHERE m.pool_id = ANY (p_pools) AND m.status IN ('INVITED', 'ACTIVE')
       AND EXISTS (SELECT 1 FROM pool_members me WHERE me.pool_id = m.pool_id AND me.org_id = caller.org
                                                   AND me.status IN ('INVITED', 'ACTIVE'))
     ORDER BY m.pool_id, m.role DESC, o.name
    $$;
`;
