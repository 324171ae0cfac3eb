import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job run can hold several files (an import keeps its upload and its
 * rejected rows), so files are named; and a run can save its outcome in the
 * transaction that did its work, so a retry after a crash just returns it.
 * crm_jsonb_merge: `||` as an aggregate (later objects win), for imports
 * that merge the rows of one person.
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
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP AGGREGATE crm_jsonb_merge(jsonb);
      ALTER TABLE job_runs DROP COLUMN outcome;
      DELETE FROM job_files WHERE name <> 'result';
      ALTER TABLE job_files DROP CONSTRAINT job_files_pkey, ADD PRIMARY KEY (org_id, job_run_id, seq);
      ALTER TABLE job_files DROP COLUMN name;
    `);
  }
}
