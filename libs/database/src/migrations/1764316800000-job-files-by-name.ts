import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job run can hold several files (an import keeps its upload and its
 * rejected rows), so files are named; and a run can save its outcome in the
 * transaction that did its work, so a retry after a crash just returns it.
 * crm_jsonb_merge: `||` as an aggregate (later objects win), for imports
 * that merge the rows of one person.
 *
 * Writing contacts in bulk cost ~250 µs each at a million (measured on the
 * import benchmark), nearly all of it index entries:
 * - 7 search tokens per contact, each in two indexes and checked against a
 *   foreign key: the tokens keep only their primary key (a changed or deleted
 *   contact's old tokens are recomputed from its old search text and deleted
 *   by key), and are inserted in key order, deduplicated per contact rather
 *   than by one hash over all tokens (at 1M contacts: 88 s -> 35 s);
 * - random uuids scatter primary-key inserts over the whole index: new
 *   contacts get time-ordered ids (UUID version 7 layout; 46 s -> 32 s);
 * - the GIN index on attributes served no filter (they use ->> and ?, which
 *   jsonb_path_ops cannot, and RLS would keep @> off it anyway).
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
      DROP INDEX contact_search_tokens_contact_idx;
      DROP INDEX contacts_attributes_idx;
      -- (transition tables exist only for their event: each branch names only its own)
      CREATE OR REPLACE FUNCTION crm_index_contact_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO contact_search_tokens (org_id, token, contact_id)
            SELECT n.org_id, w.word, n.id
              FROM new_rows n, LATERAL (SELECT DISTINCT word FROM regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word WHERE word <> '') w
             ORDER BY 1, 2, 3;
        ELSIF TG_OP = 'DELETE' THEN
          DELETE FROM contact_search_tokens t
           USING (SELECT DISTINCT o.org_id, word, o.id FROM old_rows o, regexp_split_to_table(o.search_text, '[^a-z0-9]+') AS word WHERE word <> '')
                 AS gone (org_id, token, contact_id)
           WHERE t.org_id = gone.org_id AND t.token = gone.token AND t.contact_id = gone.contact_id;
        ELSE
          DELETE FROM contact_search_tokens t
           USING (SELECT DISTINCT o.org_id, word, o.id
                    FROM old_rows o JOIN new_rows n ON n.org_id = o.org_id AND n.id = o.id,
                         regexp_split_to_table(o.search_text, '[^a-z0-9]+') AS word
                   WHERE word <> '' AND n.search_text IS DISTINCT FROM o.search_text) AS gone (org_id, token, contact_id)
           WHERE t.org_id = gone.org_id AND t.token = gone.token AND t.contact_id = gone.contact_id;
          INSERT INTO contact_search_tokens (org_id, token, contact_id)
            SELECT DISTINCT n.org_id, word, n.id
              FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.id = n.id,
                   regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word
             WHERE word <> '' AND n.search_text IS DISTINCT FROM o.search_text;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_index_contact_search();

      -- 48 bits of milliseconds, then version 7 and random bits (PostgreSQL 18's uuidv7(), on 15 too)
      CREATE FUNCTION crm_uuidv7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
        SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                 PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
      $$;
      ALTER TABLE contacts ALTER COLUMN id SET DEFAULT crm_uuidv7();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      -- crm_index_contact_search() as changed here works with the old tables too
      ALTER TABLE contacts ALTER COLUMN id SET DEFAULT gen_random_uuid();
      DROP FUNCTION crm_uuidv7();
      DROP TRIGGER contacts_search_delete ON contacts;
      CREATE INDEX contacts_attributes_idx ON contacts USING gin (attributes jsonb_path_ops);
      CREATE INDEX contact_search_tokens_contact_idx ON contact_search_tokens (org_id, contact_id);
      ALTER TABLE contact_search_tokens ADD FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE;
      DROP AGGREGATE crm_jsonb_merge(jsonb);
      ALTER TABLE job_runs DROP COLUMN outcome;
      DELETE FROM job_files WHERE name <> 'result';
      ALTER TABLE job_files DROP CONSTRAINT job_files_pkey, ADD PRIMARY KEY (org_id, job_run_id, seq);
      ALTER TABLE job_files DROP COLUMN name;
    `);
  }
}
