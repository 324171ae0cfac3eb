import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

const TABLES = [
  'interaction_monthly_rollups',
  'contact_activity',
  'activity_transitions',
  'activity_cohorts',
  'consent_states',
];

/**
 * The rollup rows of a set of interactions, `sign` times their figures, by `period` (an expression of occurred_at)
 * and the rollups' keys: the same grouping for the trigger that keeps the rollups and the rebuild that makes them.
 */
const rollupsOf = (period: string, interactions: string, sign = '1') => `
  SELECT org_id, ${period}, type, coalesce(discipline, ''), coalesce(offering_id, offering_name, ''), coalesce(venue, ''),
         coalesce(campaign, ''), coalesce(channel, ''), max(offering_name), ${sign} * count(*),
         ${sign} * coalesce(sum(amount_cents) FILTER (WHERE currency = 'CAD'), 0), ${sign} * coalesce(sum(quantity), 0)
    FROM ${interactions}
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
const DAY = `(occurred_at AT TIME ZONE 'America/Toronto')::date`;
const MONTH = `date_trunc('month', occurred_at AT TIME ZONE 'America/Toronto')::date`;
/** Adds a statement's rows to the rollups' (the same for daily and monthly ones). */
const ADD_TO_ROLLUP = `SET interactions = r.interactions + EXCLUDED.interactions, amount_cents = r.amount_cents + EXCLUDED.amount_cents,
              quantity = r.quantity + EXCLUDED.quantity, offering_name = coalesce(EXCLUDED.offering_name, r.offering_name)`;

/**
 * Each (contact_id, purpose)'s granted_until from its consent records (`records`: rows of consents): when the latest
 * grant after the latest withdrawal ends. The same for the trigger and the rebuild.
 */
const grantedUntilOf = (records: string) => `
  SELECT contact_id, purpose,
         max(coalesce(expires_at, 'infinity')) FILTER (WHERE status = 'GRANTED' AND occurred_at > withdrawn) AS granted_until
    FROM (SELECT r.contact_id, r.purpose, r.status, r.occurred_at, r.expires_at,
                 coalesce(max(r.occurred_at) FILTER (WHERE r.status = 'WITHDRAWN') OVER (PARTITION BY r.contact_id, r.purpose),
                          '-infinity') AS withdrawn
            FROM ${records}) AS records
   GROUP BY contact_id, purpose`;

/**
 * crm_consent_states_refresh(org, contacts, purposes, removed): the consent states of (contact, purpose) keys computed
 * again from their records. `recordsInOrder` (migration 1765800000000) reads each key's records in the order of
 * consents_contact_idx with sorts disabled, so that only that index can serve them (see there).
 */
export const consentStatesRefresh = (recordsInOrder = false) => {
  const byRecency = recordsInOrder ? ' ORDER BY r.occurred_at DESC' : '';
  return `
  CREATE OR REPLACE FUNCTION crm_consent_states_refresh(org uuid, contacts uuid[], purposes text[], removed boolean) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off${recordsInOrder ? ' SET enable_sort = off' : ''} AS $$
  BEGIN
    INSERT INTO consent_states (org_id, contact_id, purpose, granted_until)
    SELECT DISTINCT org, k.contact_id, k.purpose, NULL::timestamptz FROM unnest(contacts, purposes) AS k (contact_id, purpose)
     ORDER BY 2, 3 ON CONFLICT DO NOTHING;
    PERFORM 1 FROM (SELECT DISTINCT * FROM unnest(contacts, purposes) ORDER BY 1, 2) AS k (contact_id, purpose)
      CROSS JOIN LATERAL (SELECT 1 FROM consent_states s
                           WHERE s.org_id = org AND s.purpose = k.purpose AND s.contact_id = k.contact_id FOR UPDATE) AS locked;
    INSERT INTO consent_states AS s (org_id, contact_id, purpose, granted_until)
    SELECT org, * FROM (${grantedUntilOf(`(SELECT DISTINCT * FROM unnest(contacts, purposes)) AS k (contact_id, purpose)
        CROSS JOIN LATERAL (SELECT * FROM consents r
                             WHERE r.org_id = org AND r.contact_id = k.contact_id AND r.purpose = k.purpose${byRecency} OFFSET 0) AS r`)}) AS computed
    ON CONFLICT (org_id, purpose, contact_id) DO UPDATE SET granted_until = EXCLUDED.granted_until
     WHERE s.granted_until IS DISTINCT FROM EXCLUDED.granted_until;
    -- no record left (only a delete or an update takes one away): UNKNOWN, no row
    IF removed THEN
      DELETE FROM consent_states s WHERE s.org_id = org AND s.purpose = ANY (purposes) AND s.contact_id = ANY (contacts)
         AND (SELECT true FROM consents r WHERE r.org_id = org AND r.contact_id = s.contact_id AND r.purpose = s.purpose${byRecency} LIMIT 1) IS NULL;
    END IF;
  END $$;`;
};

/**
 * What analytics reads instead of the interactions (issue 18), kept by the statement triggers of interactions in the
 * transaction that writes them, and rebuilt for an organization by crm_engagement_rebuild(org)
 * (`npm run crm -- engagement:rebuild --org …`; this migration runs it for every organization).
 *
 * - `interaction_monthly_rollups`: the daily rollups added up by month (America/Toronto), same keys: a year is a few
 *   thousand rows instead of a hundred thousand.
 * - `contact_activity`: each contact's active months (America/Toronto) in each series: ALL (any interaction), ACTIVE
 *   (any but the passive ones: sent, delivered, bounced, unsubscribed, PASSIVE_TYPES in contact-engagement.ts) and
 *   'D:' || discipline ('D:' for none). It is the state the two tables below are kept from, a row lock per series.
 * - `activity_transitions`: per series, how many contacts were active in `month` with their previous active month
 *   `previous` ('-infinity' for none). The distinct contacts of a series over whole months [a, b) are the rows with
 *   a <= month < b and previous < a: each contact counted once, at its first month in the range. Exact, and a sum over
 *   a few hundred rows instead of a distinct count over millions of interactions.
 * - `activity_cohorts`: per unit (month, quarter, year), how many contacts whose first ACTIVE period is `cohort`
 *   were active in `period`: retention's cohorts as they are (cohort = period is the cohort's size).
 * - `interactions_type_time_idx`: interactions of some types over a time range, read from the index alone.
 * - `consent_states`: each contact's consent for each purpose, so that a condition on it (a contact filter, an audience
 *   rule) reads an index instead of a window over every consent record. `granted_until` is when the latest live grant
 *   ends ('infinity' without expiry), NULL when every grant is at or before the latest withdrawal. At `now`: GRANTED
 *   when granted_until > now, EXPIRED when not, WITHDRAWN when NULL; no row is UNKNOWN. The rule of
 *   consent-state.sql.ts over the records (test/audience-rules.int-spec.ts checks both against currentConsent()).
 *   Kept by statement triggers on consents: the (contact, purpose) rows a statement touches are locked (created empty
 *   first when new), then computed again from the records.
 *
 * Concurrency: inserts add months; a contact's series is locked before it changes and read after the lock, so that two
 * transactions adding to one contact apply one after the other. Interactions arriving in order append months after a
 * contact's last one: only that last month and the new ones are compared, whatever the contact's history. Deletes and updates (a merge moves interactions)
 * recompute the contacts they touch from their interactions, after locking those contacts FOR UPDATE: that waits for
 * the transactions inserting their interactions, which hold the KEY SHARE lock of the interactions' foreign key until
 * they commit, so nothing they add is missed.
 */
export class EngagementActivity1765713600000 implements MigrationInterface {
  name = 'EngagementActivity1765713600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interaction_monthly_rollups (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        month date NOT NULL,
        type text NOT NULL,
        discipline text NOT NULL,
        offering text NOT NULL,
        venue text NOT NULL,
        campaign text NOT NULL,
        channel text NOT NULL,
        offering_name text,
        interactions bigint NOT NULL,
        amount_cents bigint NOT NULL,
        quantity bigint NOT NULL,
        PRIMARY KEY (org_id, month, type, discipline, offering, venue, campaign, channel)
      );

      -- Interactions of some types over a time range, read without their rows: email rates (delivered, opened,
      -- clicked by campaign) and audience rules (tickets of some disciplines in the last year, donations' amounts).
      CREATE INDEX interactions_type_time_idx ON interactions (org_id, type, occurred_at)
        INCLUDE (contact_id, campaign, discipline, amount_cents, currency, quantity);

      -- No foreign key to contacts: a deleted contact's rows go when its interactions do (the delete trigger below).
      CREATE TABLE contact_activity (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL,
        series text COLLATE "C" NOT NULL,
        -- first days of months (America/Toronto), ascending, distinct, never empty
        months date[] NOT NULL,
        PRIMARY KEY (org_id, contact_id, series)
      );

      CREATE TABLE activity_transitions (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        series text COLLATE "C" NOT NULL,
        month date NOT NULL,
        previous date NOT NULL,
        contacts bigint NOT NULL,
        PRIMARY KEY (org_id, series, month, previous)
      );

      CREATE TABLE activity_cohorts (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        unit text NOT NULL CHECK (unit IN ('month', 'quarter', 'year')),
        cohort date NOT NULL,
        period date NOT NULL,
        contacts bigint NOT NULL,
        PRIMARY KEY (org_id, unit, cohort, period)
      );

      CREATE TABLE consent_states (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        contact_id uuid NOT NULL,
        purpose text NOT NULL,
        granted_until timestamptz,
        -- one index, for the triggers' lookups by key and for rules, which read a purpose's contacts and their states
        -- from it alone; a second one, on (org_id, purpose, granted_until), was chosen for lookups by key and read an
        -- organization's every row for each
        PRIMARY KEY (org_id, purpose, contact_id) INCLUDE (granted_until)
      );

      -- The functions that keep these tables read and lock a statement's rows one key at a time: in a LATERAL subquery
      -- the planner cannot flatten (FOR UPDATE, OFFSET 0), a scalar subquery, or a scan bounded by "key = ANY (keys)",
      -- so that no estimate changes the plan. Estimates are averages over organizations, and one organization importing
      -- in a single transaction is far from the average: a join left to the planner put the organization's rows outside
      -- and the batch inside, which went quadratic (minutes per batch); without an index the planner also chose hash
      -- joins over all 3.7 million rows at 1 million contacts (hence enable_seqscan = off).
      ${consentStatesRefresh()}

      CREATE FUNCTION crm_consents_changed() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        org uuid := crm_current_org();
      BEGIN
        -- without a tenant (the owner's bulk work) there is nothing to keep: crm_engagement_rebuild catches up
        IF org IS NULL THEN RETURN NULL; END IF;
        IF TG_OP = 'INSERT' THEN
          PERFORM crm_consent_states_refresh(org, array_agg(contact_id), array_agg(purpose), false) FROM new_rows WHERE org_id = org;
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM crm_consent_states_refresh(org, array_agg(contact_id), array_agg(purpose), true) FROM old_rows WHERE org_id = org;
        ELSE
          PERFORM crm_consent_states_refresh(org, array_agg(contact_id), array_agg(purpose), true)
             FROM (SELECT contact_id, purpose FROM old_rows WHERE org_id = org
                   UNION SELECT contact_id, purpose FROM new_rows WHERE org_id = org) AS changed;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER consents_states_insert AFTER INSERT ON consents
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_consents_changed();
      CREATE TRIGGER consents_states_delete AFTER DELETE ON consents
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_consents_changed();
      CREATE TRIGGER consents_states_update AFTER UPDATE ON consents
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_consents_changed();

      -- The series an interaction puts its contact's month in: ALL, its discipline's, and ACTIVE unless passive
      -- (PASSIVE_TYPES in contact-engagement.ts: the e2e test checks the two lists agree).
      CREATE FUNCTION crm_activity_series(type text, discipline text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN type IN ('EMAIL_SENT', 'EMAIL_DELIVERED', 'EMAIL_BOUNCED', 'EMAIL_UNSUBSCRIBED')
                    THEN ARRAY['ALL', 'D:' || coalesce(discipline, '')]
                    ELSE ARRAY['ACTIVE', 'ALL', 'D:' || coalesce(discipline, '')] END
      $$;

      -- The first day of an instant's month in America/Toronto, where analytics counts months.
      CREATE FUNCTION crm_local_month(at timestamptz) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT date_trunc('month', at AT TIME ZONE 'America/Toronto')::date
      $$;

      -- A contact's months in a series before and after a change. When the change only appends months after the
      -- last one it had (interactions arriving in order), only the tails from that last month on are compared.
      CREATE TYPE crm_activity_change AS (contact_id uuid, series text, old date[], new date[], appending boolean);

      -- The rows of the contacts' series, and the transitions and cohorts that follow from their change.
      -- (\`written\`: changes whose rows the caller wrote already, only counted.)
      CREATE FUNCTION crm_activity_apply(org uuid, changes crm_activity_change[], written crm_activity_change[] DEFAULT '{}')
        RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
      BEGIN
        -- a series left without months is written empty, then deleted
        INSERT INTO contact_activity AS a (org_id, contact_id, series, months)
        SELECT org, c.contact_id, c.series, c.new FROM unnest(changes) c ORDER BY c.contact_id, c.series
            ON CONFLICT (org_id, contact_id, series) DO UPDATE SET months = EXCLUDED.months;
        DELETE FROM contact_activity a
         WHERE a.org_id = org AND a.contact_id = ANY (ARRAY(SELECT c.contact_id FROM unnest(changes) c WHERE cardinality(c.new) = 0))
           AND a.months = '{}';

        WITH tails AS (
          SELECT c.contact_id, c.series, t.sign, t.months, t.first
            FROM unnest(changes || written) c
            CROSS JOIN LATERAL (
              SELECT -1 AS sign, CASE WHEN c.appending THEN c.old[cardinality(c.old):] ELSE c.old END AS months, c.old[1] AS first
              UNION ALL
              SELECT 1, CASE WHEN c.appending THEN c.new[cardinality(c.old):] ELSE c.new END, c.new[1]) t
        ), chain AS (
          SELECT t.sign, t.series, m.month,
                 coalesce(lag(m.month) OVER (PARTITION BY t.contact_id, t.series, t.sign ORDER BY m.month), '-infinity') AS previous
            FROM tails t CROSS JOIN LATERAL unnest(t.months) AS m (month)
        ), periods AS (
          SELECT DISTINCT t.contact_id, t.sign, u.unit, date_trunc(u.unit, t.first)::date AS cohort,
                 date_trunc(u.unit, m.month)::date AS period
            FROM tails t CROSS JOIN LATERAL unnest(t.months) AS m (month)
            CROSS JOIN (VALUES ('month'), ('quarter'), ('year')) AS u (unit)
           WHERE t.series = 'ACTIVE'
        ), transitions AS (
          -- an appending tail's head gets '-infinity' before and after: it cancels out
          INSERT INTO activity_transitions AS r (org_id, series, month, previous, contacts)
          SELECT org, series, month, previous, sum(sign) FROM chain
           GROUP BY series, month, previous HAVING sum(sign) <> 0
           -- one order for every statement: concurrent ones lock shared rows in the same order, never in a cycle
           ORDER BY series, month, previous
              ON CONFLICT (org_id, series, month, previous) DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts
        )
        INSERT INTO activity_cohorts AS r (org_id, unit, cohort, period, contacts)
        SELECT org, unit, cohort, period, sum(sign) FROM periods
         GROUP BY unit, cohort, period HAVING sum(sign) <> 0
         ORDER BY unit, cohort, period
            ON CONFLICT (org_id, unit, cohort, period) DO UPDATE SET contacts = r.contacts + EXCLUDED.contacts;
      END $$;

      -- Contacts' series as their interactions make them now, after locking the contacts (see above).
      CREATE FUNCTION crm_activity_recompute(org uuid, ids uuid[]) RETURNS void
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
      BEGIN
        PERFORM 1 FROM contacts c WHERE c.org_id = org AND c.id = ANY (ids) ORDER BY c.id FOR UPDATE;
        PERFORM 1 FROM contact_activity a WHERE a.org_id = org AND a.contact_id = ANY (ids)
          ORDER BY a.contact_id, a.series FOR UPDATE;
        PERFORM crm_activity_apply(org, ARRAY(
          WITH now AS (
            SELECT i.contact_id, s.series,
                   array_agg(DISTINCT crm_local_month(i.occurred_at) ORDER BY crm_local_month(i.occurred_at)) AS months
              FROM interactions i CROSS JOIN LATERAL unnest(crm_activity_series(i.type, i.discipline)) AS s (series)
             WHERE i.org_id = org AND i.contact_id = ANY (ids)
             GROUP BY i.contact_id, s.series
          ), kept AS (
            SELECT a.contact_id, a.series, a.months FROM contact_activity a WHERE a.org_id = org AND a.contact_id = ANY (ids)
          )
          SELECT ROW(coalesce(n.contact_id, k.contact_id), coalesce(n.series, k.series), coalesce(k.months, '{}'),
                     coalesce(n.months, '{}'), false)::crm_activity_change
            FROM now n FULL JOIN kept k ON k.contact_id = n.contact_id AND k.series = n.series
           WHERE n.months IS DISTINCT FROM k.months
           ORDER BY 1));
      END $$;

      -- Inserted interactions add months to their contacts' series; only the series that gain one change.
      CREATE FUNCTION crm_activity_inserted() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp SET enable_seqscan = off AS $$
      DECLARE
        org uuid := crm_current_org();
        added crm_activity_change[];
        created crm_activity_change[];
      BEGIN
        -- without a tenant (the owner's bulk work) there is nothing to keep: crm_engagement_rebuild catches up
        IF org IS NULL THEN RETURN NULL; END IF;
        added := ARRAY(
          SELECT ROW(n.contact_id, s.series, NULL,
                     array_agg(DISTINCT crm_local_month(n.occurred_at) ORDER BY crm_local_month(n.occurred_at)),
                     NULL)::crm_activity_change
            FROM new_rows n CROSS JOIN LATERAL unnest(crm_activity_series(n.type, n.discipline)) AS s (series)
           WHERE n.org_id = org GROUP BY n.contact_id, s.series ORDER BY n.contact_id, s.series);
        -- most of a batch's months are there already: only the series that gain one go on. (No lock needed to see
        -- it: what a committed row holds is only taken away by a delete, which waits for this transaction.)
        added := ARRAY(
          SELECT d::crm_activity_change FROM unnest(added) d
           WHERE NOT coalesce((SELECT a.months @> d.new FROM contact_activity a
                                WHERE a.org_id = org AND a.contact_id = d.contact_id AND a.series = d.series), false));
        IF cardinality(added) = 0 THEN RETURN NULL; END IF;
        -- a series new to its contact is inserted with its months, and held by this transaction until it commits: another
        -- one adding to it waits, then finds it there
        WITH inserted AS (
          INSERT INTO contact_activity (org_id, contact_id, series, months)
          SELECT org, d.contact_id, d.series, d.new FROM unnest(added) d ORDER BY d.contact_id, d.series
              ON CONFLICT DO NOTHING RETURNING contact_id, series, months)
        SELECT coalesce(array_agg(ROW(contact_id, series, '{}', months, true)::crm_activity_change), '{}') INTO created
          FROM inserted;
        -- the others that gain a month, locked and read in one pass, in key order (FOR UPDATE reads the latest version
        -- of a row another transaction changed meanwhile)
        PERFORM crm_activity_apply(org, ARRAY(
          SELECT ROW(d.contact_id, d.series, a.months,
                     CASE WHEN p.appending THEN a.months || g.gained
                          ELSE ARRAY(SELECT DISTINCT m FROM unnest(a.months || g.gained) AS m ORDER BY 1) END,
                     p.appending)::crm_activity_change
            FROM unnest(added) d
            CROSS JOIN LATERAL (SELECT a.months FROM contact_activity a
                                 WHERE a.org_id = org AND a.contact_id = d.contact_id AND a.series = d.series AND NOT a.months @> d.new
                                   FOR UPDATE) AS a
            CROSS JOIN LATERAL (SELECT ARRAY(SELECT m FROM unnest(d.new) AS m WHERE m <> ALL (a.months) ORDER BY 1) AS gained) g
            CROSS JOIN LATERAL (SELECT cardinality(a.months) = 0 OR g.gained[1] > a.months[cardinality(a.months)] AS appending) p
           ORDER BY d.contact_id, d.series), created);
        RETURN NULL;
      END $$;

      CREATE FUNCTION crm_activity_removed() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        org uuid := crm_current_org();
      BEGIN
        IF org IS NULL THEN RETURN NULL; END IF;
        PERFORM crm_activity_recompute(org, ARRAY(SELECT DISTINCT contact_id FROM old_rows WHERE org_id = org));
        RETURN NULL;
      END $$;

      -- Interactions are never updated but for contact_id (a merge and its undo move them): both contacts change.
      CREATE FUNCTION crm_activity_moved() RETURNS trigger
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        org uuid := crm_current_org();
      BEGIN
        IF org IS NULL THEN RETURN NULL; END IF;
        PERFORM crm_activity_recompute(org, ARRAY(
          SELECT contact_id FROM old_rows WHERE org_id = org UNION SELECT contact_id FROM new_rows WHERE org_id = org));
        RETURN NULL;
      END $$;

      CREATE TRIGGER interactions_activity_insert AFTER INSERT ON interactions
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_activity_inserted();
      CREATE TRIGGER interactions_activity_delete AFTER DELETE ON interactions
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_activity_removed();
      CREATE TRIGGER interactions_activity_update AFTER UPDATE ON interactions
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_activity_moved();

      -- The daily rollups' trigger keeps the monthly ones too, in the same statement and the same key order.
      CREATE OR REPLACE FUNCTION crm_rollup_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
      BEGIN
        -- without a tenant (the owner removing an organization, rollups included) there is nothing to keep
        IF crm_current_org() IS NULL THEN RETURN NULL; END IF;
        INSERT INTO interaction_rollups AS r (org_id, day, type, discipline, offering, venue, campaign, channel, offering_name,
                                              interactions, amount_cents, quantity)
        ${rollupsOf(DAY, 'changed_rows', 'sign')}
         -- one order for every statement: concurrent ones lock shared rows in the same order, never in a cycle
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (org_id, day, type, discipline, offering, venue, campaign, channel) DO UPDATE ${ADD_TO_ROLLUP};
        INSERT INTO interaction_monthly_rollups AS r (org_id, month, type, discipline, offering, venue, campaign, channel,
                                                      offering_name, interactions, amount_cents, quantity)
        ${rollupsOf(MONTH, 'changed_rows', 'sign')}
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (org_id, month, type, discipline, offering, venue, campaign, channel) DO UPDATE ${ADD_TO_ROLLUP};
        RETURN NULL;
      END $$;

      -- Everything above for one organization, from its interactions: for data loaded without a tenant (COPY as the
      -- owner), or to check the tables (a rebuild must change nothing). Contacts go to crm_activity_apply 10,000 at a time.
      CREATE FUNCTION crm_engagement_rebuild(org uuid) RETURNS void
        LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        batch crm_activity_change[];
        after uuid := '00000000-0000-0000-0000-000000000000';
      BEGIN
        DELETE FROM interaction_rollups WHERE org_id = org;
        DELETE FROM interaction_monthly_rollups WHERE org_id = org;
        DELETE FROM contact_activity WHERE org_id = org;
        DELETE FROM activity_transitions WHERE org_id = org;
        DELETE FROM activity_cohorts WHERE org_id = org;
        INSERT INTO interaction_rollups (org_id, day, type, discipline, offering, venue, campaign, channel, offering_name,
                                         interactions, amount_cents, quantity)
        ${rollupsOf(DAY, 'interactions WHERE org_id = org')};
        INSERT INTO interaction_monthly_rollups (org_id, month, type, discipline, offering, venue, campaign, channel,
                                                 offering_name, interactions, amount_cents, quantity)
        SELECT org_id, date_trunc('month', day)::date, type, discipline, offering, venue, campaign, channel, max(offering_name),
               sum(interactions), sum(amount_cents), sum(quantity)
          FROM interaction_rollups WHERE org_id = org GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
        LOOP
          batch := ARRAY(
            SELECT ROW(i.contact_id, s.series, '{}',
                       array_agg(DISTINCT crm_local_month(i.occurred_at) ORDER BY crm_local_month(i.occurred_at)),
                       false)::crm_activity_change
              FROM interactions i CROSS JOIN LATERAL unnest(crm_activity_series(i.type, i.discipline)) AS s (series)
             WHERE i.org_id = org AND i.contact_id IN (
                     SELECT DISTINCT i2.contact_id FROM interactions i2 WHERE i2.org_id = org AND i2.contact_id > after
                      ORDER BY 1 LIMIT 10000)
             GROUP BY i.contact_id, s.series ORDER BY i.contact_id, s.series);
          EXIT WHEN cardinality(batch) = 0;
          PERFORM crm_activity_apply(org, batch);
          after := batch[cardinality(batch)].contact_id;
        END LOOP;
        DELETE FROM consent_states WHERE org_id = org;
        INSERT INTO consent_states (org_id, contact_id, purpose, granted_until)
        SELECT org, * FROM (${grantedUntilOf('consents r WHERE r.org_id = org')}) AS states;
      END $$;
      GRANT EXECUTE ON FUNCTION crm_engagement_rebuild(uuid) TO crm_app;
    `);
    for (const table of TABLES) {
      await q.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON ${table} USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
        GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO crm_app;
      `);
    }
    // existing data: row-level security lifted for this transaction (the owner running migrations need not be a
    // superuser), every organization rebuilt
    await q.query(`
      ALTER TABLE interactions NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE interaction_rollups NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE consents NO FORCE ROW LEVEL SECURITY;
      ${TABLES.map((table) => `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;`).join('\n')}
      SELECT crm_engagement_rebuild(id) FROM organizations;
      ALTER TABLE interactions FORCE ROW LEVEL SECURITY;
      ALTER TABLE interaction_rollups FORCE ROW LEVEL SECURITY;
      ALTER TABLE consents FORCE ROW LEVEL SECURITY;
      ${TABLES.map((table) => `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`).join('\n')}
      ANALYZE ${TABLES.join(', ')};
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER consents_states_insert ON consents;
      DROP TRIGGER consents_states_delete ON consents;
      DROP TRIGGER consents_states_update ON consents;
      DROP FUNCTION crm_consents_changed(), crm_consent_states_refresh(uuid, uuid[], text[], boolean);
      DROP TABLE consent_states;
      DROP TRIGGER interactions_activity_insert ON interactions;
      DROP TRIGGER interactions_activity_delete ON interactions;
      DROP TRIGGER interactions_activity_update ON interactions;
      DROP FUNCTION crm_engagement_rebuild(uuid), crm_activity_moved(), crm_activity_removed(), crm_activity_inserted(),
        crm_activity_recompute(uuid, uuid[]), crm_activity_apply(uuid, crm_activity_change[], crm_activity_change[]),
        crm_activity_series(text, text), crm_local_month(timestamptz);
      DROP TYPE crm_activity_change;
      DROP INDEX interactions_type_time_idx;
      DROP TABLE activity_cohorts, activity_transitions, contact_activity, interaction_monthly_rollups;
      CREATE OR REPLACE FUNCTION crm_rollup_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
      BEGIN
        IF crm_current_org() IS NULL THEN RETURN NULL; END IF;
        INSERT INTO interaction_rollups AS r (org_id, day, type, discipline, offering, venue, campaign, channel, offering_name,
                                              interactions, amount_cents, quantity)
        ${rollupsOf(DAY, 'changed_rows', 'sign')}
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (org_id, day, type, discipline, offering, venue, campaign, channel) DO UPDATE ${ADD_TO_ROLLUP};
        RETURN NULL;
      END $$;
    `);
  }
}
