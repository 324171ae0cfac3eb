import pg from 'pg';
import { runMigrations as runQueueMigrations } from 'bullmq';
import { logger } from '@app/common';
import { createOwnerDataSource } from './data-source.js';

export const APP_ROLE = 'crm_app';

/**
 * Creates (or updates) the application role: it can log in, is not a
 * superuser, cannot bypass row-level security and owns nothing.
 */
export async function ensureAppRole(ownerUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
    if (rowCount === 0)
      await client.query(`CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`);
    await client.query(
      `ALTER ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
    );
    await client.query(
      `GRANT CONNECT ON DATABASE ${client.escapeIdentifier(await currentDatabase(client))} TO ${APP_ROLE}`,
    );
  } finally {
    await client.end();
  }
}

async function currentDatabase(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
  return rows[0].db;
}

/**
 * `npm run migrate`: the application role, every pending migration, and the
 * schema of BullMQ's PostgreSQL backend (the job queue when no Redis is set),
 * all as the owner; the application role may then use (not alter) them.
 */
export async function migrate(ownerUrl: string, appPassword: string): Promise<string[]> {
  await ensureAppRole(ownerUrl, appPassword);
  const dataSource = createOwnerDataSource(ownerUrl);
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    for (const m of applied) logger.info({ migration: m.name }, 'migration applied');
    await migrateQueueSchema(ownerUrl);
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

export const QUEUE_SCHEMA = 'bullmq';

/**
 * The queues on BullMQ's PostgreSQL backend (there the queue's name is the whole key: QUEUE_PREFIX is a Redis
 * notion). Must list every QueueName of libs/jobs: JobsModule refuses to start otherwise.
 */
export const QUEUE_NAMES: readonly string[] = ['contacts'];

/**
 * BullMQ's schema, and what the application role may do there: use its tables and functions, not create or alter
 * anything. BullMQ creates one object at run time, a sequence per queue for generated job ids (every job of this
 * application has its run's id, but a dashboard's "duplicate" would not): it is created here for each known queue,
 * so that the role needs no CREATE on the schema. The migration ledger is only read (the version check).
 */
async function migrateQueueSchema(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await runQueueMigrations(client, QUEUE_SCHEMA);
    for (const queue of QUEUE_NAMES) {
      const { rows } = await client.query<{ name: string }>(`SELECT ${QUEUE_SCHEMA}.job_id_seq_name($1) AS name`, [
        queue,
      ]);
      await client.query(`CREATE SEQUENCE IF NOT EXISTS ${QUEUE_SCHEMA}.${client.escapeIdentifier(rows[0].name)}`);
    }
    await client.query(`
      REVOKE ALL ON SCHEMA ${QUEUE_SCHEMA} FROM PUBLIC, ${APP_ROLE};
      REVOKE ALL ON ALL TABLES IN SCHEMA ${QUEUE_SCHEMA} FROM ${APP_ROLE};
      REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${QUEUE_SCHEMA} FROM ${APP_ROLE};
      GRANT USAGE ON SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
      REVOKE INSERT, UPDATE, DELETE ON ${QUEUE_SCHEMA}.migration FROM ${APP_ROLE};
      GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
      GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${QUEUE_SCHEMA} TO ${APP_ROLE};
    `);
  } finally {
    await client.end();
  }
}

/** The application URL: the owner URL with the crm_app role's credentials. */
export function appUrlFromOwnerUrl(ownerUrl: string, appPassword: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = appPassword;
  return url.toString();
}
