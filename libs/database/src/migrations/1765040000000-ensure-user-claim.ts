import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `crm_ensure_user` (the one way the application writes users) asked only that a tenant be set: a holder of
 * crm_app's password could set an unsigned claim and create users. It now checks the claim's signature too, as every
 * tenant policy does (`crm_tenant_verified()` raises 42501 on a bad claim), and resolves names in pg_catalog and
 * public only.
 */
export class EnsureUserClaim1765040000000 implements MigrationInterface {
  name = 'EnsureUserClaim1765040000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(body('crm_current_org() IS NULL OR NOT crm_tenant_verified()', 'pg_catalog, public'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(body('crm_current_org() IS NULL', 'public, pg_temp'));
  }
}

function body(refused: string, searchPath: string): string {
  return `
    CREATE OR REPLACE FUNCTION crm_ensure_user(p_email citext) RETURNS uuid
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${searchPath}
      AS $$
      DECLARE found_id uuid;
      BEGIN
        IF ${refused} THEN
          RAISE EXCEPTION 'crm_ensure_user needs a tenant' USING ERRCODE = '42501';
        END IF;
        INSERT INTO users (email) VALUES (p_email)
          ON CONFLICT (email) DO NOTHING RETURNING id INTO found_id;
        IF found_id IS NULL THEN
          SELECT id INTO found_id FROM users WHERE email = p_email;
        END IF;
        RETURN found_id;
      END $$;
  `;
}
