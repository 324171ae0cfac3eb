import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Deduplication: per-organization thresholds and learned match parameters, the candidate pairs a run found (pending
 * review or dismissed), and the merges with what they need to be undone.
 */
export class Dedup1764403200000 implements MigrationInterface {
  name = 'Dedup1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dedup_settings (
        org_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
        auto_merge_threshold double precision,
        review_threshold double precision,
        -- m/u probabilities learned by the last full run (expectation-maximisation); NULL: the documented defaults
        parameters jsonb,
        parameters_learned_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (review_threshold IS NULL OR auto_merge_threshold IS NULL OR review_threshold <= auto_merge_threshold)
      );

      -- A pair of contacts a run scored at or above the review threshold; contact_a < contact_b.
      CREATE TABLE duplicate_candidates (
        org_id uuid NOT NULL,
        contact_a uuid NOT NULL,
        contact_b uuid NOT NULL,
        score double precision NOT NULL,
        evidence jsonb NOT NULL,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DISMISSED')),
        -- the smallest contact id of the pair's connected component among pending pairs, when the run found it
        cluster_id uuid NOT NULL,
        -- what the pair's compared values were when scored: a dismissed pair comes back only when they change
        fingerprint text NOT NULL,
        job_run_id uuid,
        dismissed_by uuid,
        dismissed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, contact_a, contact_b),
        CHECK (contact_a < contact_b),
        FOREIGN KEY (org_id, contact_a) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, contact_b) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX duplicate_candidates_review_idx ON duplicate_candidates (org_id, status, score, contact_a, contact_b);
      CREATE INDEX duplicate_candidates_b_idx ON duplicate_candidates (org_id, contact_b);

      -- One merge: the survivor, the merged contacts (deleted) and everything needed to restore them exactly.
      CREATE TABLE contact_merges (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        survivor_id uuid NOT NULL,
        merged_ids uuid[] NOT NULL,
        field_choices jsonb NOT NULL DEFAULT '{}',
        -- the records before the merge: contact rows, tag links, external ids, consent ids
        before jsonb NOT NULL,
        -- the survivor's values the merge wrote, to tell them from later edits when undoing
        result jsonb NOT NULL,
        score double precision,
        automatic boolean NOT NULL DEFAULT false,
        job_run_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        undone_at timestamptz,
        undone_by uuid,
        PRIMARY KEY (org_id, id)
      );

      -- Which contacts a merge touched, to list a contact's merge history.
      CREATE TABLE contact_merge_contacts (
        org_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        merge_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('SURVIVOR', 'MERGED')),
        PRIMARY KEY (org_id, contact_id, merge_id),
        FOREIGN KEY (org_id, merge_id) REFERENCES contact_merges (org_id, id) ON DELETE CASCADE
      );

      -- A withdrawal a merge added so that the merged person stays withdrawn; undoing the merge removes it.
      ALTER TABLE consents ADD COLUMN merge_id uuid;
    `);
    for (const table of ['dedup_settings', 'duplicate_candidates', 'contact_merges', 'contact_merge_contacts']) {
      await q.query(enableTenantIsolation(table));
    }
    await q.query(`
      GRANT SELECT, INSERT, UPDATE, DELETE ON dedup_settings, duplicate_candidates, contact_merges, contact_merge_contacts TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consents DROP COLUMN merge_id;
      DROP TABLE contact_merge_contacts, contact_merges, duplicate_candidates, dedup_settings;
    `);
  }
}
