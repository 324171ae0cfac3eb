import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { mulberry32, Rng } from '@app/fixtures';
import { asTenant } from './support/tenant-claim.js';

/** Enough that chance stays well under the bound: the accuracy's standard error is about 0.028. */
const TRIALS = 320;
/** The pool's secret, fixed: the noise (seeded by it) and so the outcome are the same on every run. */
const SECRET = Buffer.alloc(32, 0x5a);

interface Shown {
  overlap: number | null;
  new_reach: number | null;
}

/**
 * The differencing attack of issue 15 ("Disclosure control"), as the application role: a member that holds a person x
 * (the same email as at the publisher) asks whether x is in the publisher's shared segment by comparing two answers:
 * (a) the overlap with two of its own audiences that differ by x alone; (b) the overlap with all its contacts before
 * and after it adds x. Over many trials, x is in a fresh segment (its own budget) with probability 1/2, and the
 * attacker guesses "in" when the answer grew. Against the raw counts (computed here as the owner) the attack is always
 * right; against what crm_pool_overlap shows (seeded noise, rounding, the same seed for the same sets only) it must do
 * no better than chance.
 */
describe('the differencing attack on segmentOverlap', () => {
  let owner: pg.Client;
  let app: pg.Client;
  const publisher = randomUUID();
  const attacker = randomUUID();
  let pool: string;
  const heldBase: string[] = [];
  const publishedBase: string[] = [];

  const as = async <T>(org: string, sql: string, params: unknown[] = []): Promise<T[]> => {
    const result = await asTenant<T>(app, org, sql, params);
    if (!Array.isArray(result)) throw new Error(`${result.code}: ${result.message}`);
    return result;
  };
  const contact = async (org: string, email: string) =>
    (
      await owner.query<{ id: string }>(`INSERT INTO contacts (org_id, email) VALUES ($1, $2) RETURNING id`, [
        org,
        email,
      ])
    ).rows[0].id;
  const audience = async (org: string, contacts: string[]) => {
    const id = randomUUID();
    await owner.query(`INSERT INTO audiences (org_id, id, name, kind) VALUES ($1, $2, $3, 'STATIC')`, [org, id, id]);
    await owner.query(
      `INSERT INTO audience_members (org_id, audience_id, contact_id) SELECT $1, $2, unnest($3::uuid[])`,
      [org, id, contacts],
    );
    return id;
  };
  /** What the attacker is shown. */
  const shown = async (segment: string, audienceId: string | null) =>
    (
      await as<Shown>(attacker, `SELECT overlap, new_reach FROM crm_pool_overlap($1, $2, NULL)`, [segment, audienceId])
    )[0];
  /** The raw overlap of the same question (the owner, with the secret): what the noise hides. */
  const raw = async (segment: string, audienceId: string | null) =>
    (
      await owner.query<{ n: number }>(
        `SELECT count(DISTINCT f.contact_id)::int AS n FROM segment_fingerprints f
          WHERE f.segment_id = $1 AND f.fingerprint IN (
            SELECT hmac(convert_to(c.email, 'UTF8'), $3, 'sha256') FROM contacts c
             WHERE c.org_id = $2 AND ($4::uuid IS NULL OR c.id IN (
               SELECT contact_id FROM audience_members WHERE org_id = $2 AND audience_id = $4)))`,
        [segment, attacker, SECRET, audienceId],
      )
    ).rows[0].n;

  beforeAll(async () => {
    owner = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    app = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await owner.connect();
    await app.connect();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Diffuseur'), ($2, 'Curieux')`, [
      publisher,
      attacker,
    ]);
    pool = (
      await as<{ id: string }>(
        publisher,
        `SELECT crm_pool_create('Différences', NULL, '{AUDIENCE_RESEARCH}', 5, NULL) AS id`,
      )
    )[0].id;
    await owner.query(`UPDATE pool_secrets SET secret = $2 WHERE pool_id = $1`, [pool, SECRET]);
    await as(publisher, `SELECT crm_pool_invite($1, $2)`, [pool, attacker]);
    await as(attacker, `SELECT crm_pool_accept($1, NULL)`, [pool]);
    // 30 people at the publisher, 20 of them held by the attacker too: every overlap is well above k
    for (let i = 0; i < 30; i++) {
      publishedBase.push(await contact(publisher, `base${i}@differencing.example`));
      if (i < 20) heldBase.push(await contact(attacker, `base${i}@differencing.example`));
    }
  });
  afterAll(async () => {
    await owner.end();
    await app.end();
  });

  it('does no better than chance against the shown counts, and always wins against the raw ones', async () => {
    const rng = new Rng(mulberry32(15));
    const right = { a: 0, b: 0, both: 0, rawA: 0, rawB: 0 };
    for (let t = 0; t < TRIALS; t++) {
      const inSegment = rng.chance(0.5);
      // the publisher holds x; a fresh segment (its own budget): the base, someone only it holds, and x or not
      const x = `x${t}@differencing.example`;
      const xAtPublisher = await contact(publisher, x);
      const filler = await contact(publisher, `filler${t}@differencing.example`);
      const members = [...publishedBase, filler, ...(inSegment ? [xAtPublisher] : [])];
      const segment = (
        await as<{ id: string }>(
          publisher,
          `SELECT crm_pool_share($1, $2, 'AUDIENCE_RESEARCH', NULL, NULL, NULL) AS id`,
          [await audience(publisher, members), pool],
        )
      )[0].id;

      // (b) all my contacts, before and after adding x
      const before = await shown(segment, null);
      const rawBefore = await raw(segment, null);
      const xHeld = await contact(attacker, x);
      const after = await shown(segment, null);
      const rawAfter = await raw(segment, null);
      // (a) two audiences differing by x alone (and someone only the attacker holds, to make them its own question)
      const stranger = await contact(attacker, `stranger${t}@differencing.example`);
      const without = await audience(attacker, [...heldBase, stranger]);
      const withX = await audience(attacker, [...heldBase, stranger, xHeld]);
      const one = await shown(segment, without);
      const two = await shown(segment, withX);

      const grew = (first: Shown, second: Shown) => (second.overlap ?? 0) > (first.overlap ?? 0);
      // the best use of both counts: the overlap grows by one and the new reach shrinks by one when x is in
      const score = (first: Shown, second: Shown) =>
        (second.overlap ?? 0) - (first.overlap ?? 0) - ((second.new_reach ?? 0) - (first.new_reach ?? 0));
      if (grew(one, two) === inSegment) right.a++;
      if (grew(before, after) === inSegment) right.b++;
      if (score(one, two) + score(before, after) > 0 === inSegment) right.both++;
      if (rawAfter > rawBefore === inSegment) right.rawB++;
      if ((await raw(segment, withX)) > (await raw(segment, without)) === inSegment) right.rawA++;
    }
    // the raw counts give x away every time: the defence, not the data, is what stops the attack
    expect(right.rawA / TRIALS).toBe(1);
    expect(right.rawB / TRIALS).toBe(1);
    for (const accuracy of [right.a, right.b, right.both].map((n) => n / TRIALS)) {
      expect(accuracy).toBeLessThan(0.6);
      expect(accuracy).toBeGreaterThan(0.4);
    }
  }, 180_000);
});
