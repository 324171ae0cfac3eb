import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Config, ConfigError, logger, usesEmbeddedDatabase } from '@app/common';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { appUrlFromOwnerUrl, migrate } from './migrate.js';
import { readTenantClaimKey } from './tenant-claim.js';

export interface PreparedDatabase {
  /** Owner role: migrations only. */
  ownerUrl: string;
  /** Application role: everything else. */
  appUrl: string;
  embedded: boolean;
  /** Signs the tenant claims of this process's transactions (see tenant-claim.ts). */
  claimKey: Buffer;
}

/**
 * Where the processes' database is: DATABASE_URL, or the embedded PostgreSQL
 * started here (the one-command default). Migrates when configured to
 * (by default only on the embedded database), then reads the tenant claim key.
 */
export async function prepareDatabase(config: Config): Promise<PreparedDatabase> {
  const embedded = usesEmbeddedDatabase(config);
  let ownerUrl = config.DATABASE_URL;
  let appPassword =
    config.DATABASE_APP_PASSWORD ??
    (config.DATABASE_APP_URL ? decodeURIComponent(new URL(config.DATABASE_APP_URL).password) : undefined);
  if (!ownerUrl) {
    const started = Date.now();
    const secrets = await embeddedSecrets(config.EMBEDDED_PG_DIR);
    const server = await startEmbeddedPostgres({
      dataDir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      database: 'crm',
      persistent: true,
      password: secrets.superuserPassword,
    });
    ownerUrl = server.url;
    appPassword ??= secrets.appPassword;
    logger.info(
      { dataDir: config.EMBEDDED_PG_DIR, port: config.EMBEDDED_PG_PORT, ms: Date.now() - started },
      'embedded PostgreSQL started',
    );
  }
  if (!appPassword) throw new ConfigError('DATABASE_APP_PASSWORD (or DATABASE_APP_URL) is required with DATABASE_URL');
  if (config.MIGRATE_ON_START ?? embedded) await migrate(ownerUrl, appPassword);
  const appUrl = config.DATABASE_APP_URL ?? appUrlFromOwnerUrl(ownerUrl, appPassword);
  return { ownerUrl, appUrl, embedded, claimKey: await readTenantClaimKey(ownerUrl) };
}

/**
 * The embedded database's passwords: made at random on first start and kept beside its data folder
 * (readable by this user only), so that no well-known password opens it.
 */
async function embeddedSecrets(dataDir: string): Promise<{ superuserPassword: string; appPassword: string }> {
  const file = path.join(path.dirname(path.resolve(dataDir)), 'secrets.json');
  const kept = await readFile(file, 'utf8').then(
    (text) => JSON.parse(text) as { superuserPassword: string; appPassword: string },
    () => null,
  );
  if (kept) return kept;
  const secrets = {
    superuserPassword: randomBytes(18).toString('base64url'),
    appPassword: randomBytes(18).toString('base64url'),
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
