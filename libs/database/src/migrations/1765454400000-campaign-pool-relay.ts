import type { MigrationInterface, QueryRunner } from 'typeorm';
import { consentStateSql } from '../../../contacts/src/consent/consent-state.sql.js';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';
import { POOL_LEDGER_ACTIONS } from './1765137600000-pool-ledger.js';

const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp`;
const PATH = `SET search_path = pg_catalog, public, pg_temp`;

/** A share that counts: not withdrawn, not expired (as in the shared-segments migration). */
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/** The ledger's actions, with the two of cross-promotion: a sender's preview of a share, and a relay's send. */
export const CROSS_PROMOTION_LEDGER_ACTIONS = ['CROSS_PROMOTION_PREVIEW', 'CROSS_PROMOTION_SEND'] as const;

/** The snapshot job's name (libs/jobs JobName.CAMPAIGN_SNAPSHOT): the relay's run is one of them, in the publisher's tenant. */
const SNAPSHOT_JOB = 'campaigns.snapshot';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Cross-promotion through a pool (issue 16, "promoting to a pool's shared segment, without transfer"): a campaign of
 * the sender S addresses a live share of the publisher P whose purpose is CROSS_PROMOTION; S never learns who gets it.
 *
 * - `campaigns.shared_segment_id`: on S's campaign, the share it targets (instead of audiences); on P's relay, the
 *   share it serves. `relay_of_org_id`, `relay_of_campaign_id`, `relay_of_name`: on P's relay only, whose campaign it
 *   relays (ids and S's name as it was); `relay_sender`: S's sender identity copied (the From, the CASL footer) with
 *   P's name (`relayedBy`, for the footer's "why you get this").
 * - When S's campaign goes out, S's snapshot job calls `crm_campaign_relay_handoff` (S's claim): it checks the share,
 *   both memberships and the pool, then writes P's relay (SCHEDULED, S's content and sender copied) and a job run of
 *   P for its snapshot (`campaigns.snapshot`, no creator: the system's run in P's tenant, as a reveal's copy is), and
 *   its dispatch row for the reaper; S's process then queues that run. Nothing else of P is written under S's claim.
 * - P's snapshot job (P's claim) calls `crm_campaign_relay_begin` (the same checks, again, locking what it checks:
 *   S leaving or the share withdrawn before this stops the relay), takes the recipients in P's tenant by P's rules
 *   (the share's audience, PARTNER_SHARING granted, the email rules and P's frequency cap), then
 *   `crm_campaign_relay_taken` writes the send to the ledger: actor S (who asked for it), data P, the recipients as
 *   every cross-organization count is shown (k, noise), so that both read it in poolLedger.
 * - `crm_campaign_relay_preview` (S): how many of P's people the campaign would reach, noisy, NULL under k; a
 *   question about P's data, so budgeted and ledgered (CROSS_PROMOTION_PREVIEW) as the pools' other questions are.
 *   It reads P's people through the fingerprints (pool_broker_shared), and leaves out P's frequency cap (campaign
 *   messages are not the broker's to read): an upper bound, rounded and noisy anyway.
 * - `crm_campaign_relay_stats` (S): the relay's status and figures, each noisy and NULL under k, seeded by the figure
 *   and its exact value (asking again tells nothing new). Not ledgered: S's own campaign, read as often as wanted.
 *
 * Broker policies, each for S's relays only (relay_of_org_id = the claim's organization): read P's relay rows and
 * their messages, insert the relay; insert P's snapshot run of a relay of S's; insert the ledger line of a send of
 * P's relay under P's claim with S as its actor.
 */
export class CampaignPoolRelay1765454400000 implements MigrationInterface {
  name = 'CampaignPoolRelay1765454400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns
        ADD COLUMN shared_segment_id uuid,
        ADD COLUMN relay_of_org_id uuid REFERENCES organizations (id) ON DELETE SET NULL,
        ADD COLUMN relay_of_campaign_id uuid,
        ADD COLUMN relay_of_name text,
        ADD COLUMN relay_sender jsonb,
        ADD CONSTRAINT campaigns_relay_check CHECK (relay_of_campaign_id IS NULL
          OR (shared_segment_id IS NOT NULL AND relay_sender IS NOT NULL AND relay_of_name IS NOT NULL));
      -- one relay per campaign of the sender (the hand-off runs once; a second one conflicts)
      CREATE UNIQUE INDEX campaigns_relay_idx ON campaigns (org_id, relay_of_org_id, relay_of_campaign_id)
        WHERE relay_of_campaign_id IS NOT NULL;
      CREATE INDEX campaigns_relay_of_idx ON campaigns (relay_of_org_id, relay_of_campaign_id)
        WHERE relay_of_campaign_id IS NOT NULL;

      ALTER TABLE pool_ledger DROP CONSTRAINT pool_ledger_action_check;
      ALTER TABLE pool_ledger ADD CONSTRAINT pool_ledger_action_check
        CHECK (action IN (${list([...POOL_LEDGER_ACTIONS, ...CROSS_PROMOTION_LEDGER_ACTIONS])}));

      GRANT SELECT, INSERT ON campaigns TO ${POOL_BROKER_ROLE};
      GRANT SELECT ON sender_identities, campaign_messages TO ${POOL_BROKER_ROLE};
      GRANT INSERT ON job_runs, job_dispatches TO ${POOL_BROKER_ROLE};

      CREATE POLICY pool_broker_relay ON campaigns FOR SELECT TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified()) AND relay_of_org_id = crm_current_org());
      CREATE POLICY pool_broker_relay_insert ON campaigns FOR INSERT TO ${POOL_BROKER_ROLE}
        WITH CHECK ((SELECT crm_tenant_verified()) AND relay_of_org_id = crm_current_org() AND status = 'SCHEDULED');
      CREATE POLICY pool_broker_relay ON campaign_messages FOR SELECT TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified()) AND EXISTS (
          SELECT 1 FROM campaigns c WHERE c.org_id = campaign_messages.org_id AND c.id = campaign_messages.campaign_id
                                      AND c.relay_of_org_id = crm_current_org()));
      CREATE POLICY pool_broker_relay_insert ON job_runs FOR INSERT TO ${POOL_BROKER_ROLE}
        WITH CHECK ((SELECT crm_tenant_verified()) AND kind = '${SNAPSHOT_JOB}' AND created_by IS NULL AND EXISTS (
          SELECT 1 FROM campaigns c WHERE c.org_id = job_runs.org_id AND c.id = (job_runs.payload ->> 'campaignId')::uuid
                                      AND c.relay_of_org_id = crm_current_org()));
      CREATE POLICY pool_broker_relay_write ON pool_ledger FOR INSERT TO ${POOL_BROKER_ROLE}
        WITH CHECK ((SELECT crm_tenant_verified()) AND action = 'CROSS_PROMOTION_SEND'
                    AND data_org_ids = ARRAY[crm_current_org()] AND cardinality(segment_ids) = 1 AND EXISTS (
          SELECT 1 FROM campaigns c WHERE c.org_id = crm_current_org() AND c.relay_of_org_id = pool_ledger.actor_org_id
                                      AND c.shared_segment_id = pool_ledger.segment_ids[1]));
    `);
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      if (!INTERNAL.test(signature)) await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
  }

  /** The ledger's new lines stay (append-only): only what this adds besides is reverted, the action check kept. */
  async down(q: QueryRunner): Promise<void> {
    for (const signature of [...SIGNATURES].reverse()) await q.query(`DROP FUNCTION ${signature}`);
    await q.query(`
      DROP POLICY pool_broker_relay_write ON pool_ledger;
      DROP POLICY pool_broker_relay_insert ON job_runs;
      DROP POLICY pool_broker_relay ON campaign_messages;
      DROP POLICY pool_broker_relay_insert ON campaigns;
      DROP POLICY pool_broker_relay ON campaigns;
      REVOKE INSERT ON job_runs, job_dispatches FROM ${POOL_BROKER_ROLE};
      REVOKE SELECT ON sender_identities, campaign_messages FROM ${POOL_BROKER_ROLE};
      REVOKE SELECT, INSERT ON campaigns FROM ${POOL_BROKER_ROLE};
      DROP INDEX campaigns_relay_of_idx;
      DROP INDEX campaigns_relay_idx;
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_relay_check, DROP COLUMN relay_sender, DROP COLUMN relay_of_name,
        DROP COLUMN relay_of_campaign_id, DROP COLUMN relay_of_org_id, DROP COLUMN shared_segment_id;
    `);
  }
}

/** Called by the functions below only: not crm_app's. */
const INTERNAL = /^crm_campaign_relay_(blocker|seed)\(/;

const SIGNATURES = [
  'crm_campaign_relay_blocker(uuid, uuid)',
  'crm_campaign_relay_seed(uuid, uuid, text, bigint)',
  'crm_campaign_relay_target(uuid)',
  'crm_campaign_relay_handoff(uuid, text)',
  'crm_campaign_relay_begin(uuid)',
  'crm_campaign_relay_taken(uuid, int)',
  'crm_campaign_relay_preview(uuid, uuid)',
  'crm_campaign_relay_stats(uuid)',
];

/** The figures of a relay S reads, each shown as crm_pool_noisy shows a count. */
const FIGURES = ['recipients', 'sent', 'delivered', 'bounced', 'opened', 'clicked', 'unsubscribed'] as const;

const FUNCTIONS = `
  -- Why organization p_sender cannot address share p_segment now (NULL: it can): no such live share in a pool where
  -- the sender is ACTIVE (one answer for all: it cannot see it), its own share, a purpose other than CROSS_PROMOTION
  -- (or one the pool no longer allows), the pool frozen, the publisher gone. Locks what it checks (FOR SHARE) until
  -- the transaction ends, so that an unshare or a departure waits for a hand-off or a snapshot under way.
  CREATE FUNCTION crm_campaign_relay_blocker(p_segment uuid, p_sender uuid) RETURNS text
    LANGUAGE plpgsql ${PATH} AS $$
    DECLARE
      s shared_segments;
      p pools;
      n int;
    BEGIN
      SELECT sg.* INTO s FROM shared_segments sg WHERE sg.id = p_segment AND ${LIVE('sg')} FOR SHARE;
      IF s.id IS NULL OR NOT EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = s.pool_id AND m.org_id = p_sender
                                                                    AND m.status = 'ACTIVE') THEN
        RETURN 'Shared segment not found, withdrawn or expired, or my organization is not an active member of its pool';
      END IF;
      IF s.org_id = p_sender THEN
        RETURN 'This shared segment is my organization''s: address its audience instead';
      END IF;
      SELECT * INTO p FROM pools WHERE id = s.pool_id;
      IF s.purpose <> 'CROSS_PROMOTION' OR NOT 'CROSS_PROMOTION' = ANY (p.purposes) THEN
        RETURN 'This shared segment is not shared for CROSS_PROMOTION: no campaign may address it';
      END IF;
      IF p.frozen_at IS NOT NULL THEN
        RETURN 'The pool is frozen: it has no steward left';
      END IF;
      SELECT count(*) INTO n FROM (
        SELECT 1 FROM pool_members m
         WHERE m.pool_id = s.pool_id AND m.org_id IN (p_sender, s.org_id) AND m.status = 'ACTIVE' FOR SHARE) x;
      IF n < 2 THEN
        RETURN 'The sender or the publisher is no longer an active member of the pool';
      END IF;
      RETURN NULL;
    END $$;

  -- The seed of one figure of a relay as S is shown it: the relay, the figure and its exact value (the same state
  -- gets the same noise; another value, fresh noise).
  CREATE FUNCTION crm_campaign_relay_seed(p_pool uuid, p_relay uuid, p_figure text, p_count bigint) RETURNS bytea
    LANGUAGE sql STABLE ${PATH} AS $$
    SELECT hmac(convert_to('CROSS_PROMOTION:' || p_relay || ':' || p_figure || ':' || coalesce(p_count, -1), 'UTF8'),
                crm_pool_secret(p_pool), 'sha256')
    $$;

  -- For the caller (the sender) scheduling a campaign to a share: why it cannot (NULL: it can).
  CREATE FUNCTION crm_campaign_relay_target(p_segment uuid) RETURNS text
    LANGUAGE sql ${DEFINER} AS $$
    SELECT crm_campaign_relay_blocker(p_segment, crm_pool_caller())
    $$;

  -- The sender's campaign goes out (in its snapshot's transaction, the sender's claim): P's relay and P's snapshot
  -- run, written here. 'blocked' says why it cannot (nothing written then). The run is P's: no creator (the system's),
  -- ready at once; its dispatch row names the sender's queue prefix, so that the reaper of those queues queues it if
  -- the sender's process dies before it does.
  CREATE FUNCTION crm_campaign_relay_handoff(p_campaign uuid, p_queue_prefix text)
    RETURNS TABLE (blocked text, publisher_org_id uuid, relay_id uuid, job_run_id uuid)
    LANGUAGE plpgsql ${DEFINER} AS $$
    #variable_conflict use_column
    DECLARE
      org uuid := crm_pool_caller();
      c campaigns;
      s shared_segments;
      why text;
      sender jsonb;
      relay uuid;
      run uuid := gen_random_uuid();
    BEGIN
      SELECT * INTO c FROM campaigns WHERE org_id = org AND id = p_campaign AND relay_of_campaign_id IS NULL;
      IF c.id IS NULL OR c.shared_segment_id IS NULL THEN
        RAISE EXCEPTION 'Campaign not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      why := crm_campaign_relay_blocker(c.shared_segment_id, org);
      IF why IS NOT NULL THEN
        RETURN QUERY SELECT why, NULL::uuid, NULL::uuid, NULL::uuid;
        RETURN;
      END IF;
      SELECT * INTO s FROM shared_segments WHERE id = c.shared_segment_id;
      SELECT jsonb_build_object('fromName', si.from_name, 'fromEmail', si.from_email, 'replyTo', si.reply_to,
                                'mailingAddress', si.mailing_address, 'contactLine', si.contact_line,
                                'relayedBy', (SELECT o.name FROM organizations o WHERE o.id = s.org_id))
        INTO sender FROM sender_identities si WHERE si.org_id = org AND si.id = c.sender_id;
      IF sender IS NULL THEN
        RAISE EXCEPTION 'The campaign has no sender identity' USING ERRCODE = 'CP400', COLUMN = 'senderId';
      END IF;
      INSERT INTO campaigns (org_id, name, status, default_language, variants, scheduled_at, send_rate, attribution_days,
                             shared_segment_id, relay_of_org_id, relay_of_campaign_id, relay_of_name, relay_sender)
        VALUES (s.org_id, c.name, 'SCHEDULED', c.default_language, c.variants, now(), c.send_rate, c.attribution_days,
                s.id, org, c.id, (SELECT o.name FROM organizations o WHERE o.id = org), sender)
        RETURNING id INTO relay;
      INSERT INTO job_runs (org_id, id, kind, payload, created_by, created_role)
        VALUES (s.org_id, run, '${SNAPSHOT_JOB}', jsonb_build_object('campaignId', relay, 'version', 1), NULL, NULL);
      INSERT INTO job_dispatches (organization_id, job_run_id, queue_prefix, ready, watch_from)
        VALUES (s.org_id, run, p_queue_prefix, true, now());
      RETURN QUERY SELECT NULL::text, s.org_id, relay, run;
    END $$;

  -- First in the relay's snapshot (P's claim): why the relay cannot go out now (NULL: it can), with what it checks
  -- locked until the snapshot commits.
  CREATE FUNCTION crm_campaign_relay_begin(p_relay uuid) RETURNS text
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      c campaigns;
      why text;
    BEGIN
      SELECT * INTO c FROM campaigns WHERE org_id = org AND id = p_relay AND relay_of_campaign_id IS NOT NULL;
      IF c.id IS NULL THEN
        RAISE EXCEPTION 'Campaign not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      IF c.relay_of_org_id IS NULL THEN
        RETURN 'The organization whose campaign this relays was deleted';
      END IF;
      why := crm_campaign_relay_blocker(c.shared_segment_id, c.relay_of_org_id);
      -- the publisher reads the sender's words about the share; "my organization" there is the sender
      RETURN CASE WHEN why IS NULL THEN NULL ELSE 'The relay cannot go out: ' || why END;
    END $$;

  -- In the relay's snapshot (P's claim), once its recipients are taken: the send, in the ledger. Its actor is the
  -- sender (it asked for it), its data the publisher's; the recipients as S is shown them (the relay's figure).
  CREATE FUNCTION crm_campaign_relay_taken(p_relay uuid, p_recipients int) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      c campaigns;
      s shared_segments;
    BEGIN
      SELECT * INTO c FROM campaigns WHERE org_id = org AND id = p_relay AND relay_of_campaign_id IS NOT NULL;
      IF c.id IS NULL OR c.relay_of_org_id IS NULL THEN
        RAISE EXCEPTION 'Campaign not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      IF p_recipients IS NULL OR p_recipients < 0 THEN
        RAISE EXCEPTION 'The recipients of a relay are a whole number' USING ERRCODE = 'CP400';
      END IF;
      SELECT * INTO s FROM shared_segments WHERE org_id = org AND id = c.shared_segment_id;
      INSERT INTO pool_ledger (pool_id, actor_org_id, action, data_org_ids, segment_ids, purpose, outcome)
        VALUES (s.pool_id, c.relay_of_org_id, 'CROSS_PROMOTION_SEND', ARRAY[org], ARRAY[s.id], s.purpose,
                jsonb_build_object('recipients',
                  crm_pool_noisy(p_recipients, crm_pool_effective_k(s.pool_id, ARRAY[org]),
                                 crm_campaign_relay_seed(s.pool_id, c.id, 'recipients', p_recipients))));
    END $$;

  -- The sender's preview of a campaign to share p_segment: P's people of the share (fingerprinted) with
  -- PARTNER_SHARING and EMAIL_MARKETING granted at P, an address that did not bounce, one per address; noisy, NULL
  -- under k; and P's name (the footer of the samples says it). A question about P's data: the budget, then the ledger.
  CREATE FUNCTION crm_campaign_relay_preview(p_segment uuid, p_user uuid) RETURNS TABLE (people int, group_k int, publisher text)
    LANGUAGE plpgsql ${DEFINER} AS $$
    #variable_conflict use_column
    DECLARE
      org uuid := crm_pool_caller();
      why text := crm_campaign_relay_blocker(p_segment, org);
      s shared_segments;
      n bigint;
      digest bigint;
      question bytea;
      shown int;
    BEGIN
      IF why IS NOT NULL THEN
        RAISE EXCEPTION '%', why USING ERRCODE = 'CP400', COLUMN = 'sharedSegmentId';
      END IF;
      SELECT * INTO s FROM shared_segments WHERE id = p_segment;
      group_k := crm_pool_effective_k(s.pool_id, ARRAY[s.org_id]);
      publisher := (SELECT o.name FROM organizations o WHERE o.id = s.org_id);
      SELECT count(DISTINCT lower(c.email)), coalesce(bit_xor(crm_pool_fp64(sha256(convert_to(c.id::text, 'UTF8')))), 0)
        INTO n, digest
        FROM (SELECT DISTINCT f.contact_id FROM segment_fingerprints f
               WHERE f.pool_id = s.pool_id AND f.segment_id = s.id AND f.revealable) f
        JOIN contacts c ON c.org_id = s.org_id AND c.id = f.contact_id
       WHERE c.email IS NOT NULL AND c.bounced_email IS DISTINCT FROM c.email
         AND ${consentStateSql("'PARTNER_SHARING'")} = 'GRANTED'
         AND ${consentStateSql("'EMAIL_MARKETING'")} = 'GRANTED';
      question := hmac(convert_to('CROSS_PROMOTION_PREVIEW:' || org || ':' || s.id || ':' || digest, 'UTF8'),
                       crm_pool_secret(s.pool_id), 'sha256');
      PERFORM crm_pool_ask(s.pool_id, s.id, 'CROSS_PROMOTION_PREVIEW', question);
      shown := crm_pool_noisy(n, group_k, question);
      PERFORM crm_pool_log(s.pool_id, 'CROSS_PROMOTION_PREVIEW', ARRAY[s.org_id], ARRAY[s.id], s.purpose, question,
                           jsonb_build_object('recipients', shown), p_user);
      people := shown;
      RETURN NEXT;
    END $$;

  -- The relay of the caller's campaign p_campaign, as the sender may see it: its status and figures, each noisy and
  -- NULL under the publisher's k. No row before the hand-off (or for a campaign that is not the caller's).
  CREATE FUNCTION crm_campaign_relay_stats(p_campaign uuid)
    RETURNS TABLE (status text, k int, ${FIGURES.map((f) => `${f} int`).join(', ')})
    LANGUAGE sql ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org),
    r AS (
      SELECT c.*, s.pool_id, crm_pool_effective_k(s.pool_id, ARRAY[c.org_id]) AS k
        FROM caller, campaigns c JOIN shared_segments s ON s.org_id = c.org_id AND s.id = c.shared_segment_id
       WHERE c.relay_of_org_id = caller.org AND c.relay_of_campaign_id = p_campaign
    ),
    m AS (
      SELECT count(*) AS recipients,
             count(*) FILTER (WHERE m.status IN ('SENT', 'DELIVERED', 'BOUNCED')) AS sent,
             count(*) FILTER (WHERE m.status = 'DELIVERED') AS delivered,
             count(*) FILTER (WHERE m.status = 'BOUNCED') AS bounced,
             count(*) FILTER (WHERE m.opened_at IS NOT NULL OR m.clicked_at IS NOT NULL) AS opened,
             count(*) FILTER (WHERE m.clicked_at IS NOT NULL) AS clicked,
             count(*) FILTER (WHERE m.unsubscribed_at IS NOT NULL) AS unsubscribed
        FROM r JOIN campaign_messages m ON m.org_id = r.org_id AND m.campaign_id = r.id
    )
    SELECT r.status, r.k,
           ${FIGURES.map((f) => `crm_pool_noisy(m.${f}, r.k, crm_campaign_relay_seed(r.pool_id, r.id, '${f}', m.${f}))`).join(',\n           ')}
      FROM r, m
    $$;
`;
