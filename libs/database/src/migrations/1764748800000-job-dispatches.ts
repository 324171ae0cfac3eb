import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a job run needs so that the queue never decides for it.
 *
 * - `job_runs.created_role`: the role its creator acted with (an API key's cap included). A queued job carries only
 *   the organization and the run's id; the processor takes the kind, the params, the creator and the role from this
 *   row (under row-level security), the role lowered to the creator's current membership, if any.
 * - `job_dispatches`: one row per unfinished run (QUEUED or RUNNING), written with the run and deleted by a trigger
 *   when it finishes. The reaper of the processes that run jobs reads it across organizations (ids and times, no
 *   one's data, like audience_sync_requests), then looks at each run in its own tenant: a ready run without a queued
 *   job is queued again (the process died between the commit and the enqueue; a queue lost its jobs), a run whose
 *   job is gone or failed for good is marked FAILED. `queue_prefix` is the QUEUE_PREFIX of the process that queued
 *   it: a reaper looks for jobs in its own queues only (several deployments or test runs may share a database).
 *   `ready` is false while a run is being prepared (an import's upload is being stored): it must not run before;
 *   `watch_from` is when the reaper starts looking (when its job is due; for an upload, when it has surely failed).
 *
 * Runs unfinished before this migration get a row without prefix (any reaper takes them): the backfill runs with
 * row-level security lifted for this transaction (the owner running migrations need not be a superuser).
 */
export class JobDispatches1764748800000 implements MigrationInterface {
  name = 'JobDispatches1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE job_runs ADD COLUMN created_role text;

      CREATE TABLE job_dispatches (
        organization_id uuid NOT NULL,
        job_run_id uuid NOT NULL,
        queue_prefix text,
        ready boolean NOT NULL,
        watch_from timestamptz NOT NULL,
        PRIMARY KEY (organization_id, job_run_id),
        FOREIGN KEY (organization_id, job_run_id) REFERENCES job_runs (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX job_dispatches_watch_idx ON job_dispatches (watch_from);

      CREATE FUNCTION crm_job_run_finished() RETURNS trigger LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
      BEGIN
        DELETE FROM job_dispatches WHERE organization_id = NEW.org_id AND job_run_id = NEW.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER job_runs_finished AFTER UPDATE OF status ON job_runs
        FOR EACH ROW WHEN (NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') AND OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION crm_job_run_finished();

      ALTER TABLE job_runs NO FORCE ROW LEVEL SECURITY;
      INSERT INTO job_dispatches (organization_id, job_run_id, queue_prefix, ready, watch_from)
        SELECT org_id, id, NULL, true, now() FROM job_runs WHERE status IN ('QUEUED', 'RUNNING');
      ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;

      GRANT SELECT, INSERT, UPDATE, DELETE ON job_dispatches TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER job_runs_finished ON job_runs;
      DROP FUNCTION crm_job_run_finished();
      DROP TABLE job_dispatches;
      ALTER TABLE job_runs DROP COLUMN created_role;
    `);
  }
}
