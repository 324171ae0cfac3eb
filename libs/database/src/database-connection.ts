import { type Config, logger, usesEmbeddedDatabase } from '@app/common';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { appUrlFromOwnerUrl, migrate } from './migrate.js';

export interface DatabaseUrls {
  /** Owner role: migrations only. */
  ownerUrl: string;
  /** Application role: everything else. */
  appUrl: string;
  embedded: boolean;
}

/**
 * Where the processes' database is: DATABASE_URL, or the embedded PostgreSQL
 * started here (the one-command default). Migrates when configured to
 * (by default only on the embedded database).
 */
export async function prepareDatabase(config: Config): Promise<DatabaseUrls> {
  const embedded = usesEmbeddedDatabase(config);
  let ownerUrl = config.DATABASE_URL;
  if (!ownerUrl) {
    const started = Date.now();
    const server = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      database: 'crm',
      persistent: true,
    });
    ownerUrl = server.url;
    logger.info({ dataDir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, ms: Date.now() - started }, 'embedded PostgreSQL started');
  }
  if (config.MIGRATE_ON_START ?? embedded) await migrate(ownerUrl, config.DATABASE_APP_PASSWORD);
  const appUrl = config.DATABASE_APP_URL ?? appUrlFromOwnerUrl(ownerUrl, config.DATABASE_APP_PASSWORD);
  return { ownerUrl, appUrl, embedded };
}
