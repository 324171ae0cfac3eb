import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { appUrlFromOwnerUrl, type EmbeddedPostgresHandle, migrate, startEmbeddedPostgres } from '@app/database';
import { freePort } from '../../bench/support/processes.js';

/**
 * A PostgreSQL (and a Redis) of the test's own, for tests that stop and restart them: the run's shared
 * servers serve other test files at the same time.
 */
export interface PrivatePostgres {
  ownerUrl: string;
  appUrl: string;
  appPassword: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'crm-private-pg-'));
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const options = { dataDir: path.join(folder, 'pg'), port, database: 'crm', persistent: true, password };
  let server: EmbeddedPostgresHandle | null = await startEmbeddedPostgres(options);
  const appPassword = randomBytes(12).toString('hex');
  await migrate(server.url, appPassword);
  const ownerUrl = server.url;
  return {
    ownerUrl,
    appUrl: appUrlFromOwnerUrl(ownerUrl, appPassword),
    appPassword,
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server = await startEmbeddedPostgres(options);
    },
    async destroy() {
      await server?.stop().catch(() => undefined);
      server = null;
      await rm(folder, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  /** SIGTERM: with appendonly it writes what it holds first, as a production Redis with AOF keeps it. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server of its own (append-only file on, as docker/compose.yml runs it), or null without the binary. */
export async function startPrivateRedis(): Promise<PrivateRedis | null> {
  const binary =
    ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((candidate) => existsSync(candidate)) ??
    (() => {
      try {
        return execFileSync('which', ['redis-server'], { encoding: 'utf8' }).trim() || undefined;
      } catch {
        return undefined;
      }
    })();
  if (!binary) return null;
  const folder = await mkdtemp(path.join(os.tmpdir(), 'crm-private-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', folder, '--appendonly', 'yes', '--save', ''],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await reachable(port)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('private redis-server did not start');
  };
  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function reachable(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** An organization made with the CLI (`npm run crm -- org:create`, built) on the given database; its OWNER's API key. */
export async function createOrganizationWithCli(
  env: Record<string, string>,
  name: string,
  owner: string,
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['dist/apps/api/src/cli.js', 'org:create', name, '--owner', owner],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    },
  );
  const token = stdout.split('\n').find((line) => line.startsWith('crm_'));
  if (!token) throw new Error('the CLI printed no API key');
  return token.trim();
}
