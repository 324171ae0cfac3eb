import type { MigrationInterface, QueryRunner } from 'typeorm';
import { POOL_BROKER_ROLE } from './1765008000000-pools.js';

/** The search_path of every function that runs with another role's rights. */
export const DEFINER_SEARCH_PATH = 'pg_catalog, public, pg_temp';

/**
 * pg_temp last in the search_path of every SECURITY DEFINER function and of every function of the pools' broker
 * (which run as the broker inside its SECURITY DEFINER functions). PostgreSQL searches the session's temporary schema
 * FIRST for tables unless the path names it; crm_app may create temporary tables (imports stage rows in them), so
 * with `pg_catalog, public` alone it could shadow `pool_members` (or `users`) with a table of its own and pass a
 * function's checks. Functions are never looked up in pg_temp. The earlier migrations' functions, fixed here;
 * test/isolation.int-spec.ts checks every such function of the catalogue.
 */
export class DefinerSearchPath1765353600000 implements MigrationInterface {
  name = 'DefinerSearchPath1765353600000';

  async up(q: QueryRunner): Promise<void> {
    for (const { signature } of await functions(q))
      await q.query(`ALTER FUNCTION ${signature} SET search_path = ${DEFINER_SEARCH_PATH}`);
  }

  /** Not reverted: the earlier search paths were the hole. */
  async down(): Promise<void> {}
}

function functions(q: QueryRunner): Promise<{ signature: string }[]> {
  return q.query(
    `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace
        AND (p.prosecdef OR p.proowner = '${POOL_BROKER_ROLE}'::regrole)`,
  ) as Promise<{ signature: string }[]>;
}
