import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantIsolation } from './tenant-isolation.sql.js';

/**
 * Organizations, members, API keys and contacts (with tags, consent, external
 * ids and typed custom attributes). Every tenant table has org_id first in its
 * primary key and unique constraints, and FORCEd row-level security.
 */
export class Init1764144000000 implements MigrationInterface {
  name = 'Init1764144000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS unaccent;
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE EXTENSION IF NOT EXISTS citext;
      CREATE EXTENSION IF NOT EXISTS pgcrypto;
      CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

      -- unaccent() is only STABLE; indexes need an IMMUTABLE wrapper with a fixed dictionary.
      CREATE FUNCTION crm_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

      -- The tenant of the current transaction, NULL when none is set (then every policy hides every row).
      CREATE FUNCTION crm_current_org() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;

      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(trim(name)) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
      ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON organizations
        USING (id = crm_current_org()) WITH CHECK (id = crm_current_org());

      -- People who sign in; one user may belong to several organizations.
      -- Not a tenant table: readable only through a membership of the current organization.
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email citext NOT NULL UNIQUE,
        name text,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE memberships (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id),
        role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'EDITOR', 'ANALYST', 'VIEWER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, user_id)
      );
      CREATE INDEX memberships_user_idx ON memberships (user_id);

      ALTER TABLE users ENABLE ROW LEVEL SECURITY;
      CREATE POLICY member_of_current_org ON users FOR SELECT
        USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = crm_current_org()));

      -- Finds or creates the user with this email; the only way the application writes users,
      -- since it cannot see users outside its organization.
      CREATE FUNCTION crm_ensure_user(p_email citext, p_name text) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE found_id uuid;
        BEGIN
          IF crm_current_org() IS NULL THEN
            RAISE EXCEPTION 'crm_ensure_user needs a tenant' USING ERRCODE = '42501';
          END IF;
          INSERT INTO users (email, name) VALUES (p_email, p_name)
            ON CONFLICT (email) DO NOTHING RETURNING id INTO found_id;
          IF found_id IS NULL THEN
            SELECT id INTO found_id FROM users WHERE email = p_email;
          END IF;
          RETURN found_id;
        END $$;

      -- API keys: the key reads crm_<org id>_<prefix>_<secret>; only a SHA-256 of the secret is kept.
      CREATE TABLE api_keys (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        name text NOT NULL,
        prefix text NOT NULL,
        secret_hash bytea NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        UNIQUE (org_id, prefix),
        FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
      );

      CREATE TABLE contacts (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        first_name text,
        last_name text,
        email text,
        phone text,
        address_line1 text,
        address_line2 text,
        city text,
        postal_code text COLLATE "C",
        region text,
        country text,
        preferred_language text CHECK (preferred_language IN ('fr', 'en')),
        birth_date date,
        attributes jsonb NOT NULL DEFAULT '{}',
        -- What was entered, for the fields whose stored value was normalized differently.
        entered jsonb NOT NULL DEFAULT '{}',
        search_text text GENERATED ALWAYS AS (crm_unaccent(lower(
          coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')))) STORED,
        sort_name text GENERATED ALWAYS AS (crm_unaccent(lower(
          coalesce(last_name, '') || ' ' || coalesce(first_name, '')))) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id)
      );
      CREATE INDEX contacts_sort_name_idx ON contacts (org_id, sort_name, id);
      CREATE INDEX contacts_created_idx ON contacts (org_id, created_at, id);
      CREATE INDEX contacts_updated_idx ON contacts (org_id, updated_at, id);
      CREATE INDEX contacts_email_idx ON contacts (org_id, email);
      CREATE INDEX contacts_postal_code_idx ON contacts (org_id, postal_code);
      CREATE INDEX contacts_region_idx ON contacts (org_id, region);

      -- Search index: the unaccented, lowercased words of each contact's names and email.
      -- Row-level security keeps non-leakproof operators (LIKE, trigram, @>) from using
      -- indexes, since policy conditions must run first; btree comparisons on text are
      -- leakproof, so a prefix range over these tokens stays an index scan under RLS.
      CREATE TABLE contact_search_tokens (
        org_id uuid NOT NULL,
        token text COLLATE "C" NOT NULL,
        contact_id uuid NOT NULL,
        PRIMARY KEY (org_id, token, contact_id),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX contact_search_tokens_contact_idx ON contact_search_tokens (org_id, contact_id);

      CREATE FUNCTION crm_index_contact_search() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          DELETE FROM contact_search_tokens t
           USING old_rows o JOIN new_rows n ON n.org_id = o.org_id AND n.id = o.id
           WHERE t.org_id = o.org_id AND t.contact_id = o.id AND n.search_text IS DISTINCT FROM o.search_text;
          INSERT INTO contact_search_tokens (org_id, token, contact_id)
            SELECT DISTINCT n.org_id, word, n.id
              FROM new_rows n JOIN old_rows o ON o.org_id = n.org_id AND o.id = n.id,
                   regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word
             WHERE word <> '' AND n.search_text IS DISTINCT FROM o.search_text;
        ELSE
          INSERT INTO contact_search_tokens (org_id, token, contact_id)
            SELECT DISTINCT n.org_id, word, n.id
              FROM new_rows n, regexp_split_to_table(n.search_text, '[^a-z0-9]+') AS word
             WHERE word <> '';
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_index_contact_search();
      CREATE TRIGGER contacts_search_update AFTER UPDATE ON contacts
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_index_contact_search();
      CREATE INDEX contacts_attributes_idx ON contacts USING gin (attributes jsonb_path_ops);

      CREATE TABLE contact_external_ids (
        org_id uuid NOT NULL,
        source text NOT NULL CHECK (length(source) > 0),
        external_id text NOT NULL CHECK (length(external_id) > 0),
        contact_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, source, external_id),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX contact_external_ids_contact_idx ON contact_external_ids (org_id, contact_id);

      CREATE TABLE tags (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name citext NOT NULL CHECK (length(trim(name)) > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        UNIQUE (org_id, name)
      );

      CREATE TABLE contact_tags (
        org_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        tag_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, contact_id, tag_id),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, tag_id) REFERENCES tags (org_id, id) ON DELETE CASCADE
      );
      CREATE INDEX contact_tags_tag_idx ON contact_tags (org_id, tag_id, contact_id);

      -- Consent is a log: the current state per purpose is the latest record (a withdrawal wins a tie).
      CREATE TABLE consents (
        org_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL,
        purpose text NOT NULL CHECK (purpose IN ('EMAIL_MARKETING', 'SMS', 'PARTNER_SHARING', 'PROFILING')),
        status text NOT NULL CHECK (status IN ('GRANTED', 'WITHDRAWN')),
        legal_basis text CHECK (legal_basis IN ('EXPRESS', 'IMPLIED')),
        implied_reason text CHECK (implied_reason IN ('PURCHASE', 'DONATION', 'MEMBERSHIP', 'VOLUNTEER', 'INQUIRY', 'PUBLISHED_ADDRESS')),
        source text NOT NULL CHECK (length(source) > 0),
        proof text,
        occurred_at timestamptz NOT NULL,
        expires_at timestamptz,
        recorded_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, id),
        FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
        CHECK (status = 'WITHDRAWN' OR legal_basis IS NOT NULL),
        CHECK ((legal_basis = 'IMPLIED') = (implied_reason IS NOT NULL) OR status = 'WITHDRAWN')
      );
      CREATE INDEX consents_contact_idx ON consents (org_id, contact_id, purpose, occurred_at DESC);

      -- Per-organization definitions of the custom attributes kept in contacts.attributes.
      CREATE TABLE attribute_definitions (
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
        label text NOT NULL,
        type text NOT NULL CHECK (type IN ('TEXT', 'NUMBER', 'DATE', 'BOOLEAN', 'CHOICE')),
        choices text[],
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (org_id, key),
        CHECK ((type = 'CHOICE') = (choices IS NOT NULL))
      );
    `);
    for (const table of [
      'memberships',
      'api_keys',
      'contacts',
      'contact_search_tokens',
      'contact_external_ids',
      'tags',
      'contact_tags',
      'consents',
      'attribute_definitions',
    ]) {
      await q.query(enableTenantIsolation(table));
    }
    await q.query(`
      GRANT USAGE ON SCHEMA public TO crm_app;
      GRANT SELECT, INSERT, UPDATE, DELETE ON organizations, memberships, api_keys, contacts,
        contact_search_tokens, contact_external_ids, tags, contact_tags, consents, attribute_definitions TO crm_app;
      GRANT SELECT ON users TO crm_app;
      GRANT EXECUTE ON FUNCTION crm_ensure_user(citext, text) TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE attribute_definitions, consents, contact_tags, tags, contact_external_ids, contact_search_tokens, contacts,
        api_keys, memberships, users, organizations;
      DROP FUNCTION crm_ensure_user(citext, text);
      DROP FUNCTION crm_index_contact_search();
      DROP FUNCTION crm_current_org();
      DROP FUNCTION crm_unaccent(text);
    `);
  }
}
