import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { asTenant, setTenant } from './support/tenant-claim.js';

/** What a broker function answers: its rows, or its refusal (SQLSTATE, and COLUMN: the field). */
type Answer<T> = T[] | { code: string; column?: string; message: string };

interface Overlap {
  overlap: number | null;
  new_reach: number | null;
  min_group_size: number;
}

/**
 * What members learn of each other's shared segments, as the application role with plain SQL (issue 15, "What members
 * can learn", "Disclosure control"): crm_pool_overlap, crm_pool_overlap_matrix and the sharing ledger they write.
 * Pool k = 10. Publisher a (the steward) shares S and S2 (p0..p39); publisher e shares T; b asks; d is a third member;
 * c is invited only; f is no one's partner.
 */
describe('pool aggregates, as the application role (SQL)', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const [a, b, c, d, e, f] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  let pool: string;
  let segment: string;
  let budgetSegment: string;
  let eSegment: string;
  const audiences: Record<string, string> = {};

  const as = <T = Record<string, unknown>>(org: string | null, sql: string, params: unknown[] = []) =>
    asTenant<T>(app, org, sql, params);
  const rows = <T>(result: T[] | { code: string }) => result as T[];
  /** Like asTenant, with the refusal's COLUMN too. */
  const ask = async <T = Overlap>(org: string, sql: string, params: unknown[]): Promise<Answer<T>> => {
    await app.query('BEGIN');
    try {
      await setTenant(app, org);
      const { rows: result } = await app.query(sql, params);
      await app.query('COMMIT');
      return result as T[];
    } catch (error) {
      await app.query('ROLLBACK');
      const { code, column, message } = error as { code: string; column?: string; message: string };
      return { code, column, message };
    }
  };
  const overlap = (org: string, seg: string, audience: string | null = null) =>
    ask(org, `SELECT * FROM crm_pool_overlap($1, $2, NULL)`, [seg, audience]);
  const one = async (org: string, seg: string, audience: string | null = null) => {
    const answer = await overlap(org, seg, audience);
    if (!Array.isArray(answer)) throw new Error(`refused: ${JSON.stringify(answer)}`);
    return answer[0];
  };

  /** A contact of `org` (as the owner); its id. */
  const contact = async (org: string, email: string | null, phone: string | null = null) =>
    (
      await owner.query<{ id: string }>(
        `INSERT INTO contacts (org_id, email, phone) VALUES ($1, $2, $3) RETURNING id`,
        [org, email, phone],
      )
    ).rows[0].id;
  /** A static audience of `org` with these contacts (as the owner). */
  const audience = async (org: string, name: string, contacts: string[]) => {
    const id = randomUUID();
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, $3, 'STATIC')`, [org, id, name]);
    await owner.query(
      `INSERT INTO audience_members (org_id, audience_id, contact_id) SELECT $1, $2, unnest($3::uuid[])`,
      [org, id, contacts],
    );
    audiences[name] = id;
    return id;
  };
  const share = async (org: string, audienceId: string) =>
    rows<{ id: string }>(
      await as(org, `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, NULL, NULL) AS id`, [audienceId, pool]),
    )[0].id;
  const email = (i: number) => `p${i}@aggregates.example`;
  const phone = (i: number) => `+1514555${String(i).padStart(4, '0')}`;
  /** Shown counts: rounded to 5, never under k, near the true count (Laplace noise of scale 10). */
  const near = (shown: number | null, count: number, k = 10) => {
    expect(shown).not.toBeNull();
    expect(shown! % 5).toBe(0);
    expect(shown).toBeGreaterThanOrEqual(k);
    expect(Math.abs(shown! - count)).toBeLessThanOrEqual(60);
  };

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(
      `INSERT INTO organizations (id, name) VALUES ($1, 'Agg A'), ($2, 'Agg B'), ($3, 'Agg C'), ($4, 'Agg D'),
         ($5, 'Agg E'), ($6, 'Agg F')`,
      [a, b, c, d, e, f],
    );
    pool = rows<{ id: string }>(
      await as(a, `SELECT crm_pool_create('Agrégats', NULL, '{AUDIENCE_RESEARCH}', 10, NULL) AS id`),
    )[0].id;
    // a fixed secret (before anything is fingerprinted): the same noise on every run
    await owner.query(`UPDATE pool_secrets SET secret = $2 WHERE pool_id = $1`, [pool, Buffer.alloc(32, 7)]);
    for (const org of [b, c, d, e]) await as(a, `SELECT crm_pool_invite($1, $2)`, [pool, org]);
    for (const org of [b, d, e]) await as(org, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    // the publisher a: p0..p39, a phone for every even one
    const published: string[] = [];
    for (let i = 0; i < 40; i++) published.push(await contact(a, email(i), i % 2 === 0 ? phone(i) : null));
    segment = await share(a, await audience(a, 'A all', published));
    budgetSegment = await share(a, await audience(a, 'A all again', published));
    // the publisher e: p31..p39 and 6 of its own (9 people of S: under k in the matrix)
    const ePeople: string[] = [];
    for (let i = 31; i < 40; i++) ePeople.push(await contact(e, email(i)));
    for (let i = 0; i < 6; i++) ePeople.push(await contact(e, `e${i}@aggregates.example`));
    eSegment = await share(e, await audience(e, 'E public', ePeople));
    // the asker b: p0..p24 by email; p26 by its phone only; p0's phone again (the same person of S: counted once)
    const held: string[] = [];
    for (let i = 0; i < 25; i++) held.push(await contact(b, email(i)));
    const byPhone = await contact(b, 'other26@b.example', phone(26));
    const p0Again = await contact(b, 'p0-at-home@b.example', phone(0));
    const strangers: string[] = [];
    for (let i = 0; i < 30; i++) strangers.push(await contact(b, `stranger${i}@b.example`));
    await audience(b, 'ten', [...held.slice(0, 9), byPhone, p0Again]);
    await audience(b, 'nine', [...held.slice(0, 9), p0Again, ...strangers.slice(0, 5)]);
    await audience(b, 'none', strangers.slice(0, 12));
    for (let i = 0; i <= 20; i++) await audience(b, `budget${i}`, [...held.slice(0, 12), strangers[i]]);
    await audience(a, 'A own', published.slice(0, 3));
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('counts the people of the segment I hold, by email or phone, each once; new reach is the rest', async () => {
    // all of b's contacts: p0..p24, p26 (phone): 26 people of S's 40; 14 new
    const all = await one(b, segment);
    near(all.overlap, 26);
    near(all.new_reach, 14);
    expect(all.min_group_size).toBe(10);
    // exactly k people held: shown; one fewer (p0 held twice, by email and phone): suppressed, NULL and never 0
    const ten = await one(b, segment, audiences.ten);
    near(ten.overlap, 10);
    near(ten.new_reach, 30);
    const nine = await one(b, segment, audiences.nine);
    expect(nine.overlap).toBeNull();
    near(nine.new_reach, 31);
    const none = await one(b, segment, audiences.none);
    expect(none).toEqual({ overlap: null, new_reach: expect.any(Number), min_group_size: 10 });
  });

  it('the same question gets the same answer; a question about another set gets its own noise', async () => {
    const first = await one(b, segment);
    expect(await one(b, segment)).toEqual(first);
    expect(await one(b, segment, audiences.ten)).not.toEqual(first);
    // S2 holds the same people as S: the same sets, the same noise (sharing twice gives no second, independent look)
    expect(await one(d, budgetSegment)).toEqual(await one(d, segment));
  });

  it("uses the effective k: the largest of the pool's, the publisher's own and mine", async () => {
    expect(await as(b, `SELECT crm_pool_set_own_k($1, 30)`, [pool])).toHaveLength(1);
    expect(await one(b, segment)).toEqual({ overlap: null, new_reach: null, min_group_size: 30 });
    expect(await as(b, `SELECT crm_pool_set_own_k($1, NULL)`, [pool])).toHaveLength(1);
    expect(await as(a, `SELECT crm_pool_set_own_k($1, 27)`, [pool])).toHaveLength(1);
    const withPublishersK = await one(b, segment);
    expect(withPublishersK).toEqual({ overlap: null, new_reach: null, min_group_size: 27 });
    // a third member's own k is not the k of an aggregate without its data
    expect(await as(a, `SELECT crm_pool_set_own_k($1, NULL)`, [pool])).toHaveLength(1);
    expect(await as(d, `SELECT crm_pool_set_own_k($1, 50)`, [pool])).toHaveLength(1);
    expect((await one(b, segment)).min_group_size).toBe(10);
    expect(await as(d, `SELECT crm_pool_set_own_k($1, NULL)`, [pool])).toHaveLength(1);
  });

  it('refuses with NOT_FOUND (CP404, naming the field) whoever is not an ACTIVE member, for every function', async () => {
    for (const org of [c, f]) {
      expect(await overlap(org, segment)).toMatchObject({ code: 'CP404', column: 'sharedSegmentId' });
      expect(await ask(org, `SELECT * FROM crm_pool_overlap_matrix($1, NULL)`, [pool])).toMatchObject({
        code: 'CP404',
        column: 'poolId',
      });
      expect(await ask(org, `SELECT * FROM crm_pool_ledger($1, NULL, 100)`, [pool])).toEqual([]);
    }
    // the same answer for a segment that does not exist, and for a pool that does not exist
    expect(await overlap(b, randomUUID())).toMatchObject({ code: 'CP404', column: 'sharedSegmentId' });
    expect(await ask(b, `SELECT * FROM crm_pool_overlap_matrix($1, NULL)`, [randomUUID()])).toMatchObject({
      code: 'CP404',
      column: 'poolId',
    });
    // an audience of another organization is not mine to compare with
    expect(await overlap(b, segment, audiences['A own'])).toMatchObject({ code: 'CP404', column: 'audienceId' });
    // without a tenant claim: nothing at all
    expect(await as(null, `SELECT * FROM crm_pool_overlap($1, NULL, NULL)`, [segment])).toMatchObject({
      code: '42501',
    });
  });

  it('a withdrawn or expired share is not found', async () => {
    const people = [await contact(a, 'gone1@aggregates.example'), await contact(a, 'gone2@aggregates.example')];
    const withdrawn = await share(a, await audience(a, 'A withdrawn', people));
    const expired = await share(a, await audience(a, 'A expired', people));
    expect(await as(a, `SELECT crm_pool_unshare($1, NULL)`, [withdrawn])).toHaveLength(1);
    await owner.query(`UPDATE shared_segments SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired]);
    expect(await overlap(b, withdrawn)).toMatchObject({ code: 'CP404', column: 'sharedSegmentId' });
    expect(await overlap(b, expired)).toMatchObject({ code: 'CP404', column: 'sharedSegmentId' });
  });

  it('spends a budget of 20 different questions per segment a day; the same question again is free', async () => {
    const answers: Overlap[] = [];
    for (let i = 0; i < 20; i++) answers.push(await one(b, budgetSegment, audiences[`budget${i}`]));
    expect(await overlap(b, budgetSegment, audiences.budget20)).toMatchObject({ code: 'CP429' });
    expect(await one(b, budgetSegment, audiences.budget0)).toEqual(answers[0]);
    expect(await one(b, budgetSegment, audiences.budget7)).toEqual(answers[7]);
    // another segment, another asker: budgets of their own
    expect(Array.isArray(await overlap(b, segment, audiences.budget20))).toBe(true);
    expect(Array.isArray(await overlap(d, budgetSegment, null))).toBe(true);
    // the refused question was not written to the ledger
    const { rows: asked } = await owner.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT question)::int AS distinct FROM pool_ledger
        WHERE pool_id = $1 AND actor_org_id = $2 AND action = 'OVERLAP' AND $3 = ANY (segment_ids)`,
      [pool, b, budgetSegment],
    );
    expect(asked).toEqual([{ n: 22, distinct: 20 }]);
  });

  it('writes every answer to the ledger: who asked, whose data, which segment, what purpose, the counts shown', async () => {
    const answer = await one(b, segment, audiences.ten);
    const { rows: entries } = await owner.query(
      `SELECT actor_org_id, action, data_org_ids, segment_ids, purpose, outcome, question IS NOT NULL AS has_question
         FROM pool_ledger WHERE pool_id = $1 ORDER BY seq DESC LIMIT 1`,
      [pool],
    );
    expect(entries).toEqual([
      {
        actor_org_id: b,
        action: 'OVERLAP',
        data_org_ids: [a],
        segment_ids: [segment],
        purpose: 'AUDIENCE_RESEARCH',
        outcome: { overlap: answer.overlap, newReach: answer.new_reach },
        has_question: true,
      },
    ]);
  });

  it('the ledger is append-only: crm_app has no privilege on it, and not even its owner may change it', async () => {
    for (const sql of [`SELECT * FROM pool_ledger`, `UPDATE pool_ledger SET purpose = 'x'`, `DELETE FROM pool_ledger`])
      expect(await as(b, sql)).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
    for (const sql of [`UPDATE pool_ledger SET purpose = 'x'`, `DELETE FROM pool_ledger`, `TRUNCATE pool_ledger`])
      await expect(owner.query(sql)).rejects.toMatchObject({
        code: '42501',
        message: expect.stringMatching(/append-only/),
      });
  });

  it('the ledger as each reads it: the steward all, a publisher what was asked of its data, an asker its own', async () => {
    await one(b, eSegment);
    const read = async (org: string) =>
      rows<{ actor_org_id: string; action: string; data_org_ids: string[]; actor_user_id: string | null }>(
        await as(org, `SELECT actor_org_id, action, data_org_ids, actor_user_id FROM crm_pool_ledger($1, NULL, 1000)`, [
          pool,
        ]),
      );
    const { rows: all } = await owner.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pool_ledger WHERE pool_id = $1`,
      [pool],
    );
    expect(await read(a)).toHaveLength(all[0].n);
    const ofE = await read(e);
    expect(ofE.map((row) => row.action).sort()).toEqual(['OVERLAP', 'SHARE']);
    expect(ofE.every((row) => row.data_org_ids.includes(e))).toBe(true);
    const ofB = await read(b);
    expect(ofB.length).toBeGreaterThan(20);
    expect(ofB.every((row) => row.actor_org_id === b)).toBe(true);
    // d, a third member publishing nothing: its own questions, nothing of the others'
    const ofD = await read(d);
    expect(ofD).toHaveLength(3);
    expect(ofD.every((row) => row.actor_org_id === d && row.action === 'OVERLAP')).toBe(true);
  });

  it("the matrix: every pair of the pool's live segments, noisy, suppressed under the effective k", async () => {
    const cells = await ask<{ segment_a: string; segment_b: string; overlap: number | null; min_group_size: number }>(
      d,
      `SELECT * FROM crm_pool_overlap_matrix($1, NULL)`,
      [pool],
    );
    if (!Array.isArray(cells)) throw new Error(JSON.stringify(cells));
    // live: S, S2 (the same 40 people), T (9 of them); the withdrawn and expired shares are left out
    expect(cells.map(({ segment_a, segment_b }) => [segment_a, segment_b])).toEqual([
      [segment, budgetSegment],
      [segment, eSegment],
      [budgetSegment, eSegment],
    ]);
    near(cells[0].overlap, 40);
    expect(cells.slice(1).map((cell) => cell.overlap)).toEqual([null, null]);
    expect(cells.map((cell) => cell.min_group_size)).toEqual([10, 10, 10]);
    // the same matrix again: the same answer
    expect(await ask(d, `SELECT * FROM crm_pool_overlap_matrix($1, NULL)`, [pool])).toEqual(cells);
    const { rows: entries } = await owner.query(
      `SELECT actor_org_id, data_org_ids, segment_ids, outcome FROM pool_ledger
        WHERE pool_id = $1 AND action = 'OVERLAP_MATRIX' ORDER BY seq`,
      [pool],
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor_org_id: d, segment_ids: [segment, budgetSegment, eSegment] });
    expect([...entries[0].data_org_ids].sort()).toEqual([a, e].sort());
    expect(entries[0].outcome).toEqual({
      [`${segment}:${budgetSegment}`]: cells[0].overlap,
      [`${segment}:${eSegment}`]: null,
      [`${budgetSegment}:${eSegment}`]: null,
    });
    // a publisher's own k raises its cells' k
    expect(await as(e, `SELECT crm_pool_set_own_k($1, 20)`, [pool])).toHaveLength(1);
    const raised = await ask<{ min_group_size: number }>(d, `SELECT * FROM crm_pool_overlap_matrix($1, NULL)`, [pool]);
    expect((raised as { min_group_size: number }[]).map((cell) => cell.min_group_size)).toEqual([10, 20, 20]);
    expect(await as(e, `SELECT crm_pool_set_own_k($1, NULL)`, [pool])).toHaveLength(1);
  });
});
