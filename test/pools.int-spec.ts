import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { asTenant, setTenant } from './support/tenant-claim.js';

/**
 * Pools as the application role, with plain SQL on hand-opened connections (issue 15: "test it as the application role
 * with psql-level queries, not only through GraphQL"): what crm_app can read of pools and memberships, that it writes
 * them only through the broker's functions, and that those check the claim, membership and stewardship themselves.
 */
describe('pools, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const a = randomUUID();
  const b = randomUUID();
  const c = randomUUID();
  let pool: string;

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Pool A'), ($2, 'Pool B'), ($3, 'Pool C')`, [
      a,
      b,
      c,
    ]);
    const created = await as<{ id: string }>(
      a,
      `SELECT crm_pool_create('Réseau', NULL, '{AUDIENCE_RESEARCH}', 10, NULL) AS id`,
    );
    pool = (created as { id: string }[])[0].id;
    expect(await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, b])).toHaveLength(1);
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('a non-member sees no pool row and no membership of others, by any plain SELECT', async () => {
    expect(await as(c, `SELECT * FROM pools`)).toEqual([]);
    expect(await as(c, `SELECT * FROM pools WHERE id = $1`, [pool])).toEqual([]);
    expect(await as(c, `SELECT * FROM pool_members`)).toEqual([]);
    expect(await as(c, `SELECT * FROM pool_members WHERE pool_id = $1 OR org_id = ANY ($2)`, [pool, [a, b]])).toEqual(
      [],
    );
    expect(await as(c, `SELECT * FROM crm_pool_members($1)`, [[pool]])).toEqual([]);
    // without a tenant: nothing either
    expect(await as(null, `SELECT * FROM pools`)).toEqual([]);
    expect(await as(null, `SELECT * FROM pool_members`)).toEqual([]);
  });

  it('an invitee sees the pool row (its terms) but only its own membership row', async () => {
    expect(await as(b, `SELECT id, name, min_group_size FROM pools`)).toEqual([
      { id: pool, name: 'Réseau', min_group_size: 10 },
    ]);
    expect(await as(b, `SELECT org_id, status FROM pool_members WHERE pool_id = $1`, [pool])).toEqual([
      { org_id: b, status: 'INVITED' },
    ]);
    // the other members only through the broker: names, roles, statuses
    expect(await as(b, `SELECT organization_name, role, status FROM crm_pool_members($1)`, [[pool]])).toEqual([
      { organization_name: 'Pool A', role: 'STEWARD', status: 'ACTIVE' },
      { organization_name: 'Pool B', role: 'MEMBER', status: 'INVITED' },
    ]);
  });

  it('crm_app cannot write pools or memberships directly', async () => {
    for (const sql of [
      `INSERT INTO pools (name, purposes) VALUES ('Intrus', '{AUDIENCE_RESEARCH}')`,
      `UPDATE pools SET min_group_size = 5`,
      `DELETE FROM pools`,
      `UPDATE pool_members SET role = 'STEWARD', status = 'ACTIVE'`,
      `INSERT INTO pool_members (org_id, pool_id, role, status) VALUES ('${b}', '${pool}', 'STEWARD', 'INVITED')`,
      `DELETE FROM pool_members`,
    ])
      expect({ sql, result: await as(b, sql) }).toEqual({
        sql,
        result: { code: '42501', message: expect.stringMatching(/^permission denied for table pool/) },
      });
  });

  it('the functions refuse a call without a verified claim', async () => {
    expect(await as(null, `SELECT crm_pool_invite($1, $2)`, [pool, c])).toEqual({
      code: '42501',
      message: 'no tenant',
    });
    expect(await as(null, `SELECT crm_pool_create('X', NULL, '{AUDIENCE_RESEARCH}', 10, NULL)`)).toEqual({
      code: '42501',
      message: 'no tenant',
    });
    // a claim for A without its signature (or signed for another connection)
    await app.query('BEGIN');
    try {
      await app.query(`SELECT set_config('app.tenant', $1, true)`, [`${a}.${'0'.repeat(64)}`]);
      await expect(app.query(`SELECT crm_pool_invite($1, $2)`, [pool, c])).rejects.toMatchObject({ code: '42501' });
    } finally {
      await app.query('ROLLBACK');
    }
    // the internal functions are not the application role's at all
    for (const sql of [
      `SELECT crm_pool_effective_k('${pool}', '{}')`,
      `SELECT crm_pool_freeze_if_no_steward('${pool}')`,
      `SELECT crm_pool_lock_as_steward('${pool}', '${a}', 'x')`,
    ])
      expect(await as(a, sql)).toEqual({
        code: '42501',
        message: expect.stringMatching(/^permission denied for function/),
      });
  });

  it('the functions refuse a non-steward, and answer a non-member as for a pool that does not exist', async () => {
    expect(await as(b, `SELECT crm_pool_accept($1, NULL)`, [pool])).toHaveLength(1);
    for (const sql of [
      `SELECT crm_pool_invite('${pool}', '${c}')`,
      `SELECT crm_pool_remove_member('${pool}', '${a}')`,
      `SELECT crm_pool_update('${pool}', 'Pris', NULL, false, NULL, NULL)`,
    ])
      expect({ sql, result: await as(b, sql) }).toEqual({
        sql,
        result: { code: 'CP403', message: expect.any(String) },
      });
    const real = await as(c, `SELECT crm_pool_invite($1, $2)`, [pool, c]);
    const none = await as(c, `SELECT crm_pool_invite($1, $2)`, [randomUUID(), c]);
    expect(real).toEqual({ code: 'CP404', message: 'Pool not found' });
    expect(none).toEqual(real);
    expect(await as(c, `SELECT crm_pool_accept($1, NULL)`, [pool])).toEqual(real);
    // nothing changed
    const { rows } = await owner.query(
      `SELECT org_id, role, status FROM pool_members WHERE pool_id = $1 ORDER BY role DESC`,
      [pool],
    );
    expect(rows).toEqual([
      { org_id: a, role: 'STEWARD', status: 'ACTIVE' },
      { org_id: b, role: 'MEMBER', status: 'ACTIVE' },
    ]);
  });

  it('the interface is owned by crm_pool_broker (not superuser, no BYPASSRLS, no login), with a fixed search_path (pg_temp last)', async () => {
    const role = await owner.query(
      `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'crm_pool_broker'`,
    );
    expect(role.rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcanlogin: false }]);
    const { rows } = await owner.query<{
      name: string;
      owner: string;
      definer: boolean;
      config: string[];
      app: boolean;
      everyone: boolean;
    }>(
      `SELECT p.proname AS name, pg_get_userbyid(p.proowner) AS owner, p.prosecdef AS definer, p.proconfig AS config,
              has_function_privilege('crm_app', p.oid, 'EXECUTE') AS app,
              coalesce(p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) x WHERE x.grantee = 0), true) AS everyone
         FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'crm\\_pool\\_%' ORDER BY 1`,
    );
    for (const fn of rows) {
      // pg_temp last: a session's temporary tables must not shadow the tables the broker reads (test below); the
      // aggregate functions also set their work_mem
      expect({ ...fn, config: fn.config.filter((setting) => !setting.startsWith('work_mem=')) }).toEqual({
        ...fn,
        owner: 'crm_pool_broker',
        config: ['search_path=pg_catalog, public, pg_temp'],
        everyone: false,
      });
      // crm_app executes exactly the SECURITY DEFINER entry points
      expect({ name: fn.name, app: fn.app }).toEqual({ name: fn.name, app: fn.definer });
    }
    expect(rows.filter((fn) => fn.definer).map((fn) => fn.name)).toEqual([
      'crm_pool_accept',
      'crm_pool_benchmark_figures_put',
      'crm_pool_benchmarks',
      'crm_pool_breakdown',
      'crm_pool_contacts_refresh',
      'crm_pool_create',
      'crm_pool_decline',
      'crm_pool_expire_shares',
      'crm_pool_invite',
      'crm_pool_leave',
      'crm_pool_ledger',
      'crm_pool_members',
      'crm_pool_overlap',
      'crm_pool_overlap_matrix',
      'crm_pool_remove_member',
      'crm_pool_reveal_approve',
      'crm_pool_reveal_cancel',
      'crm_pool_reveal_copied',
      'crm_pool_reveal_copy_begin',
      'crm_pool_reveal_copy_started',
      'crm_pool_reveal_people',
      'crm_pool_reveal_refuse',
      'crm_pool_reveal_request',
      'crm_pool_reveals',
      'crm_pool_segment_auto_approve',
      'crm_pool_segment_refresh',
      'crm_pool_segments',
      'crm_pool_set_benchmarks',
      'crm_pool_set_own_k',
      'crm_pool_share',
      'crm_pool_unshare',
      'crm_pool_update',
    ]);
  });

  it("a temporary table of crm_app's session cannot stand in for a table the broker's functions read", async () => {
    // c is not in the pool; a temporary pool_members (searched first, were pg_temp not last in the functions'
    // search_path), granted to the broker, would make it a member
    const shadow = `CREATE TEMPORARY TABLE pool_members ON COMMIT DROP AS SELECT * FROM public.pool_members WHERE false;
      INSERT INTO pg_temp.pool_members (org_id, pool_id, role, status, accepted_at, agreed_purposes, agreed_min_group_size,
                                        agreed_terms_version)
        VALUES (crm_current_org(), '${pool}', 'STEWARD', 'ACTIVE', now(), '{AUDIENCE_RESEARCH}', 10, 1);
      GRANT SELECT ON pg_temp.pool_members TO crm_pool_broker;`;
    await app.query('BEGIN');
    try {
      await setTenant(app, c);
      await app.query(shadow);
      const { rows: members } = await app.query(`SELECT organization_name FROM crm_pool_members($1)`, [[pool]]);
      expect(members).toEqual([]);
      await expect(app.query(`SELECT * FROM crm_pool_ledger($1, NULL, 10)`, [pool])).resolves.toMatchObject({
        rows: [],
      });
      await expect(app.query(`SELECT crm_pool_invite($1, $2)`, [pool, c])).rejects.toMatchObject({ code: 'CP404' });
    } finally {
      await app.query('ROLLBACK');
    }
  });

  it("the effective k of an aggregate is the largest of the pool's and its contributing ACTIVE members' own", async () => {
    const k = async (orgs: string[], poolId = pool) =>
      (await owner.query<{ k: number | null }>(`SELECT crm_pool_effective_k($1, $2::uuid[]) AS k`, [poolId, orgs]))
        .rows[0].k;
    expect(await k([a, b])).toBe(10);
    expect(await as(b, `SELECT crm_pool_set_own_k($1, 15)`, [pool])).toHaveLength(1);
    expect(await k([a, b])).toBe(15);
    expect(await k([a])).toBe(10);
    expect(await k([])).toBe(10);
    // an own k below the pool's is refused; raising the pool's k above a member's own makes the pool's count
    expect(await as(b, `SELECT crm_pool_set_own_k($1, 9)`, [pool])).toMatchObject({ code: 'CP400' });
    expect(await as(a, `SELECT crm_pool_update($1, NULL, NULL, false, NULL, 20)`, [pool])).toHaveLength(1);
    expect(await k([a, b])).toBe(20);
    // a member that is no longer ACTIVE contributes nothing (its own k neither)
    expect(await as(a, `SELECT crm_pool_update($1, NULL, NULL, false, NULL, 10)`, [pool])).toHaveLength(1);
    expect(await k([a, b])).toBe(15);
    expect(await as(b, `SELECT crm_pool_leave($1)`, [pool])).toHaveLength(1);
    expect(await k([a, b])).toBe(10);
    expect(await k([a], randomUUID())).toBeNull();
  });
});

describe('pools, when the steward organization is deleted', () => {
  it('the pool is frozen, not orphaned', async () => {
    const owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
    try {
      const [steward, member, pool] = [randomUUID(), randomUUID(), randomUUID()];
      await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Partie'), ($2, 'Reste')`, [steward, member]);
      await owner.query(
        `INSERT INTO pools (id, name, purposes, steward_org_id) VALUES ($1, 'Orphelin', '{AUDIENCE_RESEARCH}', $2)`,
        [pool, steward],
      );
      await owner.query(
        `INSERT INTO pool_members (org_id, pool_id, role, status, accepted_at, agreed_purposes, agreed_min_group_size, agreed_terms_version)
         VALUES ($1, $3, 'STEWARD', 'ACTIVE', now(), '{AUDIENCE_RESEARCH}', 10, 1),
                ($2, $3, 'MEMBER', 'ACTIVE', now(), '{AUDIENCE_RESEARCH}', 10, 1)`,
        [steward, member, pool],
      );
      await owner.query(`DELETE FROM organizations WHERE id = $1`, [steward]);
      const { rows } = await owner.query(
        `SELECT steward_org_id, frozen_at IS NOT NULL AS frozen FROM pools WHERE id = $1`,
        [pool],
      );
      expect(rows).toEqual([{ steward_org_id: null, frozen: true }]);
    } finally {
      await owner.end();
    }
  });
});
