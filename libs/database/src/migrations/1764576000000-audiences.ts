import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Audiences: their definition, their materialized members, their size over time, and what keeps dynamic ones current.
 * Statement triggers on the tables a rule reads note the contacts each write touched (when the organization has a
 * dynamic audience) and notify the workers, which re-evaluate the rules on those contacts only.
 */
export class Audiences1764576000000 implements MigrationInterface {
  name = 'Audiences1764576000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audiences (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        name text NOT NULL CHECK (length(trim(name)) > 0),
        description text,
        kind text NOT NULL CHECK (kind IN ('DYNAMIC', 'STATIC')),
        -- the rule as given (AudienceRuleInput), for DYNAMIC audiences
        rule jsonb,
        -- the audiences its rule names, and whether it reads the clock ("in the last 30 days")
        depends_on uuid[] NOT NULL DEFAULT '{}',
        time_relative boolean NOT NULL DEFAULT false,
        -- the rule version its members reflect; behind rule_version while a refresh is pending
        rule_version int NOT NULL DEFAULT 1,
        materialized_version int NOT NULL DEFAULT 0,
        refreshed_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        CHECK ((kind = 'DYNAMIC') = (rule IS NOT NULL))
      );
      -- "Abonnés" and "abonnés" are one name
      CREATE UNIQUE INDEX audiences_name_idx ON audiences (org_id, lower(name));

      CREATE TABLE audience_members (
        org_id uuid NOT NULL,
        audience_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, audience_id, contact_id),
        FOREIGN KEY (org_id, audience_id) REFERENCES audiences (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX audience_members_contact_idx ON audience_members (org_id, contact_id);

      -- One row per refresh that changed something (and per full refresh): audience.sizeHistory.
      CREATE TABLE audience_refreshes (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        audience_id uuid NOT NULL,
        reason text NOT NULL,
        size int NOT NULL,
        entered int NOT NULL,
        left_count int NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, audience_id) REFERENCES audiences (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX audience_refreshes_audience_idx ON audience_refreshes (org_id, audience_id, at);

      -- Contacts whose data changed since the last sync of the organization's dynamic audiences. A log, not a set: a
      -- writer never waits for a sync that is taking the rows (a unique key would make it wait, and a merge holding
      -- contact locks while the sync wants them would deadlock), and a sync takes only the rows its snapshot sees.
      CREATE TABLE audience_pending_contacts (
        org_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        contact_id uuid NOT NULL,
        PRIMARY KEY (org_id, seq)
      );

      -- Which organizations have pending changes: read across organizations by the workers when they start (a
      -- notification sent while none listened is not lost). Organization ids only, no one's data.
      CREATE TABLE audience_sync_requests (
        organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
        requested_at timestamptz NOT NULL DEFAULT now()
      );

      -- "is a sync (or a daily refresh) already waiting?", asked at each change
      CREATE INDEX job_runs_queued_idx ON job_runs (org_id, kind) WHERE status = 'QUEUED';

      CREATE FUNCTION crm_note_audience_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        org uuid := crm_current_org();
        noted bigint;
      BEGIN
        -- the owner's bulk work without a tenant, and organizations without a dynamic audience, have nothing to keep
        IF org IS NULL OR NOT EXISTS (SELECT 1 FROM audiences WHERE org_id = org AND kind = 'DYNAMIC') THEN
          RETURN NULL;
        END IF;
        IF TG_TABLE_NAME = 'contacts' THEN
          INSERT INTO audience_pending_contacts (org_id, contact_id) SELECT DISTINCT org_id, id FROM new_rows;
        ELSIF TG_TABLE_NAME = 'audience_members' THEN
          -- a static list's changes matter to the rules that name it
          INSERT INTO audience_pending_contacts (org_id, contact_id)
            SELECT DISTINCT r.org_id, r.contact_id FROM changed_rows r JOIN audiences a ON a.org_id = r.org_id AND a.id = r.audience_id
             WHERE a.kind = 'STATIC';
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO audience_pending_contacts (org_id, contact_id)
            SELECT org_id, contact_id FROM new_rows UNION SELECT org_id, contact_id FROM old_rows;
        ELSE
          INSERT INTO audience_pending_contacts (org_id, contact_id)
            SELECT DISTINCT org_id, contact_id FROM changed_rows;
        END IF;
        -- nothing noted (a dynamic audience's own refresh): no request, so a sync never wakes itself
        GET DIAGNOSTICS noted = ROW_COUNT;
        IF noted = 0 THEN RETURN NULL; END IF;
        INSERT INTO audience_sync_requests (organization_id) VALUES (org) ON CONFLICT DO NOTHING;
        PERFORM pg_notify('crm_audience_changes', org::text);
        RETURN NULL;
      END $$;

      CREATE TRIGGER contacts_audience_insert AFTER INSERT ON contacts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_audience_changes();
      CREATE TRIGGER contacts_audience_update AFTER UPDATE ON contacts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_audience_changes();
    `);
    // contact_id tables: inserts and deletes; updates where a merge moves rows between contacts
    for (const table of ['contact_tags', 'consents', 'interactions', 'audience_members']) {
      await q.query(`
        CREATE TRIGGER ${table}_audience_insert AFTER INSERT ON ${table}
          REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_audience_changes();
        CREATE TRIGGER ${table}_audience_delete AFTER DELETE ON ${table}
          REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_audience_changes();
      `);
    }
    for (const table of ['consents', 'interactions']) {
      await q.query(`
        CREATE TRIGGER ${table}_audience_update AFTER UPDATE ON ${table}
          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_audience_changes();
      `);
    }
    for (const table of ['audiences', 'audience_members', 'audience_refreshes', 'audience_pending_contacts']) {
      await q.query(enableTenantIsolation(table));
    }
    await q.query(`
      GRANT SELECT, INSERT, UPDATE, DELETE ON audiences, audience_members, audience_refreshes, audience_pending_contacts,
                                              audience_sync_requests TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER contacts_audience_insert ON contacts;
      DROP TRIGGER contacts_audience_update ON contacts;
      DROP TRIGGER contact_tags_audience_insert ON contact_tags;
      DROP TRIGGER contact_tags_audience_delete ON contact_tags;
      DROP TRIGGER consents_audience_insert ON consents;
      DROP TRIGGER consents_audience_delete ON consents;
      DROP TRIGGER consents_audience_update ON consents;
      DROP TRIGGER interactions_audience_insert ON interactions;
      DROP TRIGGER interactions_audience_delete ON interactions;
      DROP TRIGGER interactions_audience_update ON interactions;
      DROP TABLE audience_sync_requests, audience_pending_contacts, audience_refreshes, audience_members, audiences;
      DROP FUNCTION crm_note_audience_changes();
      DROP INDEX job_runs_queued_idx;
    `);
  }
}
