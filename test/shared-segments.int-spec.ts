import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { asTenant, setTenant } from './support/tenant-claim.js';
import { until } from './support/wait.js';

/**
 * Shared segments and fingerprints as the application role, with plain SQL (issue 15, step 2a): crm_app has no
 * privilege on pool secrets or fingerprints, reads only its own shares, and learns a pool's catalogue only as a member.
 * What keeps a segment current: the triggers note changed contacts (pool_pending_contacts), request a sync and notify;
 * `sync` here does what the pools.sync-segments job does with them, through the broker's functions.
 */
describe('shared segments, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const a = randomUUID();
  const b = randomUUID();
  const c = randomUUID();
  const audience = randomUUID();
  const granted = randomUUID();
  const withdrawn = randomUUID();
  const unknown = randomUUID();
  let pool: string;
  let pool2: string;
  let segment: string;
  let segment2: string;

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);
  const rows = <T>(result: T[] | { code: string }) => result as T[];
  type Sql = (text: string, params?: unknown[]) => Promise<any[]>;
  /**
   * `work` in one committed transaction of `org` as crm_app. What a write there notes is also read (and synced) there:
   * another test file's workers listen on the same database, and would sync it first once committed.
   */
  const inTenant = async <T>(org: string, work: (sql: Sql) => Promise<T>): Promise<T> => {
    await app.query('BEGIN');
    try {
      await setTenant(app, org);
      const result = await work(async (text, params = []) => (await app.query(text, params)).rows);
      await app.query('COMMIT');
      return result;
    } catch (error) {
      await app.query('ROLLBACK');
      throw error;
    }
  };
  /** The contacts noted for the next pool sync, and whether one is requested. */
  const noted = async (sql: Sql) => ({
    contacts: (await sql(`SELECT DISTINCT contact_id FROM pool_pending_contacts ORDER BY 1`)).map((r) => r.contact_id),
    requested: (await sql(`SELECT 1 FROM pool_sync_requests WHERE organization_id = crm_current_org()`)).length === 1,
  });
  const nothing = { contacts: [], requested: false };
  /** What the job does: takes the noted contacts, recomputes their fingerprints, deletes expired shares'. */
  const sync = async (sql: Sql) => {
    await sql(`DELETE FROM pool_sync_requests WHERE organization_id = crm_current_org()`);
    const [{ n }] = await sql(
      `WITH taken AS (DELETE FROM pool_pending_contacts RETURNING contact_id)
       SELECT crm_pool_contacts_refresh(ARRAY(SELECT DISTINCT contact_id FROM taken)) AS n`,
    );
    const [{ expired }] = await sql(`SELECT crm_pool_expire_shares() AS expired`);
    return { n, expired };
  };
  const printsOf = async (contact: string) =>
    (
      await owner.query<{ revealable: boolean }>(
        `SELECT revealable FROM segment_fingerprints WHERE segment_id = $1 AND contact_id = $2`,
        [segment, contact],
      )
    ).rows;

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Seg A'), ($2, 'Seg B'), ($3, 'Seg C')`, [
      a,
      b,
      c,
    ]);
    {
      const p = [a, granted, withdrawn, unknown, audience];
      await owner.query(
        `INSERT INTO contacts (org_id, id, email, phone) VALUES ($1, $2, 'granted@example.org', '+33600000001'),
           ($1, $3, 'withdrawn@example.org', NULL), ($1, $4, 'unknown@example.org', NULL)`,
        p.slice(0, 4),
      );
      await owner.query(
        `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at) VALUES
           ($1, $2, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', 't', now() - interval '2 days'),
           ($1, $3, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', 't', now() - interval '2 days'),
           ($1, $3, 'PARTNER_SHARING', 'WITHDRAWN', 'EXPRESS', 't', now() - interval '1 day')`,
        p.slice(0, 3),
      );
      await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'Abonnés', 'STATIC')`, [
        a,
        audience,
      ]);
      await owner.query(
        `INSERT INTO audience_members (org_id, audience_id, contact_id) VALUES ($1, $5, $2), ($1, $5, $3), ($1, $5, $4)`,
        p,
      );
    }
    pool = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Réseau', NULL, '{AUDIENCE_RESEARCH}', 5, NULL) AS id`),
    )[0].id;
    pool2 = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Autre', NULL, '{CROSS_PROMOTION}', 5, NULL) AS id`),
    )[0].id;
    await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, b]);
    await as(b, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    segment = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, 'Nos abonnés', NULL) AS id`, [
        audience,
        pool,
      ]),
    )[0].id;
    segment2 = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'CROSS_PROMOTION', NULL, NULL, NULL) AS id`, [audience, pool2]),
    )[0].id;
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('crm_app has no privilege at all on pool secrets and fingerprints, with or without a tenant', async () => {
    for (const table of ['pool_secrets', 'segment_fingerprints']) {
      for (const org of [null, a, b])
        expect(await as(org, `SELECT * FROM ${table}`)).toEqual(
          expect.objectContaining({ code: '42501', message: expect.stringMatching(/permission denied/) }),
        );
      expect(await as(a, `DELETE FROM ${table}`)).toEqual(expect.objectContaining({ code: '42501' }));
    }
    const { rows: grants } = await owner.query(
      `SELECT privilege_type FROM information_schema.role_table_grants
        WHERE grantee = 'crm_app' AND table_name IN ('pool_secrets', 'segment_fingerprints')`,
    );
    expect(grants).toEqual([]);
    // nor the broker's internal functions
    expect(await as(a, `SELECT crm_pool_secret($1)`, [pool])).toEqual(expect.objectContaining({ code: '42501' }));
  });

  it('every pool has its secret, generated in the database', async () => {
    const { rows: secrets } = await owner.query<{ n: number }>(
      `SELECT length(secret) AS n FROM pool_secrets WHERE pool_id = ANY ($1)`,
      [[pool, pool2]],
    );
    expect(secrets).toEqual([{ n: 32 }, { n: 32 }]);
  });

  it('a WITHDRAWN PARTNER_SHARING contact has no fingerprint; GRANTED is revealable; email and phone each one', async () => {
    const { rows: prints } = await owner.query<{ contact_id: string; revealable: boolean; n: number }>(
      `SELECT contact_id, revealable, count(*)::int AS n FROM segment_fingerprints WHERE segment_id = $1
        GROUP BY 1, 2 ORDER BY 3 DESC`,
      [segment],
    );
    expect(prints).toEqual([
      { contact_id: granted, revealable: true, n: 2 },
      { contact_id: unknown, revealable: false, n: 1 },
    ]);
    const { rows: hmac } = await owner.query<{ ok: boolean }>(
      `SELECT f.fingerprint = hmac('granted@example.org', s.secret, 'sha256') AS ok
         FROM segment_fingerprints f JOIN pool_secrets s USING (pool_id)
        WHERE f.segment_id = $1 AND f.contact_id = $2 ORDER BY 1 DESC LIMIT 1`,
      [segment, granted],
    );
    expect(hmac).toEqual([{ ok: true }]);
  });

  it('the fingerprints of two pools for the same email differ', async () => {
    const { rows: joined } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM segment_fingerprints x JOIN segment_fingerprints y USING (fingerprint)
        WHERE x.segment_id = $1 AND y.segment_id = $2`,
      [segment, segment2],
    );
    expect(joined).toEqual([{ n: 0 }]);
    const { rows: counts } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM segment_fingerprints WHERE segment_id = $1`,
      [segment2],
    );
    expect(counts).toEqual([{ n: 3 }]);
  });

  it("crm_app reads its own shares only; a non-member's catalogue is empty; sizes under k are null", async () => {
    expect(rows(await as(a, `SELECT id FROM shared_segments ORDER BY created_at`))).toHaveLength(2);
    expect(await as(b, `SELECT id FROM shared_segments`)).toEqual([]);
    expect(await as(b, `UPDATE shared_segments SET withdrawn_at = now()`)).toEqual(
      expect.objectContaining({ code: '42501' }),
    );
    expect(await as(c, `SELECT * FROM crm_pool_segments($1)`, [pool])).toEqual([]);
    expect(await as(null, `SELECT * FROM crm_pool_segments($1)`, [pool])).toEqual(
      expect.objectContaining({ code: '42501' }),
    );
    // a member sees the catalogue: 2 people fingerprinted, k = 5: suppressed
    expect(
      await as(b, `SELECT publisher_name, audience_name, purpose, description, size, mine FROM crm_pool_segments($1)`, [
        pool,
      ]),
    ).toEqual([
      {
        publisher_name: 'Seg A',
        audience_name: 'Abonnés',
        purpose: 'AUDIENCE_RESEARCH',
        description: 'Nos abonnés',
        size: null,
        mine: false,
      },
    ]);
    // b may not refresh or withdraw a's share
    expect(await as(b, `SELECT crm_pool_segment_refresh($1)`, [segment])).toEqual(
      expect.objectContaining({ code: 'CP404' }),
    );
    expect(await as(b, `SELECT crm_pool_unshare($1, NULL)`, [segment])).toEqual(
      expect.objectContaining({ code: 'CP404' }),
    );
  });

  it("a contact deleted at the publisher leaves the pool at once (its fingerprints go, as crm_app's delete)", async () => {
    await inTenant(a, async (sql) => {
      await sql(`DELETE FROM contacts WHERE id = $1`, [unknown]);
      // nothing left to sync for it
      expect(await noted(sql)).toEqual(nothing);
    });
    const left = await owner.query(`SELECT 1 FROM segment_fingerprints WHERE contact_id = $1`, [unknown]);
    expect(left.rowCount).toBe(0);
  });

  it('a PARTNER_SHARING consent recorded at the publisher is noted, and the sync brings it to the pool', async () => {
    const listener = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (message) => notified.push(message.payload ?? ''));
    await listener.query('LISTEN crm_pool_changes');
    try {
      expect(await printsOf(granted)).toEqual([{ revealable: true }, { revealable: true }]);
      const record = (sql: Sql, status: string, purpose = 'PARTNER_SHARING') =>
        sql(
          `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
           VALUES (crm_current_org(), $1, $3, $2, 'EXPRESS', 't', clock_timestamp())`,
          [granted, status, purpose],
        );
      await inTenant(a, async (sql) => {
        // another purpose decides nothing in a pool
        await record(sql, 'WITHDRAWN', 'EMAIL_MARKETING');
        expect(await noted(sql)).toEqual(nothing);
        await record(sql, 'WITHDRAWN');
        expect(await noted(sql)).toEqual({ contacts: [granted], requested: true });
        // its email and phone, in both shares of the audience
        expect(await sync(sql)).toEqual({ n: 4, expired: 0 });
        expect(await noted(sql)).toEqual(nothing);
      });
      expect(await printsOf(granted)).toEqual([]);
      // the workers were told, on commit
      await until('the notification', () => notified.includes(a));
      await inTenant(a, async (sql) => {
        await record(sql, 'GRANTED');
        expect(await sync(sql)).toEqual({ n: 4, expired: 0 });
        // a sync with nothing noted changes nothing
        expect(await sync(sql)).toEqual({ n: 0, expired: 0 });
      });
      expect(await printsOf(granted)).toEqual([{ revealable: true }, { revealable: true }]);
    } finally {
      await listener.end();
    }
  });

  it('an email or phone change of a member of a shared audience is noted; other fields are not', async () => {
    await inTenant(a, async (sql) => {
      await sql(`UPDATE contacts SET first_name = 'Autre' WHERE id = $1`, [granted]);
      expect(await noted(sql)).toEqual(nothing);
      await sql(`UPDATE contacts SET email = 'granted2@example.org' WHERE id = $1`, [granted]);
      expect(await noted(sql)).toEqual({ contacts: [granted], requested: true });
      // the old email's fingerprint out, the new one's in, in both shares
      expect(await sync(sql)).toEqual({ n: 4, expired: 0 });
    });
    const { rows: byEmail } = await owner.query<{ email: string }>(
      `SELECT e.email FROM segment_fingerprints f JOIN pool_secrets s USING (pool_id)
         JOIN (VALUES ('granted@example.org'), ('granted2@example.org')) e (email)
           ON f.fingerprint = hmac(convert_to(e.email, 'UTF8'), s.secret, 'sha256')
        WHERE f.segment_id = $1 AND f.contact_id = $2`,
      [segment, granted],
    );
    expect(byEmail).toEqual([{ email: 'granted2@example.org' }]);
  });

  it("a shared audience's members added and removed are noted; an unshared audience's, or another org's, are not", async () => {
    const [other, newcomer] = [randomUUID(), randomUUID()];
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'Pas partagée', 'STATIC')`, [
      a,
      other,
    ]);
    await owner.query(`INSERT INTO contacts (org_id, id, email) VALUES ($1, $2, 'newcomer@example.org')`, [
      a,
      newcomer,
    ]);
    const add = (sql: Sql, aud: string) =>
      sql(`INSERT INTO audience_members (org_id, audience_id, contact_id) VALUES (crm_current_org(), $1, $2)`, [
        aud,
        newcomer,
      ]);
    await inTenant(a, async (sql) => {
      await add(sql, other);
      expect(await noted(sql)).toEqual(nothing);
      await add(sql, audience);
      expect(await noted(sql)).toEqual({ contacts: [newcomer], requested: true });
      expect(await sync(sql)).toEqual({ n: 2, expired: 0 });
    });
    expect(await printsOf(newcomer)).toEqual([{ revealable: false }]);
    await inTenant(a, async (sql) => {
      await sql(`DELETE FROM audience_members WHERE audience_id = $1 AND contact_id = $2`, [audience, newcomer]);
      expect(await noted(sql)).toEqual({ contacts: [newcomer], requested: true });
      expect(await sync(sql)).toEqual({ n: 2, expired: 0 });
    });
    expect(await printsOf(newcomer)).toEqual([]);
    // an organization without a live share notes nothing (c has no share)
    const [cAudience, cContact] = [randomUUID(), randomUUID()];
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'C', 'STATIC')`, [c, cAudience]);
    await owner.query(`INSERT INTO contacts (org_id, id, email) VALUES ($1, $2, 'c@example.org')`, [c, cContact]);
    await inTenant(c, async (sql) => {
      await sql(`INSERT INTO audience_members (org_id, audience_id, contact_id) VALUES (crm_current_org(), $1, $2)`, [
        cAudience,
        cContact,
      ]);
      expect(await noted(sql)).toEqual(nothing);
    });
    // crm_app reads pending rows of its own tenant only
    await owner.query(`INSERT INTO pool_pending_contacts (org_id, contact_id) VALUES ($1, $2)`, [a, granted]);
    expect(await as(c, `SELECT count(*)::int AS n FROM pool_pending_contacts`)).toEqual([{ n: 0 }]);
    expect(await as(null, `SELECT count(*)::int AS n FROM pool_pending_contacts`)).toEqual([{ n: 0 }]);
    await owner.query(`DELETE FROM pool_pending_contacts WHERE org_id = $1`, [a]);
  });

  it('sharing checks the audience, the pool, the purpose and the expiry', async () => {
    const share = (org: string, aud: string, p: string, purpose: string, expires: string | null = null) =>
      as(org, `SELECT crm_pool_share($1, $2, $3, $4, NULL, NULL)`, [aud, p, purpose, expires]);
    expect(await share(b, audience, pool, 'AUDIENCE_RESEARCH')).toEqual(expect.objectContaining({ code: 'CP404' }));
    expect(await share(c, audience, pool, 'AUDIENCE_RESEARCH')).toEqual(expect.objectContaining({ code: 'CP404' }));
    expect(await share(a, audience, pool, 'JOINT_CAMPAIGN')).toEqual(expect.objectContaining({ code: 'CP400' }));
    expect(await share(a, audience, pool, 'AUDIENCE_RESEARCH', '2020-01-01T00:00:00Z')).toEqual(
      expect.objectContaining({ code: 'CP400' }),
    );
  });

  it('a member that leaves the pool, or that the steward removes, takes its shares with it (and the ledger says so)', async () => {
    const d = randomUUID();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Seg D')`, [d]);
    const dAudience = randomUUID();
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'Public D', 'STATIC')`, [
      d,
      dAudience,
    ]);
    const dContact = randomUUID();
    await owner.query(`INSERT INTO contacts (org_id, id, email) VALUES ($1, $2, 'd@example.org')`, [d, dContact]);
    await owner.query(`INSERT INTO audience_members (org_id, audience_id, contact_id) VALUES ($1, $2, $3)`, [
      d,
      dAudience,
      dContact,
    ]);
    const live = async (seg: string) =>
      (
        await owner.query(
          `SELECT withdrawn_at IS NULL AS live, (SELECT count(*)::int FROM segment_fingerprints f WHERE f.segment_id = s.id) AS prints
             FROM shared_segments s WHERE id = $1`,
          [seg],
        )
      ).rows[0];
    const join = async () => {
      await as(a, `SELECT crm_pool_invite($1, $2)`, [pool2, d]);
      await as(d, `SELECT crm_pool_accept($1, NULL)`, [pool2]);
      return rows<{ id: string }>(
        await as(d, `SELECT crm_pool_share($1, $2, 'CROSS_PROMOTION', NULL, NULL, NULL) AS id`, [dAudience, pool2]),
      )[0].id;
    };
    const first = await join();
    expect(await live(first)).toEqual({ live: true, prints: 1 });
    expect(await as(d, `SELECT crm_pool_leave($1)`, [pool2])).toHaveLength(1);
    expect(await live(first)).toEqual({ live: false, prints: 0 });
    const second = await join();
    expect(await as(a, `SELECT crm_pool_remove_member($1, $2)`, [pool2, d])).toHaveLength(1);
    expect(await live(second)).toEqual({ live: false, prints: 0 });
    const ledger = await owner.query(
      `SELECT action, actor_org_id AS actor, data_org_ids AS data, segment_ids AS segments, outcome FROM pool_ledger
        WHERE pool_id = $1 AND $2 = ANY (data_org_ids) ORDER BY seq`,
      [pool2, d],
    );
    expect(ledger.rows).toEqual([
      { action: 'SHARE', actor: d, data: [d], segments: [first], outcome: { people: 1 } },
      { action: 'UNSHARE', actor: d, data: [d], segments: [first], outcome: { membership: 'LEFT' } },
      { action: 'SHARE', actor: d, data: [d], segments: [second], outcome: { people: 1 } },
      { action: 'UNSHARE', actor: a, data: [d], segments: [second], outcome: { membership: 'REMOVED' } },
    ]);
  });

  it('unsharing waits for a running sync of the organization (its lock), then deletes the fingerprints', async () => {
    const running = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    const other = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await running.connect();
    await other.connect();
    try {
      await running.query('BEGIN');
      await setTenant(running, a);
      await running.query(`SELECT pg_advisory_xact_lock(hashtextextended('crm_pools:' || crm_current_org()::text, 0))`);
      const unshare = asTenant(other, a, `SELECT crm_pool_unshare($1, NULL)`, [segment2]);
      const otherPid = (other as unknown as { processID: number }).processID;
      await until(
        'the unshare to wait for the lock',
        async () =>
          (
            await owner.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid = $1`, [
              otherPid,
            ])
          ).rowCount === 1,
      );
      await running.query('COMMIT');
      expect(await unshare).toHaveLength(1);
    } finally {
      await running.end();
      await other.end();
    }
    const left = await owner.query(`SELECT 1 FROM segment_fingerprints WHERE segment_id = $1`, [segment2]);
    expect(left.rowCount).toBe(0);
  });

  it('an expired share behaves as withdrawn; the sync deletes its fingerprints (crm_pool_expire_shares)', async () => {
    await owner.query(`UPDATE shared_segments SET expires_at = now() - interval '1 second' WHERE id = $1`, [segment]);
    expect(await as(b, `SELECT id FROM crm_pool_segments($1)`, [pool])).toEqual([]);
    // only the caller's own shares, and only with a tenant
    expect(await as(b, `SELECT crm_pool_expire_shares() AS n`)).toEqual([{ n: 0 }]);
    expect(await as(null, `SELECT crm_pool_expire_shares()`)).toEqual(expect.objectContaining({ code: '42501' }));
    const before = await owner.query(`SELECT 1 FROM segment_fingerprints WHERE segment_id = $1`, [segment]);
    expect(before.rowCount).toBe(2);
    await inTenant(a, async (sql) => expect(await sync(sql)).toEqual({ n: 0, expired: 2 }));
    const expired = await owner.query(`SELECT 1 FROM segment_fingerprints WHERE segment_id = $1`, [segment]);
    expect(expired.rowCount).toBe(0);
    await inTenant(a, async (sql) => {
      // an expired share is no longer kept current: its members' changes are not noted
      await sql(`UPDATE contacts SET email = 'granted3@example.org' WHERE id = $1`, [granted]);
      expect(await noted(sql)).toEqual(nothing);
    });
    expect(await as(a, `SELECT crm_pool_segment_refresh($1) AS n`, [segment])).toEqual([{ n: 0 }]);
  });
});
