import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { setTenant } from './support/tenant-claim.js';

/**
 * Isolation rules checked on the catalog, so a new tenant table is covered the
 * day it is created: every table with an org_id column must FORCE row-level
 * security, lead its primary key and unique constraints with org_id, show no
 * row to the application role without a tenant, and refuse cross-tenant writes.
 */
describe('tenant isolation (catalog)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  let tenantTables: string[];

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    const { rows } = await owner.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    tenantTables = rows.map((r) => r.table);
    // seed one row per tenant table through a real organization, as the owner
    await owner.query(
      `INSERT INTO organizations (id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'Iso A') ON CONFLICT DO NOTHING`,
    );
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('runs on the database the global setup created', async () => {
    const { rows } = await app.query<{ db: string; user: string }>(
      'SELECT current_database() AS db, current_user AS user',
    );
    expect(rows[0]).toEqual({ db: process.env.TEST_DATABASE_NAME, user: 'crm_app' });
    expect(['embedded', 'external']).toContain(process.env.TEST_DATABASE_SERVER);
  });

  it('finds the tenant tables', () => {
    expect(tenantTables).toEqual(
      expect.arrayContaining([
        'contacts',
        'consents',
        'contact_tags',
        'tags',
        'api_keys',
        'memberships',
        'audiences',
        'audience_members',
        'audience_refreshes',
        'audience_pending_contacts',
        'pool_pending_contacts',
      ]),
    );
  });

  it('knows every public table without org_id, and why it has none', async () => {
    // A new table holding an organization's data has org_id (and is then checked by every test below); one without it
    // must be added here, with its reason, or this fails: no table escapes the checks by leaving org_id out.
    const { rows } = await owner.query<{ table: string; rowSecurity: boolean }>(
      `SELECT c.relname AS table, c.relrowsecurity AS "rowSecurity" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)
        ORDER BY 1`,
    );
    expect(rows).toEqual(WITHOUT_ORG_ID);
  });

  it('the application role is not a superuser, cannot bypass RLS and owns no table', async () => {
    const { rows } = await owner.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'crm_app'`);
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const owned = await owner.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'crm_app'`,
    );
    expect(owned.rows).toEqual([]);
  });

  it("every function that runs with another role's rights names pg_temp last in its search_path", async () => {
    // PostgreSQL searches the temporary schema first for tables unless the path names it, and crm_app may create
    // temporary tables: a SECURITY DEFINER function (or the pools' broker's) must not resolve a table to one of them
    const { rows } = await owner.query<{ name: string; config: string[] | null }>(
      `SELECT p.oid::regprocedure::text AS name, p.proconfig AS config FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND (p.prosecdef OR p.proowner = 'crm_pool_broker'::regrole)
        ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(20);
    for (const { name, config } of rows)
      expect({ name, path: config?.filter((setting) => setting.startsWith('search_path=')) }).toEqual({
        name,
        path: ['search_path=pg_catalog, public, pg_temp'],
      });
  });

  it('every tenant table forces row-level security with a policy for reads and writes', async () => {
    for (const table of tenantTables) {
      const { rows } = await owner.query(
        `SELECT c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid AND p.polcmd = '*' AND p.polqual IS NOT NULL AND p.polwithcheck IS NOT NULL
                    AND ${APPLIES_TO_APP}) AS policies,
                (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid AND ${APPLIES_TO_APP}) AS "appPolicies"
           FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
        [table],
      );
      expect({ table, ...rows[0] }).toEqual({ table, enabled: true, forced: true, policies: 1, appPolicies: 1 });
      const policy = await owner.query<{ using: string; check: string }>(
        `SELECT pg_get_expr(polqual, polrelid) AS using, pg_get_expr(polwithcheck, polrelid) AS check FROM pg_policy p
          WHERE polrelid = $1::regclass AND ${APPLIES_TO_APP}`,
        [table],
      );
      // the claim's organization, and its signature checked once per statement (a scalar subquery: a one-time filter)
      const org = '((org_id = crm_current_org()) AND ( SELECT crm_tenant_verified() AS crm_tenant_verified))';
      expect({ table, ...policy.rows[0] }).toEqual({ table, using: org, check: org });
    }
    // any other policy on a tenant table is for the role of a narrow interface (SECURITY DEFINER functions that check
    // the claim and the rules themselves), never for the application role: each is listed here with its role
    const { rows: others } = await owner.query<{ table: string; policy: string; roles: string[] }>(
      `SELECT p.polrelid::regclass::text AS table, p.polname AS policy,
              ARRAY(SELECT r.rolname FROM pg_roles r WHERE r.oid = ANY (p.polroles) ORDER BY 1)::text[] AS roles
         FROM pg_policy p WHERE p.polrelid::regclass::text = ANY ($1) AND NOT ${APPLIES_TO_APP} ORDER BY 1, 2`,
      [tenantTables],
    );
    expect(others).toEqual([
      { table: 'campaign_messages', policy: 'pool_broker_relay', roles: ['crm_pool_broker'] },
      { table: 'campaigns', policy: 'pool_broker_relay', roles: ['crm_pool_broker'] },
      { table: 'campaigns', policy: 'pool_broker_relay_insert', roles: ['crm_pool_broker'] },
      { table: 'consents', policy: 'pool_broker_shared', roles: ['crm_pool_broker'] },
      { table: 'contacts', policy: 'pool_broker_shared', roles: ['crm_pool_broker'] },
      { table: 'interactions', policy: 'pool_broker_shared', roles: ['crm_pool_broker'] },
      { table: 'job_runs', policy: 'pool_broker_relay_insert', roles: ['crm_pool_broker'] },
      { table: 'pool_benchmark_figures', policy: 'pool_broker_read', roles: ['crm_pool_broker'] },
      { table: 'pool_members', policy: 'pool_broker', roles: ['crm_pool_broker'] },
      { table: 'shared_segments', policy: 'pool_broker', roles: ['crm_pool_broker'] },
    ]);
  });

  it('every tenant table has org_id first in its primary key and in every unique constraint', async () => {
    for (const table of tenantTables) {
      const { rows } = await owner.query<{ name: string; type: string; first: string }>(
        `SELECT con.conname AS name, con.contype AS type, a.attname AS first
           FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
          WHERE con.conrelid = $1::regclass AND con.contype IN ('p', 'u')`,
        [table],
      );
      expect(rows.some((r) => r.type === 'p')).toBe(true);
      for (const row of rows)
        expect({ table, constraint: row.name, first: row.first }).toEqual({
          table,
          constraint: row.name,
          first: 'org_id',
        });
      const uniqueIndexes = await owner.query<{ name: string; first: string }>(
        `SELECT i.indexrelid::regclass::text AS name, a.attname AS first FROM pg_index i
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
          WHERE i.indrelid = $1::regclass AND i.indisunique`,
        [table],
      );
      for (const index of uniqueIndexes.rows)
        expect({ table, index: index.name, first: index.first }).toEqual({ table, index: index.name, first: 'org_id' });
    }
  });

  it('the tenant tables the application role may not read at all: no privilege of any kind', async () => {
    const { rows } = await owner.query<{ table: string; privileges: string[] }>(
      `SELECT t AS table, ARRAY(SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
                                 WHERE has_table_privilege('crm_app', t, p)) AS privileges
         FROM unnest($1::text[]) t WHERE NOT has_table_privilege('crm_app', t, 'SELECT') ORDER BY 1`,
      [tenantTables],
    );
    // organizations' benchmark figures: written and read by the pools' functions only (crm_pool_benchmarks)
    expect(rows).toEqual([{ table: 'pool_benchmark_figures', privileges: [] }]);
  });

  it('without a tenant the application role reads no row and writes none', async () => {
    await seedEveryTenantTable(owner);
    for (const table of tenantTables) {
      const total = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      expect({ table, seeded: total.rows[0].n > 0 }).toEqual({ table, seeded: true });
      // a table it may not read at all (the test above) shows it nothing
      const seen = await app
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
        .catch((error: unknown) => ({ rows: [{ n: notGranted(error).rowCount }] }));
      expect({ table, rows: seen.rows[0].n }).toEqual({ table, rows: 0 });
      // a table the application role may not write at all (pool_members: written by the pools' functions) writes none
      const updated = await app.query(`UPDATE ${table} SET org_id = org_id`).catch(notGranted);
      const deleted = await app.query(`DELETE FROM ${table}`).catch(notGranted);
      expect({ table, updated: updated.rowCount, deleted: deleted.rowCount }).toEqual({
        table,
        updated: 0,
        deleted: 0,
      });
    }
    const orgs = await app.query('SELECT * FROM organizations');
    expect(orgs.rowCount).toBe(0);
  });

  it('with a tenant set, rows of another tenant stay invisible and cannot be written', async () => {
    await app.query('BEGIN');
    try {
      await setTenant(app, '00000000-0000-4000-8000-000000000002');
      for (const table of tenantTables) {
        await app.query('SAVEPOINT readable');
        const seen = await app
          .query<{ n: number }>(
            `SELECT count(*)::int AS n FROM ${table} WHERE org_id = '00000000-0000-4000-8000-000000000001'`,
          )
          .catch(async (error: unknown) => {
            // a table it may not read at all shows it nothing (and the transaction goes on)
            await app.query('ROLLBACK TO SAVEPOINT readable');
            return { rows: [{ n: notGranted(error).rowCount }] };
          });
        expect({ table, rows: seen.rows[0].n }).toEqual({ table, rows: 0 });
      }
      await expect(
        app.query(`INSERT INTO tags (org_id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'intrusion')`),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await app.query('ROLLBACK');
    }
  });
});

/** A policy that binds the application role: one for PUBLIC, or naming crm_app. */
const APPLIES_TO_APP = `(p.polroles = '{0}' OR 'crm_app'::regrole = ANY (p.polroles))`;

/** A write refused for want of the privilege: nothing written. */
function notGranted(error: unknown): { rowCount: number } {
  if ((error as { code?: string }).code === '42501' && /permission denied for table/.test(String(error)))
    return { rowCount: 0 };
  throw error;
}

/**
 * The public tables without org_id, each with its row-level security flag. A change here is a decision about tenant
 * isolation: say why in the comment.
 */
const WITHOUT_ORG_ID: { table: string; rowSecurity: boolean }[] = [
  // the organizations whose audiences have changes waiting: ids only, read across organizations by the workers (README)
  { table: 'audience_sync_requests', rowSecurity: false },
  // one row per unfinished job run (ids and times, `organization_id` on purpose): the reaper reads it across organizations
  { table: 'job_dispatches', rowSecurity: false },
  // TypeORM's ledger of applied migrations: no one's data
  { table: 'migrations', rowSecurity: false },
  // the tenants themselves: the id is the organization's
  { table: 'organizations', rowSecurity: true },
  // the sharing ledger of a pool (a row names its asker and the organizations whose data it drew on): append-only, no
  // privilege at all for the application role; written and read (crm_pool_ledger) by the pools' functions only
  { table: 'pool_ledger', rowSecurity: true },
  // a reveal concerns two organizations (requester_org_id, publisher_org_id): no privilege at all for the application
  // role; the pools' functions read and write a row under a verified claim of one of the two (a broker policy)
  { table: 'pool_reveals', rowSecurity: true },
  // a pool's HMAC secret: no privilege at all for the application role; read by the pools' functions only
  { table: 'pool_secrets', rowSecurity: true },
  // the organizations whose shared segments have changes waiting: ids only, read across organizations by the workers
  { table: 'pool_sync_requests', rowSecurity: false },
  // a pool is shared by several organizations (its members: pool_members, which has org_id); the application role reads
  // one only while its organization is INVITED or ACTIVE in it, and writes none (the pools' functions do)
  { table: 'pools', rowSecurity: true },
  // a shared segment's fingerprints (publisher_org_id, not org_id: they belong to the pool, and are answered per pool):
  // no privilege at all for the application role; written and read by the pools' functions only (a broker policy)
  { table: 'segment_fingerprints', rowSecurity: true },
  // people, who may belong to several organizations through memberships (which has org_id)
  { table: 'users', rowSecurity: true },
];

/** One row in every tenant table for org ...0001, written as the owner. A new tenant table needs a line here (the test above says which). */
async function seedEveryTenantTable(owner: pg.Client): Promise<void> {
  const org = '00000000-0000-4000-8000-000000000001';
  await owner.query(`
    INSERT INTO users (id, email) VALUES ('00000000-0000-4000-8000-0000000000a1', 'iso-a@example.org') ON CONFLICT DO NOTHING;
    INSERT INTO memberships (org_id, user_id, role) VALUES ('${org}', '00000000-0000-4000-8000-0000000000a1', 'OWNER') ON CONFLICT DO NOTHING;
    INSERT INTO api_keys (org_id, user_id, name, prefix, secret_hash) VALUES ('${org}', '00000000-0000-4000-8000-0000000000a1', 'k', 'aaaaaaaaaaaa', '\\x00') ON CONFLICT DO NOTHING;
    INSERT INTO contacts (org_id, id, first_name, last_name, email) VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', 'Iso', 'Contact', 'iso@example.org') ON CONFLICT DO NOTHING;
    INSERT INTO contact_external_ids (org_id, source, external_id, contact_id) VALUES ('${org}', 'iso', '1', '00000000-0000-4000-8000-0000000000c1') ON CONFLICT DO NOTHING;
    INSERT INTO tags (org_id, id, name) VALUES ('${org}', '00000000-0000-4000-8000-0000000000f1', 'iso') ON CONFLICT DO NOTHING;
    INSERT INTO contact_tags (org_id, contact_id, tag_id) VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000f1') ON CONFLICT DO NOTHING;
    INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', 'SMS', 'GRANTED', 'EXPRESS', 'iso', now());
    INSERT INTO attribute_definitions (org_id, key, label, type) VALUES ('${org}', 'iso', 'Iso', 'TEXT') ON CONFLICT DO NOTHING;
    INSERT INTO job_runs (org_id, id, kind) VALUES ('${org}', '00000000-0000-4000-8000-0000000000b1', 'contacts.export') ON CONFLICT DO NOTHING;
    INSERT INTO job_files (org_id, job_run_id, name, seq, data) VALUES ('${org}', '00000000-0000-4000-8000-0000000000b1', 'result', 0, 'iso') ON CONFLICT DO NOTHING;
    INSERT INTO contacts (org_id, id, first_name, last_name) VALUES ('${org}', '00000000-0000-4000-8000-0000000000c2', 'Iso', 'Contact') ON CONFLICT DO NOTHING;
    INSERT INTO dedup_settings (org_id, auto_merge_threshold, review_threshold) VALUES ('${org}', 0.99, 0.8) ON CONFLICT DO NOTHING;
    INSERT INTO contact_match_records (org_id, contact_id, version, contact_updated_at, sort_key, record)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', 1, now(), 'contact iso', '{}') ON CONFLICT DO NOTHING;
    INSERT INTO contact_match_keys (org_id, key_hash, sort_key, contact_id) VALUES ('${org}', 1, 'contact iso', '00000000-0000-4000-8000-0000000000c1') ON CONFLICT DO NOTHING;
    INSERT INTO contact_match_names (org_id, name, contact_id) VALUES ('${org}', 'l:contact', '00000000-0000-4000-8000-0000000000c1') ON CONFLICT DO NOTHING;
    INSERT INTO duplicate_candidates (org_id, contact_a, contact_b, score, evidence, cluster_id, fingerprint)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000c2', 0.9, '[]', '00000000-0000-4000-8000-0000000000c1', 'iso')
      ON CONFLICT DO NOTHING;
    INSERT INTO contact_merges (org_id, id, survivor_id, merged_ids, before, result)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-0000000000c1', '{00000000-0000-4000-8000-0000000000c3}', '{}', '{}')
      ON CONFLICT DO NOTHING;
    INSERT INTO contact_merge_contacts (org_id, contact_id, merge_id, role)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000d1', 'SURVIVOR') ON CONFLICT DO NOTHING;
    INSERT INTO interaction_terms (org_id, kind, key, label) VALUES ('${org}', 'TYPE', 'ISO', 'Iso') ON CONFLICT DO NOTHING;
    INSERT INTO interactions (org_id, id, contact_id, type, occurred_at, source, external_id)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000c1', 'ISO', now(), 'iso', '1') ON CONFLICT DO NOTHING;
    INSERT INTO interaction_rollups (org_id, day, type, discipline, offering, venue, campaign, channel, interactions, amount_cents, quantity)
      VALUES ('${org}', '2025-01-01', 'ISO', '', '', '', '', '', 1, 0, 0) ON CONFLICT DO NOTHING;
    INSERT INTO interaction_monthly_rollups (org_id, month, type, discipline, offering, venue, campaign, channel, interactions, amount_cents, quantity)
      VALUES ('${org}', '2025-01-01', 'ISO', '', '', '', '', '', 1, 0, 0) ON CONFLICT DO NOTHING;
    INSERT INTO contact_activity (org_id, contact_id, series, months)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', 'ALL', '{2025-01-01}') ON CONFLICT DO NOTHING;
    INSERT INTO activity_transitions (org_id, series, month, previous, contacts)
      VALUES ('${org}', 'ALL', '2025-01-01', '-infinity', 1) ON CONFLICT DO NOTHING;
    INSERT INTO consent_states (org_id, contact_id, purpose, granted_until)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', 'SMS', 'infinity') ON CONFLICT DO NOTHING;
    INSERT INTO activity_cohorts (org_id, unit, cohort, period, contacts)
      VALUES ('${org}', 'month', '2025-01-01', '2025-01-01', 1) ON CONFLICT DO NOTHING;
    INSERT INTO audiences (org_id, id, name, kind, rule)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000a2', 'Iso', 'DYNAMIC', '{"tags": {"any": ["iso"]}}') ON CONFLICT DO NOTHING;
    INSERT INTO audience_members (org_id, audience_id, contact_id)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-0000000000c1') ON CONFLICT DO NOTHING;
    INSERT INTO audience_refreshes (org_id, audience_id, reason, size, entered, left_count)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000a2', 'CREATED', 1, 1, 0);
    INSERT INTO audience_pending_contacts (org_id, contact_id) VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1') ON CONFLICT DO NOTHING;
    INSERT INTO pools (id, name, purposes, steward_org_id)
      VALUES ('00000000-0000-4000-8000-0000000000e2', 'Iso', '{AUDIENCE_RESEARCH}', '${org}') ON CONFLICT DO NOTHING;
    INSERT INTO pool_members (org_id, pool_id, role, status, accepted_at, agreed_purposes, agreed_min_group_size, agreed_terms_version)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000e2', 'STEWARD', 'ACTIVE', now(), '{AUDIENCE_RESEARCH}', 10, 1)
      ON CONFLICT DO NOTHING;
    INSERT INTO shared_segments (org_id, pool_id, audience_id, audience_name, purpose)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000a2', 'Iso', 'AUDIENCE_RESEARCH');
    INSERT INTO pool_pending_contacts (org_id, contact_id) VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1');
    INSERT INTO contact_provenance (org_id, contact_id, reveal_id, pool_id, pool_name, shared_segment_id, segment_name,
                                    publisher_name, purpose, matched)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000e3',
              '00000000-0000-4000-8000-0000000000e2', 'Iso', '00000000-0000-4000-8000-0000000000e4', 'Iso', 'Iso B',
              'CROSS_PROMOTION', false);
    INSERT INTO pool_benchmark_figures (org_id, metric, period_unit, period_start, value, people)
      VALUES ('${org}', 'RETENTION', 'YEAR', '2025-01-01T05:00:00Z', 0.5, 10) ON CONFLICT DO NOTHING;
    INSERT INTO campaign_settings (org_id, frequency_cap_count) VALUES ('${org}', 3) ON CONFLICT DO NOTHING;
    INSERT INTO sender_identities (org_id, id, from_name, from_email, mailing_address, contact_line)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000f1', 'Iso', 'iso@example.org', '1 rue Iso', 'iso.example') ON CONFLICT DO NOTHING;
    INSERT INTO campaigns (org_id, id, name, sender_id) VALUES ('${org}', '00000000-0000-4000-8000-0000000000f2', 'Iso', '00000000-0000-4000-8000-0000000000f1')
      ON CONFLICT DO NOTHING;
    INSERT INTO campaign_audiences (org_id, campaign_id, audience_id, excluded)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000f2', '00000000-0000-4000-8000-0000000000a2', false) ON CONFLICT DO NOTHING;
    INSERT INTO campaign_links (org_id, campaign_id, idx, url)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000f2', 0, 'https://iso.example') ON CONFLICT DO NOTHING;
    INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language)
      VALUES ('${org}', '00000000-0000-4000-8000-0000000000f2', '00000000-0000-4000-8000-0000000000c1', 'iso@example.org', 'fr') ON CONFLICT DO NOTHING;
  `);
}
