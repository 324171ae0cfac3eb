import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each stored blocking key carries its contact's sort key (issue 17, "keeping up at a million"): the contacts nearest a
 * new one in a large block (a common last name in a big city: thousands at 1,000,000 contacts) are then read from the
 * primary key in sort order, a few dozen rows, instead of the whole block and then every member's sort key. The sort
 * key joins the primary key: a contact's key hashes are distinct, so (org_id, key_hash, contact_id) stays unique.
 */
export class MatchKeysSortKey1765627200000 implements MigrationInterface {
  name = 'MatchKeysSortKey1765627200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contact_match_keys ADD COLUMN sort_key text COLLATE "C" NOT NULL DEFAULT '';
      UPDATE contact_match_keys k SET sort_key = r.sort_key
        FROM contact_match_records r WHERE r.org_id = k.org_id AND r.contact_id = k.contact_id;
      ALTER TABLE contact_match_keys ALTER COLUMN sort_key DROP DEFAULT;
      ALTER TABLE contact_match_keys DROP CONSTRAINT contact_match_keys_pkey;
      ALTER TABLE contact_match_keys ADD PRIMARY KEY (org_id, key_hash, sort_key, contact_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contact_match_keys DROP CONSTRAINT contact_match_keys_pkey;
      ALTER TABLE contact_match_keys ADD PRIMARY KEY (org_id, key_hash, contact_id);
      ALTER TABLE contact_match_keys DROP COLUMN sort_key;
    `);
  }
}
