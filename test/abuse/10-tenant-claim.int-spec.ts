import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { setTenant } from '../support/tenant-claim.js';

/**
 * Item 10: the tenant setting cannot be forged with the application role's password alone. A holder of
 * crm_app's credentials who sets `app.tenant` (or the old `app.org_id`) to another organization sees nothing
 * or is refused; only a claim signed with the key, which crm_app cannot read, for this very connection, opens
 * the organization.
 */
const ORG = '00000000-0000-4000-8000-00000000a010';

describe('tenant claim (item 10)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  let other: pg.Client;

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    other = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await Promise.all([owner.connect(), app.connect(), other.connect()]);
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Claim') ON CONFLICT DO NOTHING`, [ORG]);
    await owner.query(`INSERT INTO tags (org_id, name) VALUES ($1, 'secret-tag') ON CONFLICT DO NOTHING`, [ORG]);
  });
  afterAll(async () => {
    await Promise.all([owner.end(), app.end(), other.end()]);
  });

  const tagsSeen = async (client: pg.Client, setup: () => Promise<unknown>) => {
    await client.query('BEGIN');
    try {
      await setup();
      return (await client.query<{ name: string }>('SELECT name FROM tags')).rows.map((row) => row.name);
    } finally {
      await client.query('ROLLBACK');
    }
  };

  it('a signed claim for this connection opens the organization', async () => {
    expect(await tagsSeen(app, () => setTenant(app, ORG))).toEqual(['secret-tag']);
  });

  it('the old plain setting opens nothing', async () => {
    expect(await tagsSeen(app, () => app.query(`SELECT set_config('app.org_id', $1, true)`, [ORG]))).toEqual([]);
  });

  it('an unsigned or badly signed claim is refused', async () => {
    await expect(tagsSeen(app, () => app.query(`SELECT set_config('app.tenant', $1, true)`, [ORG]))).rejects.toThrow(
      /invalid tenant claim/,
    );
    await expect(
      tagsSeen(app, () => app.query(`SELECT set_config('app.tenant', $1, true)`, [`${ORG}.${'0'.repeat(64)}`])),
    ).rejects.toThrow(/invalid tenant claim/);
  });

  it('a claim seen on another connection (pg_stat_activity, a log) is worthless on this one', async () => {
    let stolen = '';
    await other.query('BEGIN');
    try {
      await setTenant(other, ORG);
      stolen = (await other.query<{ claim: string }>(`SELECT current_setting('app.tenant') AS claim`)).rows[0].claim;
    } finally {
      await other.query('ROLLBACK');
    }
    await expect(tagsSeen(app, () => app.query(`SELECT set_config('app.tenant', $1, true)`, [stolen]))).rejects.toThrow(
      /invalid tenant claim/,
    );
  });

  it('the application role cannot read the key, nor change what verifies the claim', async () => {
    await expect(app.query('SELECT key FROM crm_private.tenant_claim_key')).rejects.toThrow(/permission denied/);
    await expect(
      app.query(`CREATE OR REPLACE FUNCTION crm_current_org() RETURNS uuid LANGUAGE sql AS $$ SELECT NULL::uuid $$`),
    ).rejects.toThrow(/must be owner|permission denied/);
    await expect(
      app.query(`CREATE FUNCTION pg_temp.crm_current_org() RETURNS uuid LANGUAGE sql AS $$ SELECT '${ORG}'::uuid $$`),
    ).resolves.toBeDefined();
    // a function of the same name in pg_temp is not the one the policies call (they name public's, resolved at creation)
    expect(await tagsSeen(app, () => Promise.resolve())).toEqual([]);
  });

  it('crm_ensure_user, the one way to write users, refuses an unsigned claim and serves a signed one', async () => {
    const ensure = async (client: pg.Client, setup: () => Promise<unknown>, email: string) => {
      await client.query('BEGIN');
      try {
        await setup();
        return (await client.query<{ id: string }>('SELECT crm_ensure_user($1) AS id', [email])).rows[0].id;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    await expect(
      ensure(app, () => app.query(`SELECT set_config('app.tenant', $1, true)`, [ORG]), 'forged@example.org'),
    ).rejects.toThrow(/invalid tenant claim|needs a tenant/);
    await expect(ensure(app, () => Promise.resolve(), 'nobody@example.org')).rejects.toThrow(/needs a tenant/);
    await expect(ensure(app, () => setTenant(app, ORG), 'signed@example.org')).resolves.toMatch(/^[0-9a-f-]{36}$/);
  });
});
