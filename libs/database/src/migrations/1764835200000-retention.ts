import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal data does not outlive its contact, nor its purpose.
 *
 * - A deleted contact takes its merges with it: contact_merges keeps whole contact rows (`before`) and the survivor's
 *   values (`result`), and contact_merge_contacts its id. A trigger deletes the merges of a deleted contact and of the
 *   contacts merged into it (their data lives on in it), following merges that hold. The contacts a merge deletes
 *   are not forgotten: the merge that absorbs them is written before they are deleted, and it holds.
 *   Candidate pairs and dismissals (duplicate_candidates), audience memberships, interactions, consents, tags and
 *   external ids already go by their foreign keys; audience_refreshes keep counts only.
 * - Merge snapshots expire (RETENTION_DAYS_MERGE_UNDO): `before` and `result` become NULL and the merge can no longer
 *   be undone. Partial indexes keep the periodic purge to the rows it still has to expire.
 * - The purge runs in each organization's tenant. The application role cannot list organizations (row-level
 *   security), so crm_organization_ids() does it for it: ids only, as the owner, who may read them (a policy for the
 *   owner alone: FORCEd row-level security binds the owner too, unless it is a superuser).
 */
export class Retention1764835200000 implements MigrationInterface {
  name = 'Retention1764835200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contact_merges ALTER COLUMN before DROP NOT NULL, ALTER COLUMN result DROP NOT NULL;
      CREATE INDEX contact_merges_undoable_idx ON contact_merges (org_id, created_at) WHERE before IS NOT NULL;
      CREATE INDEX job_runs_errors_kept_idx ON job_runs (org_id, finished_at) WHERE errors <> '[]'::jsonb;

      CREATE FUNCTION crm_forget_deleted_contacts() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        org uuid := crm_current_org();
      BEGIN
        -- the owner's bulk work without a tenant (an organization deleted whole) sees no merge and needs none of this
        IF org IS NULL OR NOT EXISTS (SELECT 1 FROM contact_merges WHERE org_id = org) THEN
          RETURN NULL;
        END IF;
        WITH RECURSIVE gone (id) AS (
            -- deleted, not absorbed by a merge that holds
            SELECT o.id FROM old_rows o
             WHERE o.org_id = org AND NOT EXISTS (
               SELECT 1 FROM contact_merge_contacts mc JOIN contact_merges m ON m.org_id = mc.org_id AND m.id = mc.merge_id
                WHERE mc.org_id = org AND mc.contact_id = o.id AND mc.role = 'MERGED' AND m.undone_at IS NULL)
          UNION
            -- the contacts merged into a gone one
            SELECT unnest(m.merged_ids) FROM gone g
              JOIN contact_merge_contacts mc ON mc.org_id = org AND mc.contact_id = g.id AND mc.role = 'SURVIVOR'
              JOIN contact_merges m ON m.org_id = mc.org_id AND m.id = mc.merge_id AND m.undone_at IS NULL
        )
        DELETE FROM contact_merges m USING contact_merge_contacts mc
         WHERE mc.org_id = org AND mc.contact_id IN (SELECT id FROM gone) AND m.org_id = mc.org_id AND m.id = mc.merge_id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER contacts_forget_merges AFTER DELETE ON contacts
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_forget_deleted_contacts();

      CREATE POLICY retention_owner_lists ON organizations FOR SELECT TO CURRENT_USER USING (true);
      CREATE FUNCTION crm_organization_ids() RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
        AS $$ SELECT id FROM public.organizations ORDER BY id $$;
      REVOKE ALL ON FUNCTION crm_organization_ids() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION crm_organization_ids() TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION crm_organization_ids();
      DROP POLICY retention_owner_lists ON organizations;
      DROP TRIGGER contacts_forget_merges ON contacts;
      DROP FUNCTION crm_forget_deleted_contacts();
      DROP INDEX job_runs_errors_kept_idx;
      DROP INDEX contact_merges_undoable_idx;
      -- expired snapshots cannot come back: those merges go
      DELETE FROM contact_merges WHERE before IS NULL OR result IS NULL;
      ALTER TABLE contact_merges ALTER COLUMN before SET NOT NULL, ALTER COLUMN result SET NOT NULL;
    `);
  }
}
