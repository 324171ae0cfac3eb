import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/support/processes.js';

/**
 * The BUILT API or worker (`npm run build`; `npm test` builds first) as a real
 * child process on the test run's database: for what Jest cannot load in its
 * VM (bull-board) or cannot do in-process (signals, crashes).
 */
export interface BuiltProcess {
  /** http://127.0.0.1:<port> — the API's address, or the worker's health server. */
  readonly url: string;
  readonly process: ChildProcess;
  /** Its stdout and stderr so far (the last 64 KB), for failure messages. */
  output(): string;
  /** Sends `signal` (SIGTERM by default; SIGKILL to simulate a crash) and waits for the exit; SIGKILL after 30 s (a draining worker finishes its job first: on a loaded machine that can take over 10 s). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = { api: 'dist/apps/api/src/main.js', worker: 'dist/apps/worker/src/main.js' } as const;
const READY_TIMEOUT_MS = 90_000; // generous: a loaded CI machine boots Nest slowly
const started = new Set<BuiltProcess>();

/**
 * Starts `node dist/apps/<script>/src/main.js` and resolves once GET /health answers 200.
 * The database is the test run's (already migrated by global setup: no migration, no seed);
 * `env` is added last. The parent's environment is not passed on (but PATH, HOME, LOG_LEVEL),
 * so a developer's REDIS_URL or NODE_OPTIONS does not leak into the child.
 */
export async function startBuiltProcess(
  script: 'api' | 'worker',
  env: Record<string, string> = {},
): Promise<BuiltProcess> {
  const entry = `${ROOT}${ENTRY[script]}`;
  if (!existsSync(entry)) throw new Error(`${ENTRY[script]} is missing: run \`npm run build\` first (npm test does)`);
  const databaseUrl = process.env.TEST_DATABASE_URL;
  const appUrl = process.env.TEST_DATABASE_APP_URL;
  if (!databaseUrl || !appUrl)
    throw new Error('TEST_DATABASE_URL is not set: run the tests through jest.config.js (global setup)');

  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      // its output is kept for failure messages, never printed: warnings even when the test run is silent
      LOG_LEVEL: !process.env.LOG_LEVEL || process.env.LOG_LEVEL === 'silent' ? 'warn' : process.env.LOG_LEVEL,
      HOST: '127.0.0.1',
      ...(script === 'api' ? { PORT: String(port) } : { WORKER_PORT: String(port) }),
      DATABASE_URL: databaseUrl,
      DATABASE_APP_URL: appUrl,
      MIGRATE_ON_START: 'false',
      SEED_DEMO: 'false',
      AUTH_CACHE_MS: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      ...env,
    },
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-65_536));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const url = `http://127.0.0.1:${port}`;
  const built: BuiltProcess = {
    url,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      started.delete(built);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
  started.add(built);

  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && !hasExited()) {
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return built;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const why = hasExited()
    ? `exited (code ${child.exitCode}, signal ${child.signalCode})`
    : `did not answer /health within ${READY_TIMEOUT_MS} ms`;
  await built.stop('SIGKILL');
  throw new Error(`${ENTRY[script]} ${why}. Output:\n${output}`);
}

/** Stops every process this file started and that is still running (for afterAll). */
export async function stopAllBuiltProcesses(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  await Promise.all([...started].map((built) => built.stop(signal)));
}

// last resort when a test file dies without its afterAll: no orphan keeps a port or the database
process.once('exit', () => {
  for (const built of started) built.process.kill('SIGKILL');
});
