import type { MigrationInterface, QueryRunner } from 'typeorm';
import { consentStatesRefresh } from './1765713600000-engagement-activity.js';

/**
 * Lookups by key that only the key's index can serve, whatever the statistics say (issue 18). Under a shared
 * instance's statistics (many organizations, a few rows each) the planner estimates "org_id = x" at one row, so any
 * index starting with org_id ties with the key's own index for a lookup by key, and the tie was lost in full test runs:
 * the lookup then read the organization's every row for each key (15,050 consent records for 5 consents after 3,000).
 *
 * - contact_external_ids: a contact's external ids are found by contact_id alone (a uuid: org_id adds nothing), so
 *   the primary key (org_id, source, external_id) is the only index a lookup by external id can use.
 * - consents: its primary key (org_id, id) must keep org_id, so the refresh asks for a key's records in the order
 *   of consents_contact_idx (org_id, contact_id, purpose, occurred_at DESC) with sorts disabled: through the primary
 *   key they would need a sort, which the planner then avoids.
 */
export class LookupsByKey1765800000000 implements MigrationInterface {
  name = 'LookupsByKey1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX contact_external_ids_contact_idx;
      CREATE INDEX contact_external_ids_contact_idx ON contact_external_ids (contact_id);
      ${consentStatesRefresh(true)}
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX contact_external_ids_contact_idx;
      CREATE INDEX contact_external_ids_contact_idx ON contact_external_ids (org_id, contact_id);
      ${consentStatesRefresh()}
    `);
  }
}
