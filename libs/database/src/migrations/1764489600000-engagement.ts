import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Engagement: what each person did (interactions), their daily rollups for analytics, the organization's own
 * interaction types and disciplines, and the email address a hard bounce made undeliverable.
 */
export class Engagement1764489600000 implements MigrationInterface {
  name = 'Engagement1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Interaction types and disciplines an organization adds to the built-in ones (engagement-terms.ts).
      CREATE TABLE interaction_terms (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('TYPE', 'DISCIPLINE')),
        key text NOT NULL CHECK (key ~ '^[A-Z][A-Z0-9_]{0,62}$'),
        label text NOT NULL CHECK (length(trim(label)) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, kind, key)
      );

      CREATE TABLE interactions (
        org_id uuid NOT NULL,
        -- time-ordered: recent rows are appended to the indexes instead of scattered through them
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        contact_id uuid NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        -- the show, exhibition, concert or workshop; grouped by its id, else by its name
        offering_id text,
        offering_name text,
        discipline text,
        venue text,
        amount_cents bigint CHECK (amount_cents >= 0),
        currency char(3) CHECK ((amount_cents IS NULL) = (currency IS NULL)),
        quantity integer CHECK (quantity >= 0),
        channel text,
        campaign text,
        -- the system it came from and its id there: recording it again changes nothing
        source text,
        external_id text,
        attributes jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        UNIQUE (org_id, source, external_id),
        CHECK ((external_id IS NULL) OR (source IS NOT NULL)),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      -- a contact's timeline and engagement summary
      CREATE INDEX interactions_contact_idx ON interactions (org_id, contact_id, occurred_at DESC, id DESC);
      -- analytics over a time range
      CREATE INDEX interactions_time_idx ON interactions (org_id, occurred_at);

      -- Interactions added up by day (America/Toronto) and by what analytics group them by: counts, amounts (CAD) and
      -- quantities of any period whose bounds are local midnights, without reading the interactions. Kept by the
      -- triggers below in the statement that inserts or deletes interactions; '' stands for no value (keys are NOT NULL).
      CREATE TABLE interaction_rollups (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        day date NOT NULL,
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
        PRIMARY KEY (org_id, day, type, discipline, offering, venue, campaign, channel)
      );

      -- Interactions are never updated but for contact_id (a merge moves them), which the rollups do not depend on.
      CREATE FUNCTION crm_rollup_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
      BEGIN
        -- without a tenant (the owner removing an organization, rollups included) there is nothing to keep
        IF crm_current_org() IS NULL THEN RETURN NULL; END IF;
        INSERT INTO interaction_rollups AS r (org_id, day, type, discipline, offering, venue, campaign, channel, offering_name,
                                              interactions, amount_cents, quantity)
        SELECT org_id, (occurred_at AT TIME ZONE 'America/Toronto')::date, type, coalesce(discipline, ''),
               coalesce(offering_id, offering_name, ''), coalesce(venue, ''), coalesce(campaign, ''), coalesce(channel, ''), max(offering_name),
               sign * count(*), sign * coalesce(sum(amount_cents) FILTER (WHERE currency = 'CAD'), 0), sign * coalesce(sum(quantity), 0)
          FROM changed_rows
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
         -- one order for every statement: concurrent ones lock shared rows in the same order, never in a cycle
         ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
        ON CONFLICT (org_id, day, type, discipline, offering, venue, campaign, channel) DO UPDATE
          SET interactions = r.interactions + EXCLUDED.interactions, amount_cents = r.amount_cents + EXCLUDED.amount_cents,
              quantity = r.quantity + EXCLUDED.quantity, offering_name = coalesce(EXCLUDED.offering_name, r.offering_name);
        RETURN NULL;
      END $$;
      CREATE TRIGGER interactions_rollup_insert AFTER INSERT ON interactions
        REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_rollup_interactions();
      CREATE TRIGGER interactions_rollup_delete AFTER DELETE ON interactions
        REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_rollup_interactions();

      -- The address a hard bounce made undeliverable: it stops being undeliverable when the email changes.
      ALTER TABLE contacts ADD COLUMN bounced_email text, ADD COLUMN bounced_at timestamptz;
    `);
    for (const table of ['interaction_terms', 'interactions', 'interaction_rollups']) {
      await q.query(enableTenantIsolation(table));
    }
    await q.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON interaction_terms, interactions, interaction_rollups TO crm_app;`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts DROP COLUMN bounced_email, DROP COLUMN bounced_at;
      DROP TABLE interaction_rollups, interactions, interaction_terms;
      DROP FUNCTION crm_rollup_interactions();
    `);
  }
}
