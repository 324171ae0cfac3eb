import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job run can hold several files (an import keeps its upload and its
 * rejected rows), so files are named; and a run can save its outcome in the
 * transaction that did its work, so a retry after a crash just returns it.
 * crm_jsonb_merge: `||` as an aggregate (later objects win), for imports
 * that merge the rows of one person. And the search tokens lose their
 * foreign key: its check ran once per token (7 per contact), half the cost
 * of inserting a contact; a statement trigger removes a deleted contact's
 * tokens instead.
 */
export class JobFilesByName1764316800000 implements MigrationInterface {
  name = 'JobFilesByName1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE job_files ADD COLUMN name text NOT NULL DEFAULT 'result' CHECK (name ~ '^[a-z][a-z0-9-]*$');
      ALTER TABLE job_files ALTER COLUMN name DROP DEFAULT;
      ALTER TABLE job_files DROP CONSTRAINT job_files_pkey, ADD PRIMARY KEY (org_id, job_run_id, name, seq);
      ALTER TABLE job_runs ADD COLUMN outcome jsonb;
      CREATE AGGREGATE crm_jsonb_merge(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');

      ALTER TABLE contact_search_tokens DROP CONSTRAINT contact_search_tokens_org_id_contact_id_fkey;
      CREATE FUNCTION crm_unindex_deleted_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM contact_search_tokens t USING old_rows o WHERE t.org_id = o.org_id AND t.contact_id = o.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_unindex_deleted_contacts();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER contacts_search_delete ON contacts;
      DROP FUNCTION crm_unindex_deleted_contacts();
      ALTER TABLE contact_search_tokens ADD FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE;
      DROP AGGREGATE crm_jsonb_merge(jsonb);
      ALTER TABLE job_runs DROP COLUMN outcome;
      DELETE FROM job_files WHERE name <> 'result';
      ALTER TABLE job_files DROP CONSTRAINT job_files_pkey, ADD PRIMARY KEY (org_id, job_run_id, seq);
      ALTER TABLE job_files DROP COLUMN name;
    `);
  }
}
