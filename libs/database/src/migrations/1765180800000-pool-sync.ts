import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp`;

/**
 * For a DELETE: the contact still exists (a deleted contact's memberships and consents go with it, and so do its
 * fingerprints, by foreign key: nothing to note).
 */
const STILL_THERE = (org: string, contact: string) =>
  `(TG_OP = 'INSERT' OR EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = ${org} AND c.id = ${contact}))`;

/** A share that counts: not withdrawn, not expired (as in the shared-segments migration). */
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/** The contact (`org`, `contact`: SQL expressions) is a member of an audience that has a live share. */
const SHARED = (org: string, contact: string) =>
  `EXISTS (SELECT 1 FROM audience_members am JOIN shared_segments s ON s.org_id = am.org_id AND s.audience_id = am.audience_id
            WHERE am.org_id = ${org} AND am.contact_id = ${contact} AND ${LIVE('s')})`;

/**
 * Shared segments stay current by queued job (issue 15), as audiences do: statement triggers note the contacts whose
 * fingerprints may have changed in `pool_pending_contacts` (only when the organization has a live share concerned),
 * request a sync in `pool_sync_requests` and NOTIFY `crm_pool_changes`; the pools' listener queues one
 * `pools.sync-segments` per organization, which recomputes those contacts' fingerprints through the broker
 * (`crm_pool_contacts_refresh`) and deletes those of expired shares (`crm_pool_expire_shares`, new here).
 *
 * What is noted: audience_members inserted or deleted for an audience with a live share (a dynamic audience's sync, a
 * static list's additions and removals, a merge's list moves); contacts whose email or phone changed while in such an
 * audience; PARTNER_SHARING consents recorded (or deleted by a merge's undo) for such a contact. This replaces the
 * synchronous `consents_reach_pools` trigger. A deleted contact still leaves at once (foreign key).
 *
 * `crm_pool_unshare` and a member's departure take the organization's pool lock (`crm_pools:<org>`, the pool-ledger
 * and pool-leavers migrations), as the sync job does, so a sync running at that moment cannot write fingerprints of a
 * share after its withdrawal deleted them.
 */
export class PoolSync1765180800000 implements MigrationInterface {
  name = 'PoolSync1765180800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER consents_reach_pools ON consents;
      DROP FUNCTION crm_consents_reach_pools();

      -- Contacts whose fingerprints may have changed since the organization's last pool sync. A log, not a set, for
      -- the reasons audience_pending_contacts is one (a writer never waits for the sync that takes the rows).
      CREATE TABLE pool_pending_contacts (
        org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        contact_id uuid NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
      ALTER TABLE pool_pending_contacts ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_pending_contacts FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON pool_pending_contacts
        USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});

      -- Which organizations have pool changes waiting: read across organizations by the listener when it (re)connects.
      -- Organization ids only, no one's data.
      CREATE TABLE pool_sync_requests (
        organization_id uuid PRIMARY KEY REFERENCES organizations ON DELETE CASCADE,
        requested_at timestamptz NOT NULL DEFAULT now()
      );

      GRANT SELECT, INSERT, DELETE ON pool_pending_contacts, pool_sync_requests TO crm_app;

      CREATE FUNCTION crm_note_pool_changes() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        org uuid := crm_current_org();
        noted bigint;
      BEGIN
        -- the owner's bulk work without a tenant, and organizations without a live share, have nothing to keep
        IF org IS NULL OR NOT EXISTS (SELECT 1 FROM shared_segments s WHERE s.org_id = org AND ${LIVE('s')}) THEN
          RETURN NULL;
        END IF;
        IF TG_TABLE_NAME = 'audience_members' THEN
          INSERT INTO pool_pending_contacts (org_id, contact_id)
            SELECT DISTINCT r.org_id, r.contact_id FROM changed_rows r
             WHERE r.org_id = org
               AND EXISTS (SELECT 1 FROM shared_segments s WHERE s.org_id = r.org_id AND s.audience_id = r.audience_id
                                                             AND ${LIVE('s')})
               AND ${STILL_THERE('r.org_id', 'r.contact_id')};
        ELSIF TG_TABLE_NAME = 'contacts' THEN
          -- what is fingerprinted: the email and the phone
          INSERT INTO pool_pending_contacts (org_id, contact_id)
            SELECT n.org_id, n.id FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.id = n.id
             WHERE n.org_id = org AND (n.email IS DISTINCT FROM o.email OR n.phone IS DISTINCT FROM o.phone)
               AND ${SHARED('n.org_id', 'n.id')};
        ELSE
          -- consents: PARTNER_SHARING decides whether a person is fingerprinted, and whether revealable
          INSERT INTO pool_pending_contacts (org_id, contact_id)
            SELECT DISTINCT r.org_id, r.contact_id FROM changed_rows r
             WHERE r.org_id = org AND r.purpose = 'PARTNER_SHARING' AND ${SHARED('r.org_id', 'r.contact_id')}
               AND ${STILL_THERE('r.org_id', 'r.contact_id')};
        END IF;
        GET DIAGNOSTICS noted = ROW_COUNT;
        IF noted = 0 THEN RETURN NULL; END IF;
        INSERT INTO pool_sync_requests (organization_id) VALUES (org) ON CONFLICT DO NOTHING;
        PERFORM pg_notify('crm_pool_changes', org::text);
        RETURN NULL;
      END $$;

      CREATE TRIGGER audience_members_pool_insert AFTER INSERT ON audience_members
        REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_pool_changes();
      CREATE TRIGGER audience_members_pool_delete AFTER DELETE ON audience_members
        REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_pool_changes();
      CREATE TRIGGER contacts_pool_update AFTER UPDATE ON contacts
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_pool_changes();
      CREATE TRIGGER consents_pool_insert AFTER INSERT ON consents
        REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_pool_changes();
      -- a merge's undo deletes the consents it carried to the survivor
      CREATE TRIGGER consents_pool_delete AFTER DELETE ON consents
        REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_note_pool_changes();
    `);
    await q.query(FUNCTIONS);
    await q.query(`
      ALTER FUNCTION crm_pool_expire_shares() OWNER TO ${POOL_BROKER_ROLE};
      REVOKE EXECUTE ON FUNCTION crm_pool_expire_shares() FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION crm_pool_expire_shares() TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION crm_pool_expire_shares();
      DROP TRIGGER audience_members_pool_insert ON audience_members;
      DROP TRIGGER audience_members_pool_delete ON audience_members;
      DROP TRIGGER contacts_pool_update ON contacts;
      DROP TRIGGER consents_pool_insert ON consents;
      DROP TRIGGER consents_pool_delete ON consents;
      DROP FUNCTION crm_note_pool_changes();
      DROP TABLE pool_sync_requests, pool_pending_contacts;
    `);
    // the synchronous trigger of the shared-segments migration, as it was
    await q.query(`
      CREATE FUNCTION crm_consents_reach_pools() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
        DECLARE
          changed uuid[];
        BEGIN
          IF crm_current_org() IS NULL OR NOT crm_tenant_verified() THEN
            RETURN NULL;
          END IF;
          changed := ARRAY(SELECT DISTINCT contact_id FROM new_consents WHERE purpose = 'PARTNER_SHARING');
          IF cardinality(changed) > 0 AND EXISTS (SELECT 1 FROM shared_segments WHERE org_id = crm_current_org()) THEN
            PERFORM crm_pool_contacts_refresh(changed);
          END IF;
          RETURN NULL;
        END $$;
      CREATE TRIGGER consents_reach_pools AFTER INSERT ON consents REFERENCING NEW TABLE AS new_consents
        FOR EACH STATEMENT EXECUTE FUNCTION crm_consents_reach_pools();
    `);
  }
}

const FUNCTIONS = `
  -- Deletes the fingerprints of the caller's shares that are no longer live (expired; withdrawn ones have none left
  -- unless a sync raced the withdrawal). The pools.sync-segments job calls it, and is queued for each share's expiry.
  -- Returns how many fingerprints it deleted.
  CREATE FUNCTION crm_pool_expire_shares() RETURNS int
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      n int;
    BEGIN
      DELETE FROM segment_fingerprints f USING shared_segments s
       WHERE s.org_id = org AND NOT (${LIVE('s')}) AND f.pool_id = s.pool_id AND f.segment_id = s.id;
      GET DIAGNOSTICS n = ROW_COUNT;
      RETURN n;
    END $$;
`;
