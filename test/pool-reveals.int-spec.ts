import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { asTenant, setTenant } from './support/tenant-claim.js';

/**
 * Reveals as the application role, with plain SQL (issue 15, "reveal with consent"): crm_app has no privilege on
 * pool_reveals; the broker's functions refuse a non-member (as for no such segment), the publisher asking for its own
 * segment, a purpose the segment does not allow, anyone but the publisher deciding; and crm_pool_reveal_people gives
 * nothing before approval, nothing to anyone but the requester, and no one whose PARTNER_SHARING consent is not
 * granted at the publisher now.
 */
describe('pool reveals, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const a = randomUUID(); // the publisher
  const b = randomUUID(); // a member that asks
  const c = randomUUID(); // not a member
  const audience = randomUUID();
  const granted = randomUUID();
  const implied = randomUUID();
  const withdrawn = randomUUID();
  const unknown = randomUUID();
  const lapsed = randomUUID();
  let pool: string;
  let segment: string;
  let research: string;
  let reveal: string;

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);
  const rows = <T>(result: T[] | { code: string }) => result as T[];
  /** Like `as`, for a call that must fail: its SQLSTATE and the COLUMN it names. */
  const refusal = async (org: string, sql: string, params: unknown[] = []) => {
    await app.query('BEGIN');
    try {
      await setTenant(app, org);
      await app.query(sql, params);
      return 'accepted';
    } catch (error) {
      const { code, column } = error as { code: string; column?: string };
      return { code, column };
    } finally {
      await app.query('ROLLBACK');
    }
  };
  const people = (org: string, id = reveal) =>
    as<{ email: string }>(org, `SELECT * FROM crm_pool_reveal_people($1) ORDER BY email`, [id]);

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Rev A'), ($2, 'Rev B'), ($3, 'Rev C')`, [
      a,
      b,
      c,
    ]);
    await owner.query(
      `INSERT INTO contacts (org_id, id, first_name, last_name, email, phone, address_line1, birth_date, city, postal_code)
       VALUES ($1, $2, 'Hélène', 'Côté', 'helene@example.org', '+15145550101', '12 rue Privée', '1980-01-02', 'Montréal', 'H2X 1Y4'),
              ($1, $3, 'Implicite', 'Achat', 'implied@example.org', NULL, NULL, NULL, NULL, NULL),
              ($1, $4, 'Retiré', 'Non', 'withdrawn@example.org', NULL, NULL, NULL, NULL, NULL),
              ($1, $5, 'Inconnu', 'Peut-être', 'unknown@example.org', NULL, NULL, NULL, NULL, NULL),
              ($1, $6, 'Échu', 'Ancien', 'lapsed@example.org', NULL, NULL, NULL, NULL, NULL)`,
      [a, granted, implied, withdrawn, unknown, lapsed],
    );
    await owner.query(
      `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, implied_reason, source, occurred_at, expires_at) VALUES
         ($1, $2, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', NULL, 't', now() - interval '2 days', NULL),
         ($1, $3, 'PARTNER_SHARING', 'GRANTED', 'IMPLIED', 'PURCHASE', 't', now() - interval '30 days', now() + interval '700 days'),
         ($1, $4, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', NULL, 't', now() - interval '2 days', NULL),
         ($1, $4, 'PARTNER_SHARING', 'WITHDRAWN', NULL, NULL, 't', now() - interval '1 day', NULL),
         ($1, $5, 'EMAIL_MARKETING', 'GRANTED', 'EXPRESS', NULL, 't', now() - interval '2 days', NULL),
         -- came from another pool's reveal: the grant cites another organization's consent, never revealed onward
         ($1, $5, 'PARTNER_SHARING', 'GRANTED', 'EXPRESS', NULL, 'pool reveal: Salle Ailleurs', now() - interval '2 days', NULL),
         ($1, $6, 'PARTNER_SHARING', 'GRANTED', 'IMPLIED', 'INQUIRY', 't', now() - interval '400 days', now() - interval '200 days')`,
      [a, granted, implied, withdrawn, unknown, lapsed],
    );
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, 'Abonnés', 'STATIC')`, [
      a,
      audience,
    ]);
    await owner.query(
      `INSERT INTO audience_members (org_id, audience_id, contact_id) SELECT $1, $2, unnest($3::uuid[])`,
      [a, audience, [granted, implied, withdrawn, unknown, lapsed]],
    );
    pool = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Réseau', NULL, '{AUDIENCE_RESEARCH,CROSS_PROMOTION}', 5, NULL) AS id`),
    )[0].id;
    await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, b]);
    await as(b, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    segment = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'CROSS_PROMOTION', NULL, NULL, NULL) AS id`, [audience, pool]),
    )[0].id;
    research = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, NULL, NULL) AS id`, [audience, pool]),
    )[0].id;
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('crm_app has no privilege at all on pool_reveals, with or without a tenant', async () => {
    for (const org of [null, a, b])
      for (const sql of [
        `SELECT * FROM pool_reveals`,
        `INSERT INTO pool_reveals (pool_id, segment_id, publisher_org_id, requester_org_id, purpose, status)
           VALUES ('${pool}', '${segment}', '${a}', '${b}', 'CROSS_PROMOTION', 'APPROVED')`,
        `UPDATE pool_reveals SET status = 'APPROVED'`,
        `DELETE FROM pool_reveals`,
      ])
        expect({ sql, result: await as(org, sql) }).toEqual({
          sql,
          result: { code: '42501', message: expect.stringMatching(/^permission denied for table pool_reveals/) },
        });
    expect(await as(null, `SELECT crm_pool_reveal_request($1, 'CROSS_PROMOTION', NULL)`, [segment])).toEqual({
      code: '42501',
      message: 'no tenant',
    });
    // nor the internal functions
    expect(await as(b, `SELECT crm_pool_reveal_lock($1, $2)`, [randomUUID(), b])).toEqual(
      expect.objectContaining({ code: '42501' }),
    );
  });

  it('refuses bad requests: a non-member (as for no such segment), the publisher itself, a purpose the segment does not allow', async () => {
    const request = `SELECT crm_pool_reveal_request($1, $2, NULL)`;
    const notFound = { code: 'CP404', column: 'sharedSegmentId' };
    expect(await refusal(c, request, [segment, 'CROSS_PROMOTION'])).toEqual(notFound);
    expect(await refusal(b, request, [randomUUID(), 'CROSS_PROMOTION'])).toEqual(notFound);
    expect(await refusal(a, request, [segment, 'CROSS_PROMOTION'])).toEqual({
      code: 'CP400',
      column: 'sharedSegmentId',
    });
    // an AUDIENCE_RESEARCH segment is aggregates only; a reveal is for the segment's purpose
    expect(await refusal(b, request, [research, 'AUDIENCE_RESEARCH'])).toEqual({ code: 'CP400', column: 'purpose' });
    expect(await refusal(b, request, [research, 'CROSS_PROMOTION'])).toEqual({ code: 'CP400', column: 'purpose' });
    expect(await refusal(b, request, [segment, 'JOINT_CAMPAIGN'])).toEqual({ code: 'CP400', column: 'purpose' });
    expect(await refusal(b, request, [segment, 'AUDIENCE_RESEARCH'])).toEqual({ code: 'CP400', column: 'purpose' });
    const { rows: none } = await owner.query(`SELECT 1 FROM pool_reveals WHERE pool_id = $1`, [pool]);
    expect(none).toEqual([]);
  });

  it('a member asks once; nobody gets a person before the approval', async () => {
    reveal = rows<{ id: string }>(
      await as(b, `SELECT crm_pool_reveal_request($1, 'CROSS_PROMOTION', NULL) AS id`, [segment]),
    )[0].id;
    expect(await refusal(b, `SELECT crm_pool_reveal_request($1, 'CROSS_PROMOTION', NULL)`, [segment])).toEqual({
      code: 'CP409',
      column: 'sharedSegmentId',
    });
    for (const org of [a, b, c]) expect(await people(org)).toEqual([]);
    expect(await as(b, `SELECT status, requesting, publishing FROM crm_pool_reveals($1, NULL)`, [pool])).toEqual([
      { status: 'REQUESTED', requesting: true, publishing: false },
    ]);
    expect(await as(a, `SELECT status, requesting, publishing FROM crm_pool_reveals($1, NULL)`, [pool])).toEqual([
      { status: 'REQUESTED', requesting: false, publishing: true },
    ]);
    expect(await as(c, `SELECT * FROM crm_pool_reveals($1, $2)`, [pool, reveal])).toEqual([]);
  });

  it('only the publisher approves (or refuses)', async () => {
    expect(await refusal(b, `SELECT crm_pool_reveal_approve($1, NULL)`, [reveal])).toEqual({ code: 'CP403' });
    expect(await refusal(b, `SELECT crm_pool_reveal_refuse($1, 'non', NULL)`, [reveal])).toEqual({ code: 'CP403' });
    expect(await refusal(c, `SELECT crm_pool_reveal_approve($1, NULL)`, [reveal])).toEqual({
      code: 'CP404',
      column: 'id',
    });
    const user = randomUUID();
    expect(await as(a, `SELECT crm_pool_reveal_approve($1, $2) AS requester`, [reveal, user])).toEqual([
      { requester: b },
    ]);
    expect(await refusal(a, `SELECT crm_pool_reveal_approve($1, NULL)`, [reveal])).toEqual({
      code: 'CP409',
      column: 'id',
    });
    // who decided: the publisher's only
    expect(await as(a, `SELECT status, decided_by FROM crm_pool_reveals(NULL, $1)`, [reveal])).toEqual([
      { status: 'APPROVED', decided_by: user },
    ]);
    expect(await as(b, `SELECT status, decided_by FROM crm_pool_reveals(NULL, $1)`, [reveal])).toEqual([
      { status: 'APPROVED', decided_by: null },
    ]);
  });

  it('approved: the requester alone gets the people whose PARTNER_SHARING is granted at the publisher now, and only the fields a copy keeps', async () => {
    for (const org of [a, c]) expect(await people(org)).toEqual([]);
    const seen = rows<Record<string, unknown>>(await people(b));
    expect(seen).toEqual([
      {
        first_name: 'Hélène',
        last_name: 'Côté',
        email: 'helene@example.org',
        phone: '+15145550101',
        preferred_language: null,
        city: 'Montréal',
        region: null,
        postal_code: 'H2X 1Y4',
        country: null,
        legal_basis: 'EXPRESS',
        implied_reason: null,
        granted_at: expect.any(Date),
      },
      expect.objectContaining({ email: 'implied@example.org', legal_basis: 'IMPLIED', implied_reason: 'PURCHASE' }),
    ]);
    // the consent is read again, not the fingerprints' flag: a stale flag lets no one through
    await owner.query(`UPDATE segment_fingerprints SET revealable = true WHERE segment_id = $1`, [segment]);
    expect(rows<{ email: string }>(await people(b)).map((p) => p.email)).toEqual([
      'helene@example.org',
      'implied@example.org',
    ]);
    // a withdrawal at the publisher takes effect at once
    await owner.query(
      `INSERT INTO consents (org_id, contact_id, purpose, status, source, occurred_at)
       VALUES ($1, $2, 'PARTNER_SHARING', 'WITHDRAWN', 't', now())`,
      [a, implied],
    );
    expect(rows<{ email: string }>(await people(b)).map((p) => p.email)).toEqual(['helene@example.org']);
  });

  it('the copy is the requester’s: COPIED with its counts, then nothing more crosses; the ledger has the request, the approval and the copy', async () => {
    expect(await refusal(a, `SELECT crm_pool_reveal_copy_begin($1)`, [reveal])).toEqual({ code: 'CP403' });
    expect(await refusal(a, `SELECT crm_pool_reveal_copied($1, 1, 0, 1, NULL)`, [reveal])).toEqual({ code: 'CP403' });
    expect(await as(b, `SELECT crm_pool_reveal_copy_begin($1) AS status`, [reveal])).toEqual([{ status: 'APPROVED' }]);
    expect(await as(b, `SELECT crm_pool_reveal_copied($1, 1, 0, 1, NULL)`, [reveal])).toHaveLength(1);
    expect(await people(b)).toEqual([]);
    expect(await as(b, `SELECT crm_pool_reveal_copy_begin($1) AS status`, [reveal])).toEqual([{ status: 'COPIED' }]);
    expect(await as(b, `SELECT status, people, matched, created FROM crm_pool_reveals(NULL, $1)`, [reveal])).toEqual([
      { status: 'COPIED', people: 1, matched: 0, created: 1 },
    ]);
    // how many the requester held is its own: not the publisher's to read on the reveal
    expect(await as(a, `SELECT status, people, matched, created FROM crm_pool_reveals(NULL, $1)`, [reveal])).toEqual([
      { status: 'COPIED', people: 1, matched: null, created: null },
    ]);
    const { rows: ledger } = await owner.query(
      `SELECT action, actor_org_id AS actor, data_org_ids AS data, purpose, outcome FROM pool_ledger
        WHERE pool_id = $1 AND action LIKE 'REVEAL%' ORDER BY seq`,
      [pool],
    );
    expect(ledger).toEqual([
      { action: 'REVEAL_REQUEST', actor: b, data: [a], purpose: 'CROSS_PROMOTION', outcome: {} },
      // revealable by the fingerprints' flag at approval (the grant from another reveal counts there); the copy
      // re-checks the consent and leaves that person out
      { action: 'REVEAL_APPROVE', actor: a, data: [a], purpose: 'CROSS_PROMOTION', outcome: { people: 3 } },
      // under k, the requester's share of the counts is suppressed in the ledger
      {
        action: 'REVEAL_COPY',
        actor: b,
        data: [a],
        purpose: 'CROSS_PROMOTION',
        outcome: { people: 1, matched: null, created: null },
      },
    ]);
  });

  it('refusal, cancellation and auto-approval', async () => {
    const ask = async () =>
      rows<{ id: string }>(
        await as(b, `SELECT crm_pool_reveal_request($1, 'CROSS_PROMOTION', NULL) AS id`, [segment]),
      )[0].id;
    const refused = await ask();
    expect(await refusal(a, `SELECT crm_pool_reveal_refuse($1, $2, NULL)`, [refused, 'x'.repeat(501)])).toEqual({
      code: 'CP400',
      column: 'reason',
    });
    expect(await as(a, `SELECT crm_pool_reveal_refuse($1, 'Pas cette saison', NULL)`, [refused])).toHaveLength(1);
    expect(await as(b, `SELECT status, refusal_reason FROM crm_pool_reveals(NULL, $1)`, [refused])).toEqual([
      { status: 'REFUSED', refusal_reason: 'Pas cette saison' },
    ]);
    expect(await people(b, refused)).toEqual([]);

    const cancelled = await ask();
    expect(await refusal(a, `SELECT crm_pool_reveal_cancel($1)`, [cancelled])).toEqual({ code: 'CP403' });
    expect(await as(b, `SELECT crm_pool_reveal_cancel($1)`, [cancelled])).toHaveLength(1);
    expect(await refusal(a, `SELECT crm_pool_reveal_approve($1, NULL)`, [cancelled])).toEqual({
      code: 'CP409',
      column: 'id',
    });

    // only the publisher sets auto-approve, on its own live share
    expect(await refusal(b, `SELECT crm_pool_segment_auto_approve($1, true)`, [segment])).toEqual({
      code: 'CP404',
      column: 'id',
    });
    expect(await as(a, `SELECT crm_pool_segment_auto_approve($1, true)`, [segment])).toHaveLength(1);
    const auto = await ask();
    expect(await as(b, `SELECT status, auto_approved FROM crm_pool_reveals(NULL, $1)`, [auto])).toEqual([
      { status: 'APPROVED', auto_approved: true },
    ]);
    expect(rows<{ email: string }>(await people(b, auto)).map((p) => p.email)).toEqual(['helene@example.org']);
    expect(await people(a, auto)).toEqual([]);

    // the share withdrawn: nothing crosses, and the copy fails with the reason
    expect(await as(a, `SELECT crm_pool_unshare($1, NULL)`, [segment])).toHaveLength(1);
    expect(await people(b, auto)).toEqual([]);
    expect(await as(b, `SELECT crm_pool_reveal_copy_begin($1) AS status`, [auto])).toEqual([{ status: 'FAILED' }]);
    expect(await as(b, `SELECT status, failure FROM crm_pool_reveals(NULL, $1)`, [auto])).toEqual([
      { status: 'FAILED', failure: 'The shared segment was withdrawn or has expired' },
    ]);
    // and a withdrawn segment takes no request
    expect(await refusal(b, `SELECT crm_pool_reveal_request($1, 'CROSS_PROMOTION', NULL)`, [segment])).toEqual({
      code: 'CP404',
      column: 'sharedSegmentId',
    });
  });
});
