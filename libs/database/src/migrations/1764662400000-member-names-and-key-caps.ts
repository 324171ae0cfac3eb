import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A member's display name belongs to the membership: one user may belong to
 * several organizations, and the name one of them gave must not show in
 * another (users.name did: addMember answered with it). users.name is copied
 * to the user's first membership only (the organization whose addMember created
 * the user, and so named it), then dropped; crm_ensure_user takes no name and
 * returns only the id, whether the user existed or not.
 *
 * An API key created by an ADMIN for someone else acts at most as ADMIN
 * (role_cap), even once its member becomes OWNER: the ADMIN has seen its token.
 * Existing keys created by someone other than their member, who is not an
 * OWNER now, get the cap.
 *
 * Both tables are FORCEd under row-level security: the backfills run with it
 * lifted for this transaction (the owner running migrations need not be a superuser).
 */
export class MemberNamesAndKeyCaps1764662400000 implements MigrationInterface {
  name = 'MemberNamesAndKeyCaps1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE memberships ADD COLUMN name text;
      ALTER TABLE api_keys ADD COLUMN role_cap text CHECK (role_cap IN ('ADMIN', 'EDITOR', 'VIEWER', 'ANALYST'));

      ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
      ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY;
      UPDATE memberships m SET name = u.name
        FROM users u, LATERAL (SELECT first.org_id FROM memberships first WHERE first.user_id = u.id
                                ORDER BY first.created_at, first.org_id LIMIT 1) f
       WHERE u.id = m.user_id AND m.org_id = f.org_id AND u.name IS NOT NULL;
      UPDATE api_keys k SET role_cap = 'ADMIN'
       WHERE k.created_by IS NOT NULL AND k.created_by <> k.user_id
         AND NOT EXISTS (SELECT 1 FROM memberships c WHERE c.org_id = k.org_id AND c.user_id = k.created_by AND c.role = 'OWNER');
      ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
      ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

      DROP FUNCTION crm_ensure_user(citext, text);
      ALTER TABLE users DROP COLUMN name;

      -- Finds or creates the user with this email; the only way the application writes users,
      -- since it cannot see users outside its organization. It answers the id and nothing else,
      -- the same way whether the user existed (in another organization) or not.
      CREATE FUNCTION crm_ensure_user(p_email citext) RETURNS uuid
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
        DECLARE found_id uuid;
        BEGIN
          IF crm_current_org() IS NULL THEN
            RAISE EXCEPTION 'crm_ensure_user needs a tenant' USING ERRCODE = '42501';
          END IF;
          INSERT INTO users (email) VALUES (p_email)
            ON CONFLICT (email) DO NOTHING RETURNING id INTO found_id;
          IF found_id IS NULL THEN
            SELECT id INTO found_id FROM users WHERE email = p_email;
          END IF;
          RETURN found_id;
        END $$;
      REVOKE ALL ON FUNCTION crm_ensure_user(citext) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION crm_ensure_user(citext) TO crm_app;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION crm_ensure_user(citext);
      ALTER TABLE users ADD COLUMN name text;
      ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY;
      UPDATE users u SET name = (SELECT m.name FROM memberships m WHERE m.user_id = u.id AND m.name IS NOT NULL
                                  ORDER BY m.created_at, m.org_id LIMIT 1);
      ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
      ALTER TABLE memberships DROP COLUMN name;
      ALTER TABLE api_keys DROP COLUMN role_cap;
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
      GRANT EXECUTE ON FUNCTION crm_ensure_user(citext, text) TO crm_app;
    `);
  }
}
