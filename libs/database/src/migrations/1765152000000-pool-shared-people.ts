import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';

/** The publisher's tables the pools' functions read, for people fingerprinted in a shared segment only. */
const SHARED_PEOPLE_TABLES = [
  { table: 'contacts', contact: 'id' },
  { table: 'consents', contact: 'contact_id' },
  { table: 'interactions', contact: 'contact_id' },
];

/**
 * What the pools' functions may read of a publisher's own tables under another member's claim: the rows of people
 * fingerprinted in one of its shared segments, nothing else (a broker policy, SELECT only). The functions that read
 * them answer aggregates with k and noise (a segment's breakdown, benchmarks) or copy a revealable person into an
 * approved reveal; crm_app's own policies are unchanged.
 */
export class PoolSharedPeople1765152000000 implements MigrationInterface {
  name = 'PoolSharedPeople1765152000000';

  async up(q: QueryRunner): Promise<void> {
    for (const { table, contact } of SHARED_PEOPLE_TABLES) {
      await q.query(`
        GRANT SELECT ON ${table} TO ${POOL_BROKER_ROLE};
        CREATE POLICY pool_broker_shared ON ${table} FOR SELECT TO ${POOL_BROKER_ROLE}
          USING ((SELECT crm_tenant_verified()) AND EXISTS (
            SELECT 1 FROM segment_fingerprints f WHERE f.publisher_org_id = ${table}.org_id AND f.contact_id = ${table}.${contact}));
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const { table } of SHARED_PEOPLE_TABLES) await q.query(`DROP POLICY pool_broker_shared ON ${table}`);
    await q.query(`REVOKE SELECT ON interactions FROM ${POOL_BROKER_ROLE}`);
  }
}
