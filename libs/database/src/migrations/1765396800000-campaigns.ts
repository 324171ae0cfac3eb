import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_POLICY } from './tenant-isolation.sql.js';

/** Where a campaign is in its life. */
export const CAMPAIGN_STATUSES = ['DRAFT', 'SCHEDULED', 'SENDING', 'PAUSED', 'SENT', 'CANCELLED'] as const;

/**
 * Where one message is: QUEUED until a dispatch sends it; SENT once the SMTP server holds it (the mark commits just
 * before the end of its DATA); DELIVERED when the server accepted it; BOUNCED on a hard rejection (at once or by a
 * delivery-status notification); FAILED when it could not be handed over for another reason; CANCELLED when its
 * campaign was cancelled first.
 */
export const MESSAGE_STATUSES = ['QUEUED', 'SENT', 'DELIVERED', 'BOUNCED', 'FAILED', 'CANCELLED'] as const;

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

const TENANT_TABLES = [
  'campaign_settings',
  'sender_identities',
  'campaigns',
  'campaign_audiences',
  'campaign_links',
  'campaign_messages',
];

/**
 * Engagement campaigns (issue 16): an organization's email to its audiences.
 *
 * - `campaign_settings`: the organization's frequency cap (at most N campaigns per person in D days).
 * - `sender_identities`: who a campaign is from: names and addresses, and the mailing address and contact line CASL
 *   requires in every commercial message.
 * - `campaigns`: content per language (variants: [{language, subject, html, text}]), audiences, schedule, rate, the
 *   attribution window; `version` grows with each edit and schedule, so a queued snapshot of an older version skips.
 * - `campaign_links`: the links of the content, numbered: a click token names a link by number, and the redirect goes
 *   only to a link listed here (never an open redirect).
 * - `campaign_messages`: the recipient snapshot, one message per contact and campaign (the snapshot job takes it once,
 *   in one transaction), with what happened to it; a contact merge moves the merged contacts' messages to the survivor; first open, first click and unsubscribe times make the
 *   campaign's figures one scan of its messages.
 */
export class Campaigns1765396800000 implements MigrationInterface {
  name = 'Campaigns1765396800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_settings (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        -- at most frequency_cap_count campaigns per person in frequency_cap_days days; null count: no cap
        frequency_cap_count int CHECK (frequency_cap_count BETWEEN 1 AND 100),
        frequency_cap_days int NOT NULL DEFAULT 7 CHECK (frequency_cap_days BETWEEN 1 AND 365),
        PRIMARY KEY (org_id)
      );

      CREATE TABLE sender_identities (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        from_name text NOT NULL CHECK (length(trim(from_name)) > 0),
        from_email text NOT NULL,
        reply_to text,
        -- CASL s. 6(2) and its regulations: a mailing address and a telephone, email or web contact in every message
        mailing_address text NOT NULL CHECK (length(trim(mailing_address)) > 0),
        contact_line text NOT NULL CHECK (length(trim(contact_line)) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id)
      );

      CREATE TABLE campaigns (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        name text NOT NULL CHECK (length(trim(name)) > 0),
        channel text NOT NULL DEFAULT 'EMAIL' CHECK (channel IN ('EMAIL')),
        status text NOT NULL DEFAULT 'DRAFT' CHECK (status IN (${list(CAMPAIGN_STATUSES)})),
        sender_id uuid,
        default_language text NOT NULL DEFAULT 'fr' CHECK (default_language IN ('fr', 'en')),
        variants jsonb NOT NULL DEFAULT '[]',
        scheduled_at timestamptz,
        -- messages per minute
        send_rate int NOT NULL DEFAULT 600 CHECK (send_rate BETWEEN 1 AND 100000),
        attribution_days int NOT NULL DEFAULT 7 CHECK (attribution_days BETWEEN 1 AND 90),
        version int NOT NULL DEFAULT 1,
        -- why people were left out when the snapshot was taken ({reason: count}), and how many it kept
        exclusions jsonb,
        recipients int,
        duplicated_from uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sending_at timestamptz,
        sent_at timestamptz,
        cancelled_at timestamptz,
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, sender_id) REFERENCES sender_identities (org_id, id)
      );
      CREATE INDEX campaigns_created_idx ON campaigns (org_id, created_at DESC, id DESC);

      CREATE TABLE campaign_audiences (
        org_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        audience_id uuid NOT NULL,
        excluded boolean NOT NULL,
        PRIMARY KEY (org_id, campaign_id, audience_id),
        FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, audience_id) REFERENCES audiences (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX campaign_audiences_audience_idx ON campaign_audiences (org_id, audience_id);

      CREATE TABLE campaign_links (
        org_id uuid NOT NULL,
        campaign_id uuid NOT NULL,
        idx int NOT NULL CHECK (idx >= 0),
        url text NOT NULL,
        PRIMARY KEY (org_id, campaign_id, idx),
        FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
      );

      CREATE TABLE campaign_messages (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT crm_uuidv7(),
        campaign_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        -- as at the snapshot: where it goes, in which language, through which audience, the contact's region then
        email text NOT NULL,
        language text NOT NULL CHECK (language IN ('fr', 'en')),
        audience_id uuid,
        region text,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN (${list(MESSAGE_STATUSES)})),
        sent_at timestamptz,
        delivered_at timestamptz,
        bounced_at timestamptz,
        -- the server's reply or the failure, short (never shown to another organization)
        failure text CHECK (length(failure) <= 300),
        opened_at timestamptz,
        clicked_at timestamptz,
        unsubscribed_at timestamptz,
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      -- the dispatch's next messages
      CREATE INDEX campaign_messages_queue_idx ON campaign_messages (org_id, campaign_id, id) WHERE status = 'QUEUED';
      -- a campaign's messages of a person (not unique: a merge gives the survivor the messages of the contacts merged)
      CREATE INDEX campaign_messages_campaign_contact_idx ON campaign_messages (org_id, campaign_id, contact_id);
      -- the frequency cap and attribution: a person's recent messages
      CREATE INDEX campaign_messages_contact_idx ON campaign_messages (org_id, contact_id, sent_at);
    `);
    for (const table of TENANT_TABLES) {
      await q.query(`
        ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
        ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON ${table} USING (${TENANT_POLICY('org_id')}) WITH CHECK (${TENANT_POLICY('org_id')});
        GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO crm_app;
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${[...TENANT_TABLES].reverse().join(', ')}`);
  }
}
