import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import pg from 'pg';
import { ContactLookupService, type ContactDuplicates } from '@app/contacts';
import { Tx } from '@app/database';
import { ownerAndAppClients, setTenant } from './support/tenant-claim.js';

/**
 * Lookups by key read the rows of a statement's keys, not the organization's, whatever the statistics say: the
 * triggers that keep contact_activity and consent_states (and the consent records they read), and the external ids an
 * interactions import looks up. Here the statistics say what a shared instance's say: many organizations, a few rows
 * each. One organization then writes thousands of rows in one transaction (an import), and a small statement after
 * them must read a few rows of each table. Plans chosen from those statistics read all of them, for every batch: an
 * import of 40,000 interactions took over 400 s instead of 20 (the crash test, in a full run), and a full run read
 * 15,050 consent records for 5 consents (migration 1765800000000).
 */

const SMALL_ORGS = 40;
const IMPORTED = 3_000;
const LATER = 5;

const { owner, app } = ownerAndAppClients();

/** `count` contacts of the current organization, each with an external id, a ticket and a consent. Their ids. */
async function addContacts(client: pg.Client, org: string, count: number, month: string): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  await client.query(
    `INSERT INTO contacts (org_id, id, first_name, last_name) SELECT $1, id, 'Élise', 'Côté' FROM unnest($2::uuid[]) id`,
    [org, ids],
  );
  await client.query(
    `INSERT INTO contact_external_ids (org_id, source, external_id, contact_id)
     SELECT $1, 'billetterie', id::text, id FROM unnest($2::uuid[]) id`,
    [org, ids],
  );
  await client.query(
    `INSERT INTO interactions (org_id, contact_id, type, occurred_at, discipline, source)
     SELECT $1, id, 'TICKET_PURCHASE', $3::timestamptz, 'théâtre', 'test' FROM unnest($2::uuid[]) id`,
    [org, ids, month],
  );
  await client.query(
    `INSERT INTO consents (org_id, contact_id, purpose, status, legal_basis, source, occurred_at)
     SELECT $1, id, 'EMAIL_MARKETING', 'GRANTED', 'EXPRESS', 'test', $3::timestamptz FROM unnest($2::uuid[]) id`,
    [org, ids, month],
  );
  return ids;
}

/** The index and sequential reads of these tables so far in the current transaction. */
async function reads(client: pg.Client, tables: string[]): Promise<number> {
  const { rows } = await client.query<{ reads: string }>(
    `SELECT sum(coalesce(idx_tup_fetch, 0) + coalesce(seq_tup_read, 0)) AS reads
       FROM pg_stat_xact_user_tables WHERE relname = ANY ($1::text[])`,
    [tables],
  );
  return Number(rows[0].reads);
}

it('statements after an import of thousands, in its transaction, read a few rows of each table they look up by key', async () => {
  for (let i = 0; i < SMALL_ORGS; i++) {
    const org = randomUUID();
    await owner.query(`INSERT INTO organizations (id, name) VALUES ($1::uuid, 'Small ' || $1::text)`, [org]);
    await addContacts(owner, org, 2, '2025-03-10T20:00:00Z');
    await owner.query('SELECT crm_engagement_rebuild($1)', [org]);
  }
  await owner.query('ANALYZE contacts, contact_external_ids, interactions, consents, contact_activity, consent_states');

  const org = randomUUID();
  await owner.query(`INSERT INTO organizations (id, name) VALUES ($1, 'Importing')`, [org]);
  await app.query('BEGIN');
  try {
    await setTenant(app, org);
    await addContacts(app, org, IMPORTED, '2025-04-10T20:00:00Z');
    const kept = ['contact_activity', 'consent_states', 'consents'];
    const before = await reads(app, kept);
    const later = await addContacts(app, org, LATER, '2025-05-10T20:00:00Z');
    // a few per key (each of 3 series, each consent): nothing near the IMPORTED rows already there
    expect((await reads(app, kept)) - before).toBeLessThan(LATER * 20);

    // what an interactions import asks for each batch (the service reads no duplicates for it)
    const lookups = new ContactLookupService(null as unknown as ContactDuplicates);
    const externalIds = later.map((id) => ({ source: 'billetterie', externalId: id }));
    const beforeLookUp = await reads(app, ['contact_external_ids']);
    const found = await lookups.lookUp(new Tx(app as pg.PoolClient), { ids: [], emails: [], externalIds });
    expect([...found.byExternalId.values()].sort()).toEqual([...later].sort());
    expect((await reads(app, ['contact_external_ids'])) - beforeLookUp).toBeLessThan(LATER * 2);

    const { rows } = await app.query<{ series: string; contacts: string }>(
      `SELECT series, count(*) AS contacts FROM contact_activity GROUP BY series ORDER BY series`,
    );
    expect(rows).toEqual(
      ['ACTIVE', 'ALL', 'D:théâtre'].map((series) => ({ series, contacts: String(IMPORTED + LATER) })),
    );
  } finally {
    await app.query('ROLLBACK');
  }
}, 120_000);
