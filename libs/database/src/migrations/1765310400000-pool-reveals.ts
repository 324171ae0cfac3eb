import type { MigrationInterface, QueryRunner } from 'typeorm';
import { consentStateSql } from '../../../contacts/src/consent/consent-state.sql.js';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

const DEFINER = `SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp`;

/**
 * The source of the PARTNER_SHARING consent a reveal records at the requester (then the publisher's name). Such a grant
 * cites the publisher's consent, given to the publisher and its partners: it never makes the person revealable onward.
 */
export const REVEAL_CONSENT_SOURCE = 'pool reveal: ';

/** A share that counts: not withdrawn, not expired (as in the shared-segments migration). */
const LIVE = (s: string) => `${s}.withdrawn_at IS NULL AND (${s}.expires_at IS NULL OR ${s}.expires_at > now())`;

/** The purposes a reveal may serve: a segment shared for AUDIENCE_RESEARCH is aggregates only. */
export const POOL_REVEAL_PURPOSES = ['CROSS_PROMOTION', 'JOINT_CAMPAIGN'] as const;

/** Where a reveal is in its life. */
export const POOL_REVEAL_STATUSES = ['REQUESTED', 'APPROVED', 'REFUSED', 'COPIED', 'FAILED', 'CANCELLED'] as const;

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * Reveals (issue 15, "reveal with consent"): a member asks for the people of another member's shared segment who
 * consented to partner sharing; the publisher approves or refuses (or set the share to auto-approve); an approved
 * reveal is copied into the requester's contacts by a queued job of the requester (libs/pools, pools.copy-reveal).
 *
 * - `pool_reveals` concerns two organizations (requester and publisher): a pool table without org_id, like
 *   pool_ledger. FORCEd row-level security, no privilege at all for crm_app; the broker reads and writes a row only
 *   under a verified claim of one of its two organizations, through the functions below.
 * - `crm_pool_reveal_people(reveal)`: the one read of another organization's contacts outside an aggregate. For the
 *   requester of an APPROVED reveal only, while both are ACTIVE, the pool not frozen and the share live: the
 *   publisher's people of that segment whose PARTNER_SHARING consent is GRANTED at the publisher now (re-checked on
 *   the consent records, not only the fingerprint's flag), with the fields a copy keeps (no address line, no birth
 *   date) and the grant it cites. Through the broker policy pool_broker_shared (1765152000000-pool-shared-people.ts).
 * - `contact_provenance`: a tenant table of the requester: where a contact came from (publisher, pool, segment,
 *   purpose, date, the consent record it gave), written by the copy job as crm_app in the requester's tenant.
 * - `contacts_phone_idx`: the copy matches by E.164 phone as well as by email (email had its index).
 */
export class PoolReveals1765310400000 implements MigrationInterface {
  name = 'PoolReveals1765310400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pool_reveals (
        pool_id uuid NOT NULL REFERENCES pools ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        segment_id uuid NOT NULL,
        publisher_org_id uuid NOT NULL,
        requester_org_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
        requested_by uuid,
        purpose text NOT NULL CHECK (purpose IN (${list(POOL_REVEAL_PURPOSES)})),
        status text NOT NULL DEFAULT 'REQUESTED' CHECK (status IN (${list(POOL_REVEAL_STATUSES)})),
        requested_at timestamptz NOT NULL DEFAULT now(),
        auto_approved boolean NOT NULL DEFAULT false,
        decided_by uuid,
        decided_at timestamptz,
        refusal_reason text CHECK (length(refusal_reason) <= 500),
        -- why an approved reveal could not be copied (the share withdrawn, a member gone...)
        failure text,
        -- the requester's job run that copies it (a requester's id: shown to the requester only)
        copy_job_run_id uuid,
        copied_at timestamptz,
        -- people copied (revealable at the publisher when copied); of them, already held by the requester, and created
        people int,
        matched int,
        created int,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pool_id, id),
        FOREIGN KEY (publisher_org_id, segment_id) REFERENCES shared_segments (org_id, id) ON DELETE CASCADE,
        CHECK (requester_org_id <> publisher_org_id),
        CHECK (status IN ('REQUESTED', 'CANCELLED') OR decided_at IS NOT NULL),
        CHECK (status <> 'COPIED' OR (copied_at IS NOT NULL AND people IS NOT NULL))
      );
      CREATE INDEX pool_reveals_by_id ON pool_reveals (id);
      CREATE INDEX pool_reveals_requester ON pool_reveals (pool_id, requester_org_id, requested_at);
      CREATE INDEX pool_reveals_publisher ON pool_reveals (pool_id, publisher_org_id, requested_at);
      -- one open reveal per requester and segment: asking again waits for the answer (or the copy)
      CREATE UNIQUE INDEX pool_reveals_open ON pool_reveals (pool_id, segment_id, requester_org_id)
        WHERE status IN ('REQUESTED', 'APPROVED');
      ALTER TABLE pool_reveals ENABLE ROW LEVEL SECURITY;
      ALTER TABLE pool_reveals FORCE ROW LEVEL SECURITY;
      CREATE POLICY pool_broker ON pool_reveals TO ${POOL_BROKER_ROLE}
        USING ((SELECT crm_tenant_verified()) AND (SELECT crm_current_org()) IN (requester_org_id, publisher_org_id))
        WITH CHECK ((SELECT crm_tenant_verified()) AND (SELECT crm_current_org()) IN (requester_org_id, publisher_org_id));
      REVOKE ALL ON pool_reveals FROM crm_app;
      GRANT SELECT, INSERT, UPDATE ON pool_reveals TO ${POOL_BROKER_ROLE};

      CREATE TABLE contact_provenance (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL,
        kind text NOT NULL DEFAULT 'POOL_REVEAL' CHECK (kind IN ('POOL_REVEAL')),
        -- what it was when copied (names as they were: the pool, the share or the publisher may go, this stays)
        reveal_id uuid NOT NULL,
        pool_id uuid NOT NULL,
        pool_name text NOT NULL,
        shared_segment_id uuid NOT NULL,
        segment_name text NOT NULL,
        publisher_name text NOT NULL,
        purpose text NOT NULL,
        -- the contact was held before the reveal (matched by email or phone), else the reveal created it
        matched boolean NOT NULL,
        -- the PARTNER_SHARING consent record the reveal gave it (none when it had withdrawn it here)
        consent_id uuid,
        revealed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX contact_provenance_contact ON contact_provenance (org_id, contact_id, revealed_at);
      CREATE INDEX contact_provenance_reveal ON contact_provenance (org_id, reveal_id);
      ALTER TABLE contact_provenance ENABLE ROW LEVEL SECURITY;
      ALTER TABLE contact_provenance FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON contact_provenance
        USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
      -- UPDATE: a merge moves a contact's provenance to the survivor (and back on undo)
      GRANT SELECT, INSERT, UPDATE ON contact_provenance TO crm_app;

      CREATE INDEX contacts_phone_idx ON contacts (org_id, phone);
    `);
    await q.query(FUNCTIONS);
    for (const signature of SIGNATURES) {
      await q.query(`ALTER FUNCTION ${signature} OWNER TO ${POOL_BROKER_ROLE}`);
      await q.query(`REVOKE EXECUTE ON FUNCTION ${signature} FROM PUBLIC`);
      if (!INTERNAL.test(signature)) await q.query(`GRANT EXECUTE ON FUNCTION ${signature} TO crm_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const signature of [...SIGNATURES].reverse()) await q.query(`DROP FUNCTION ${signature}`);
    await q.query(`
      DROP INDEX contacts_phone_idx;
      DROP TABLE contact_provenance, pool_reveals;
    `);
  }
}

/** Called by the functions below only: not crm_app's. */
const INTERNAL = /^crm_pool_reveal_(lock|blocker|seed)\(/;

const SIGNATURES = [
  'crm_pool_reveal_lock(uuid, uuid)',
  'crm_pool_reveal_blocker(pool_reveals)',
  'crm_pool_reveal_seed(pool_reveals)',
  'crm_pool_segment_auto_approve(uuid, boolean)',
  'crm_pool_reveal_request(uuid, text, uuid)',
  'crm_pool_reveal_approve(uuid, uuid)',
  'crm_pool_reveal_refuse(uuid, text, uuid)',
  'crm_pool_reveal_cancel(uuid)',
  'crm_pool_reveals(uuid, uuid)',
  'crm_pool_reveal_copy_started(uuid, uuid)',
  'crm_pool_reveal_copy_begin(uuid)',
  'crm_pool_reveal_people(uuid)',
  'crm_pool_reveal_copied(uuid, int, int, int, uuid)',
];

/** People of a reveal's segment who are revealable by their fingerprints' flag (the copy re-checks the consent). */
const REVEALABLE_NOW = (r: string) =>
  `(SELECT count(DISTINCT f.contact_id)::int FROM segment_fingerprints f
     WHERE f.pool_id = ${r}.pool_id AND f.segment_id = ${r}.segment_id AND f.revealable)`;

const FUNCTIONS = `
  -- One of the caller's reveals, locked: the caller is its requester or its publisher, and still ACTIVE in its pool;
  -- else CP404 on id (the same answer as for no such reveal).
  CREATE FUNCTION crm_pool_reveal_lock(p_reveal uuid, p_org uuid) RETURNS pool_reveals
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE r pool_reveals;
    BEGIN
      SELECT * INTO r FROM pool_reveals
       WHERE id = p_reveal AND p_org IN (requester_org_id, publisher_org_id)
         AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = pool_reveals.pool_id AND m.org_id = p_org
                                                   AND m.status = 'ACTIVE')
       FOR UPDATE;
      IF r.id IS NULL THEN
        RAISE EXCEPTION 'Reveal not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
      RETURN r;
    END $$;

  -- Why a reveal cannot go on now (NULL: it can): the pool frozen, the share withdrawn or expired, the requester or
  -- the publisher no longer ACTIVE. Locks what it checks (FOR SHARE) until the transaction ends, so that an unshare
  -- or a departure waits for an approval or a copy that is under way.
  CREATE FUNCTION crm_pool_reveal_blocker(r pool_reveals) RETURNS text
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
    DECLARE
      live boolean;
      n int;
    BEGIN
      IF (SELECT p.frozen_at IS NOT NULL FROM pools p WHERE p.id = r.pool_id) THEN
        RETURN 'The pool is frozen: it has no steward left';
      END IF;
      SELECT ${LIVE('s')} INTO live FROM shared_segments s
       WHERE s.org_id = r.publisher_org_id AND s.id = r.segment_id FOR SHARE;
      IF live IS NOT TRUE THEN
        RETURN 'The shared segment was withdrawn or has expired';
      END IF;
      SELECT count(*) INTO n FROM (
        SELECT 1 FROM pool_members m
         WHERE m.pool_id = r.pool_id AND m.org_id IN (r.requester_org_id, r.publisher_org_id) AND m.status = 'ACTIVE'
         FOR SHARE) x;
      IF n < 2 THEN
        RETURN 'The requester or the publisher is no longer a member of the pool';
      END IF;
      RETURN NULL;
    END $$;

  -- The seed of the noisy counts a copy writes to the ledger: the requester, the segment and the set of its
  -- revealable people (the same reveal of the same people gets the same noise; another set, fresh noise).
  CREATE FUNCTION crm_pool_reveal_seed(r pool_reveals) RETURNS bytea
    LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT hmac(convert_to('REVEAL_COPY:' || r.requester_org_id || ':' || r.segment_id || ':'
                           || coalesce((SELECT bit_xor(crm_pool_fp64(f.fingerprint)) FROM segment_fingerprints f
                                         WHERE f.pool_id = r.pool_id AND f.segment_id = r.segment_id AND f.revealable), 0),
                           'UTF8'),
                crm_pool_secret(r.pool_id), 'sha256')
    $$;

  -- The publisher sets whether reveals of one of its live shares are approved at once (new requests only).
  CREATE FUNCTION crm_pool_segment_auto_approve(p_segment uuid, p_auto boolean) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE org uuid := crm_pool_caller();
    BEGIN
      UPDATE shared_segments s SET auto_approve = coalesce(p_auto, false)
       WHERE s.org_id = org AND s.id = p_segment AND ${LIVE('s')}
         AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = s.pool_id AND m.org_id = org AND m.status = 'ACTIVE');
      IF NOT FOUND THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'id';
      END IF;
    END $$;

  -- A member asks for the revealable people of another member's live shared segment, for the segment's purpose
  -- (CROSS_PROMOTION or JOINT_CAMPAIGN, still allowed by the pool). CP404 on sharedSegmentId for a segment the caller
  -- cannot see (not ACTIVE in its pool, withdrawn, expired, nonexistent: one answer); CP400 on sharedSegmentId for
  -- its own, on purpose for another purpose; CP409 when one is open already, the pool is frozen or the publisher gone.
  -- A share set to auto-approve approves it at once. Returns the reveal id.
  CREATE FUNCTION crm_pool_reveal_request(p_segment uuid, p_purpose text, p_user uuid) RETURNS uuid
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      s shared_segments;
      p pools;
      r pool_reveals;
      why text;
    BEGIN
      SELECT sg.* INTO s FROM shared_segments sg
       WHERE sg.id = p_segment AND ${LIVE('sg')}
         AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = sg.pool_id AND m.org_id = org AND m.status = 'ACTIVE');
      IF s.id IS NULL THEN
        RAISE EXCEPTION 'Shared segment not found' USING ERRCODE = 'CP404', COLUMN = 'sharedSegmentId';
      END IF;
      IF s.org_id = org THEN
        RAISE EXCEPTION 'My organization published this segment: its people are mine already'
          USING ERRCODE = 'CP400', COLUMN = 'sharedSegmentId';
      END IF;
      SELECT * INTO p FROM pools WHERE id = s.pool_id;
      IF s.purpose NOT IN (${list(POOL_REVEAL_PURPOSES)}) THEN
        RAISE EXCEPTION 'This segment is shared for %: aggregates only, no reveal', s.purpose
          USING ERRCODE = 'CP400', COLUMN = 'purpose';
      END IF;
      IF p_purpose IS NULL OR p_purpose <> s.purpose OR NOT p_purpose = ANY (p.purposes) THEN
        RAISE EXCEPTION 'This segment is shared for %: a reveal of it is for that purpose only', s.purpose
          USING ERRCODE = 'CP400', COLUMN = 'purpose';
      END IF;
      INSERT INTO pool_reveals (pool_id, segment_id, publisher_org_id, requester_org_id, requested_by, purpose)
        VALUES (s.pool_id, s.id, s.org_id, org, p_user, p_purpose)
        ON CONFLICT DO NOTHING RETURNING * INTO r;
      IF r.id IS NULL THEN
        RAISE EXCEPTION 'My organization already asked for this segment: the reveal is pending or being copied'
          USING ERRCODE = 'CP409', COLUMN = 'sharedSegmentId';
      END IF;
      why := crm_pool_reveal_blocker(r);
      IF why IS NOT NULL THEN
        RAISE EXCEPTION '%', why USING ERRCODE = 'CP409', COLUMN = 'sharedSegmentId';
      END IF;
      PERFORM crm_pool_log(s.pool_id, 'REVEAL_REQUEST', ARRAY[s.org_id], ARRAY[s.id], p_purpose, NULL, '{}', p_user);
      IF s.auto_approve THEN
        UPDATE pool_reveals SET status = 'APPROVED', auto_approved = true, decided_at = now(), updated_at = now()
         WHERE pool_id = r.pool_id AND id = r.id;
        PERFORM crm_pool_log(s.pool_id, 'REVEAL_APPROVE', ARRAY[s.org_id], ARRAY[s.id], p_purpose, NULL,
                             jsonb_build_object('people', ${REVEALABLE_NOW('r')}, 'auto', 1), p_user);
      END IF;
      RETURN r.id;
    END $$;

  -- The publisher approves a REQUESTED reveal (CP403 for the requester, CP409 unless it can go on). Returns the
  -- requester organization, whose tenant the copy job runs in.
  CREATE FUNCTION crm_pool_reveal_approve(p_reveal uuid, p_user uuid) RETURNS uuid
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
      why text;
    BEGIN
      IF r.publisher_org_id <> org THEN
        RAISE EXCEPTION 'Only the publisher of the shared segment approves or refuses a reveal' USING ERRCODE = 'CP403';
      END IF;
      IF r.status <> 'REQUESTED' THEN
        RAISE EXCEPTION 'The reveal is % already', lower(r.status) USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      why := crm_pool_reveal_blocker(r);
      IF why IS NOT NULL THEN
        RAISE EXCEPTION '%', why USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      UPDATE pool_reveals SET status = 'APPROVED', decided_by = p_user, decided_at = now(), updated_at = now()
       WHERE pool_id = r.pool_id AND id = r.id;
      PERFORM crm_pool_log(r.pool_id, 'REVEAL_APPROVE', ARRAY[org], ARRAY[r.segment_id], r.purpose, NULL,
                           jsonb_build_object('people', ${REVEALABLE_NOW('r')}), p_user);
      RETURN r.requester_org_id;
    END $$;

  -- The publisher refuses a REQUESTED reveal, with a reason (up to 500 characters) the requester reads.
  CREATE FUNCTION crm_pool_reveal_refuse(p_reveal uuid, p_reason text, p_user uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
    BEGIN
      IF r.publisher_org_id <> org THEN
        RAISE EXCEPTION 'Only the publisher of the shared segment approves or refuses a reveal' USING ERRCODE = 'CP403';
      END IF;
      IF r.status <> 'REQUESTED' THEN
        RAISE EXCEPTION 'The reveal is % already', lower(r.status) USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      IF length(p_reason) > 500 THEN
        RAISE EXCEPTION 'The reason must have at most 500 characters' USING ERRCODE = 'CP400', COLUMN = 'reason';
      END IF;
      UPDATE pool_reveals SET status = 'REFUSED', decided_by = p_user, decided_at = now(),
          refusal_reason = nullif(btrim(p_reason), ''), updated_at = now()
       WHERE pool_id = r.pool_id AND id = r.id;
      PERFORM crm_pool_log(r.pool_id, 'REVEAL_REFUSE', ARRAY[org], ARRAY[r.segment_id], r.purpose, NULL, '{}', p_user);
    END $$;

  -- The requester withdraws its request, or stops an approved reveal before it is copied.
  CREATE FUNCTION crm_pool_reveal_cancel(p_reveal uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
    BEGIN
      IF r.requester_org_id <> org THEN
        RAISE EXCEPTION 'Only the organization that asked for a reveal cancels it' USING ERRCODE = 'CP403';
      END IF;
      IF r.status NOT IN ('REQUESTED', 'APPROVED') THEN
        RAISE EXCEPTION 'The reveal is % already', lower(r.status) USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      UPDATE pool_reveals SET status = 'CANCELLED', updated_at = now() WHERE pool_id = r.pool_id AND id = r.id;
    END $$;

  -- The reveals the caller may see, newest first: those it asked for and those of its own shared segments, in pools
  -- where it is ACTIVE; of pool p_pool, or the one p_reveal (either, or both). Who asked (the user), the copy's job
  -- run and how many of the people it held or created: the requester's only; who decided: the publisher's only.
  CREATE FUNCTION crm_pool_reveals(p_pool uuid, p_reveal uuid)
    RETURNS TABLE (id uuid, pool_id uuid, pool_name text, shared_segment_id uuid, segment_name text,
                   publisher_name text, requester_name text, purpose text, status text, requesting boolean,
                   publishing boolean, requested_by uuid, requested_at timestamptz, auto_approved boolean,
                   decided_by uuid, decided_at timestamptz, refusal_reason text, failure text, copied_at timestamptz,
                   copy_job_run_id uuid, people int, matched int, created int)
    LANGUAGE sql STABLE ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org)
    SELECT r.id, r.pool_id, p.name, r.segment_id, s.audience_name,
           coalesce(po.name, '(deleted organization)'), coalesce(ro.name, '(deleted organization)'),
           r.purpose, r.status, r.requester_org_id = caller.org, r.publisher_org_id = caller.org,
           CASE WHEN r.requester_org_id = caller.org THEN r.requested_by END, r.requested_at, r.auto_approved,
           CASE WHEN r.publisher_org_id = caller.org THEN r.decided_by END, r.decided_at, r.refusal_reason, r.failure,
           r.copied_at, CASE WHEN r.requester_org_id = caller.org THEN r.copy_job_run_id END, r.people,
           CASE WHEN r.requester_org_id = caller.org THEN r.matched END,
           CASE WHEN r.requester_org_id = caller.org THEN r.created END
      FROM caller, pool_reveals r
      JOIN pools p ON p.id = r.pool_id
      JOIN shared_segments s ON s.org_id = r.publisher_org_id AND s.id = r.segment_id
      LEFT JOIN organizations po ON po.id = r.publisher_org_id
      LEFT JOIN organizations ro ON ro.id = r.requester_org_id
     WHERE (p_pool IS NOT NULL OR p_reveal IS NOT NULL)
       AND (p_pool IS NULL OR r.pool_id = p_pool) AND (p_reveal IS NULL OR r.id = p_reveal)
       AND caller.org IN (r.requester_org_id, r.publisher_org_id)
       AND EXISTS (SELECT 1 FROM pool_members me WHERE me.pool_id = r.pool_id AND me.org_id = caller.org
                                                   AND me.status = 'ACTIVE')
     ORDER BY r.requested_at DESC, r.id
    $$;

  -- The requester's job run that copies an APPROVED reveal (CP409 in any other state; CP403 for the publisher).
  CREATE FUNCTION crm_pool_reveal_copy_started(p_reveal uuid, p_run uuid) RETURNS void
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
    BEGIN
      IF r.requester_org_id <> org THEN
        RAISE EXCEPTION 'Only the organization that asked for a reveal copies it' USING ERRCODE = 'CP403';
      END IF;
      IF r.status <> 'APPROVED' THEN
        RAISE EXCEPTION 'The reveal is %: only an approved reveal is copied', lower(r.status)
          USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      UPDATE pool_reveals SET copy_job_run_id = p_run, updated_at = now() WHERE pool_id = r.pool_id AND id = r.id;
    END $$;

  -- First thing in the copy's transaction (the requester's): locks the reveal (a second copy waits, then finds it
  -- COPIED) and what it depends on, and answers its status. An APPROVED reveal that can no longer be copied is
  -- marked FAILED with the reason (the caller commits that and says so); 'APPROVED' means: copy it now.
  CREATE FUNCTION crm_pool_reveal_copy_begin(p_reveal uuid) RETURNS text
    LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
      why text;
    BEGIN
      IF r.requester_org_id <> org THEN
        RAISE EXCEPTION 'Only the organization that asked for a reveal copies it' USING ERRCODE = 'CP403';
      END IF;
      IF r.status <> 'APPROVED' THEN
        RETURN r.status;
      END IF;
      why := crm_pool_reveal_blocker(r);
      IF why IS NOT NULL THEN
        UPDATE pool_reveals SET status = 'FAILED', failure = why, updated_at = now()
         WHERE pool_id = r.pool_id AND id = r.id;
        RETURN 'FAILED';
      END IF;
      RETURN 'APPROVED';
    END $$;

  -- The people an APPROVED reveal copies, for its requester only (nothing for anyone else, nothing before approval or
  -- after the copy, nothing once the share is withdrawn or expired, the pool frozen or a member gone): the
  -- publisher's people of the segment whose PARTNER_SHARING consent is GRANTED at the publisher now, with the fields
  -- a copy keeps and the live grant it cites (express first, else the one lasting longest).
  CREATE FUNCTION crm_pool_reveal_people(p_reveal uuid)
    RETURNS TABLE (first_name text, last_name text, email text, phone text, preferred_language text, city text,
                   region text, postal_code text, country text, legal_basis text, implied_reason text,
                   granted_at timestamptz)
    LANGUAGE sql STABLE ${DEFINER} AS $$
    WITH caller AS (SELECT crm_pool_caller() AS org),
    r AS (
      SELECT r.* FROM caller, pool_reveals r
       WHERE r.id = p_reveal AND r.requester_org_id = caller.org AND r.status = 'APPROVED'
         AND NOT EXISTS (SELECT 1 FROM pools p WHERE p.id = r.pool_id AND p.frozen_at IS NOT NULL)
         AND (SELECT count(*) FROM pool_members m
               WHERE m.pool_id = r.pool_id AND m.org_id IN (r.requester_org_id, r.publisher_org_id)
                 AND m.status = 'ACTIVE') = 2
    ),
    s AS (
      SELECT s.* FROM r JOIN shared_segments s ON s.org_id = r.publisher_org_id AND s.id = r.segment_id
       WHERE ${LIVE('s')}
    )
    SELECT c.first_name, c.last_name, c.email, c.phone, c.preferred_language, c.city, c.region, c.postal_code,
           c.country, g.legal_basis, g.implied_reason, g.occurred_at
      FROM s
      JOIN (SELECT DISTINCT f.segment_id, f.contact_id FROM s, segment_fingerprints f
             WHERE f.pool_id = s.pool_id AND f.segment_id = s.id) f ON f.segment_id = s.id
      JOIN contacts c ON c.org_id = s.org_id AND c.id = f.contact_id
      CROSS JOIN LATERAL (
        SELECT k.legal_basis, k.implied_reason, k.occurred_at FROM consents k
         WHERE k.org_id = c.org_id AND k.contact_id = c.id AND k.purpose = 'PARTNER_SHARING' AND k.status = 'GRANTED'
           -- a grant a reveal recorded cites another organization's consent: it never lets the person travel on
           AND k.source NOT LIKE '${REVEAL_CONSENT_SOURCE}%'
           AND (k.expires_at IS NULL OR k.expires_at > now())
           AND k.occurred_at > coalesce((SELECT max(w.occurred_at) FROM consents w
                                          WHERE w.org_id = c.org_id AND w.contact_id = c.id
                                            AND w.purpose = 'PARTNER_SHARING' AND w.status = 'WITHDRAWN'), '-infinity')
         ORDER BY k.expires_at DESC NULLS FIRST, k.occurred_at DESC
         LIMIT 1) g
     WHERE ${consentStateSql("'PARTNER_SHARING'")} = 'GRANTED'
     ORDER BY c.id
    $$;

  -- The end of the copy, in its transaction: the reveal is COPIED with its counts, and the ledger says so. The ledger
  -- is read by the publisher and the steward: how many of the people the requester held (or had to create) is the
  -- requester's data, so it is shown there as every cross-organization count is (k, noise); the reveal row keeps the
  -- exact figures for the requester alone.
  CREATE FUNCTION crm_pool_reveal_copied(p_reveal uuid, p_people int, p_matched int, p_created int, p_user uuid)
    RETURNS void LANGUAGE plpgsql ${DEFINER} AS $$
    DECLARE
      org uuid := crm_pool_caller();
      r pool_reveals := crm_pool_reveal_lock(p_reveal, org);
      k int;
      shown int;
    BEGIN
      IF r.requester_org_id <> org THEN
        RAISE EXCEPTION 'Only the organization that asked for a reveal copies it' USING ERRCODE = 'CP403';
      END IF;
      IF r.status <> 'APPROVED' THEN
        RAISE EXCEPTION 'The reveal is %: only an approved reveal is copied', lower(r.status)
          USING ERRCODE = 'CP409', COLUMN = 'id';
      END IF;
      IF p_people IS NULL OR p_matched IS NULL OR p_created IS NULL OR p_people < 0 OR p_matched < 0 OR p_created < 0 THEN
        RAISE EXCEPTION 'The counts of a copy are whole numbers' USING ERRCODE = 'CP400';
      END IF;
      UPDATE pool_reveals SET status = 'COPIED', copied_at = now(), people = p_people, matched = p_matched,
          created = p_created, updated_at = now()
       WHERE pool_id = r.pool_id AND id = r.id;
      k := crm_pool_effective_k(r.pool_id, ARRAY[r.publisher_org_id, r.requester_org_id]);
      shown := crm_pool_noisy(p_matched, k, crm_pool_reveal_seed(r));
      -- created is people - matched: shown from the same noisy figure, so that it tells nothing more
      PERFORM crm_pool_log(r.pool_id, 'REVEAL_COPY', ARRAY[r.publisher_org_id], ARRAY[r.segment_id], r.purpose, NULL,
                           jsonb_build_object('people', p_people, 'matched', shown,
                                              'created', CASE WHEN shown IS NOT NULL THEN greatest(p_people - shown, 0) END),
                           p_user);
    END $$;
`;
