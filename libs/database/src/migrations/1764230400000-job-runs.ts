import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Job runs: what an organization sees of its queued work (status, progress,
 * counts, first errors), kept in PostgreSQL so it survives a Redis restart;
 * and job files: what a job produces for download (exports), in chunks.
 */
export class JobRuns1764230400000 implements MigrationInterface {
  name = 'JobRuns1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_runs (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
        payload jsonb NOT NULL DEFAULT '{}',
        processed bigint NOT NULL DEFAULT 0,
        total bigint,
        counts jsonb NOT NULL DEFAULT '{}',
        errors jsonb NOT NULL DEFAULT '[]',
        attempts int NOT NULL DEFAULT 0,
        cancel_requested boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (org_id, id)
      );
      CREATE INDEX job_runs_created_idx ON job_runs (org_id, created_at DESC, id DESC);

      CREATE TABLE job_files (
        org_id uuid NOT NULL,
        job_run_id uuid NOT NULL,
        seq int NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (org_id, job_run_id, seq),
        FOREIGN KEY (org_id, job_run_id) REFERENCES job_runs (org_id, id) ON DELETE CASCADE
      );
    `);
    for (const table of ['job_runs', 'job_files']) await q.query(enableTenantIsolation(table));
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON job_runs, job_files TO crm_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_files, job_runs`);
  }
}
