import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Engagement: what each person did (interactions), the organization's own interaction types and disciplines, and
 * the email address a hard bounce made undeliverable.
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

      -- The address a hard bounce made undeliverable: it stops being undeliverable when the email changes.
      ALTER TABLE contacts ADD COLUMN bounced_email text, ADD COLUMN bounced_at timestamptz;
    `);
    for (const table of ['interaction_terms', 'interactions']) {
      await q.query(enableTenantIsolation(table));
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON interaction_terms, interactions TO crm_app;`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE contacts DROP COLUMN bounced_email, DROP COLUMN bounced_at;
      DROP TABLE interactions, interaction_terms;
    `);
  }
}
