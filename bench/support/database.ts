import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '@app/database';
import { generateToken } from '@app/tenancy';
import { freePort } from './processes.js';

/**
 * A benchmark's own database: a throwaway embedded PostgreSQL, or, when DATABASE_URL
 * is set, a fresh database on that server, dropped at the end. Either way it starts
 * empty (the caller migrates it) and nothing else uses it.
 */
export interface BenchDatabase {
  /** Superuser URL of the database. */
  ownerUrl: string;
  embedded: boolean;
  /** The database's name, and its server's host and port. */
  name: string;
  host: string;
  port: number;
  /** PID of the embedded postmaster, to read PostgreSQL's CPU time (null on DATABASE_URL's server). */
  postmasterPid: () => Promise<number | null>;
  /** Stops or drops it; calling it again does nothing more. */
  close(): Promise<void>;
}

/** `prefix` names the fresh database (`<prefix>_<timestamp>`) or the embedded server's temporary folder. */
export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const once = (close: () => Promise<void>) => {
    let closing: Promise<void> | null = null;
    return () => (closing ??= close());
  };
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `${prefix}_${Date.now()}`;
    await adminQuery(external, `CREATE DATABASE ${name}`);
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      ownerUrl: url.toString(),
      embedded: false,
      name,
      host: url.hostname,
      port: Number(url.port || 5432),
      postmasterPid: () => Promise.resolve(null),
      close: once(async () => {
        await adminQuery(external, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }),
    };
  }
  // A random port and folder: two benchmarks (or a test run) may run at once.
  const folder = path.join(
    os.tmpdir(),
    `${prefix.replace(/_/g, '-')}-pg-${process.pid}-${randomBytes(3).toString('hex')}`,
  );
  const dataDir = path.join(folder, 'pg');
  const port = await freePort();
  let server: EmbeddedPostgresHandle;
  try {
    server = await startEmbeddedPostgres({
      dataDir,
      port,
      database: 'crm_bench',
      persistent: false,
      password: randomBytes(12).toString('hex'),
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    ownerUrl: server.url,
    embedded: true,
    name: 'crm_bench',
    host: '127.0.0.1',
    port,
    postmasterPid: async () => {
      const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
      const pid = Number(text.split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    close: once(async () => {
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    }),
  };
}

/** "PostgreSQL 18.4", without the build details. */
export async function postgresVersion(url: string): Promise<string> {
  const [{ v }] = await adminQuery<{ v: string }>(url, 'SELECT version() AS v');
  return v.split(' on ')[0];
}

/** One statement on a connection of its own (CREATE/DROP DATABASE cannot run on the database itself). */
async function adminQuery<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

// --- Fixtures, written as the owner role (a superuser: row-level security does not apply) -----

export async function createOrganization(client: pg.Client, name: string): Promise<string> {
  const {
    rows: [org],
  } = await client.query<{ id: string }>(`INSERT INTO organizations (name) VALUES ($1) RETURNING id`, [name]);
  return org.id;
}

/** An owner member for the organization and an API key for them, as ApiKeysService would store it; returns the key's bearer token. */
export async function createOwnerKey(client: pg.Client, orgId: string): Promise<string> {
  const {
    rows: [user],
  } = await client.query<{ id: string }>(`INSERT INTO users (email) VALUES ($1) RETURNING id`, [
    `owner+${orgId.slice(0, 8)}@bench.example`,
  ]);
  await client.query(`INSERT INTO memberships (org_id, user_id, role, name) VALUES ($1, $2, 'OWNER', $3)`, [
    orgId,
    user.id,
    'Propriétaire banc d’essai',
  ]);
  const { token, prefix, secretHash } = generateToken(orgId);
  await client.query(
    `INSERT INTO api_keys (org_id, user_id, name, prefix, secret_hash, created_by) VALUES ($1, $2, 'Bench key', $3, $4, $2)`,
    [orgId, user.id, prefix, secretHash],
  );
  return token;
}
