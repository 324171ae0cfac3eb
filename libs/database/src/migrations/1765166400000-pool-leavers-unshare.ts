import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';

/**
 * An organization that leaves a pool, or that its steward removes, takes its data with it: its live shares in that
 * pool are withdrawn at once (their fingerprints deleted), each written to the sharing ledger as an UNSHARE by
 * whoever ended the membership.
 */
export class PoolLeaversUnshare1765166400000 implements MigrationInterface {
  name = 'PoolLeaversUnshare1765166400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION crm_pool_member_gone() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
        DECLARE
          withdrawn uuid[];
        BEGIN
          -- as crm_pool_unshare: a running sync of the member's segments finishes first
          PERFORM pg_advisory_xact_lock(hashtextextended('crm_pools:' || NEW.org_id::text, 0));
          WITH w AS (
            UPDATE shared_segments SET withdrawn_at = now()
             WHERE org_id = NEW.org_id AND pool_id = NEW.pool_id AND withdrawn_at IS NULL RETURNING id
          )
          SELECT array_agg(id) INTO withdrawn FROM w;
          IF withdrawn IS NOT NULL THEN
            DELETE FROM segment_fingerprints WHERE pool_id = NEW.pool_id AND segment_id = ANY (withdrawn);
            PERFORM crm_pool_log(NEW.pool_id, 'UNSHARE', ARRAY[NEW.org_id], withdrawn, NULL, NULL,
                                 jsonb_build_object('membership', NEW.status), NULL);
          END IF;
          RETURN NULL;
        END $$;
      ALTER FUNCTION crm_pool_member_gone() OWNER TO ${POOL_BROKER_ROLE};
      REVOKE EXECUTE ON FUNCTION crm_pool_member_gone() FROM PUBLIC;
      CREATE TRIGGER pool_members_gone AFTER UPDATE OF status ON pool_members
        FOR EACH ROW WHEN (OLD.status = 'ACTIVE' AND NEW.status IN ('LEFT', 'REMOVED'))
        EXECUTE FUNCTION crm_pool_member_gone();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER pool_members_gone ON pool_members; DROP FUNCTION crm_pool_member_gone();`);
  }
}
