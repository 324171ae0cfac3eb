import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { logger } from '@app/common';
import { type EmbeddedPostgresHandle, migrate, startEmbeddedPostgres } from '@app/database';
import { BENCH_COMMON_TAG, BENCH_CONTACTS_PER_ORG, type BenchSeedResult, seedBenchData } from './seed-bench-data.js';

/**
 * `npm run bench:api`: a fresh database (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server), 190,000 seeded contacts, the API started alone in a child
 * process, then autocannon against three GraphQL operations. Prints a Markdown
 * block and writes it to bench/api/last-run.md.
 *
 * BENCH_SECONDS (default 20): measured seconds per scenario, after a 3 s warm-up.
 * BENCH_CONNECTIONS (default 50): concurrent connections.
 */

// autocannon ships no type declarations: the part used here, typed.
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  timeout?: number;
  verifyBody?: (body: string) => boolean;
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  duration: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

const SECONDS = positiveInt('BENCH_SECONDS', 20);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const WARMUP_SECONDS = 3;
const CLOCK_TICKS = 100; // USER_HZ on Linux
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const API_ENTRY = path.join(ROOT, 'dist/apps/api/src/main.js');
const LAST_RUN = path.join(ROOT, 'bench/api/last-run.md');

const SCENARIOS = [
  { name: '`{ __typename }`', key: 'typename', query: '{ __typename }' },
  {
    name: `page: 50 contacts by name, tag "${BENCH_COMMON_TAG}", with tags and consents`,
    key: 'page',
    query: `query { contacts(first: 50, sort: NAME, filter: { tagsAny: ["${BENCH_COMMON_TAG}"] }) { edges { node { id firstName lastName email tags { name } consents { purpose state } } } } }`,
  },
  {
    name: 'search: 50 contacts matching "tremblay"',
    key: 'search',
    query: 'query { contacts(first: 50, filter: { search: "tremblay" }) { edges { node { id firstName lastName email } } } }',
  },
] as const;

interface Database {
  ownerUrl: string;
  description: string;
  /** PID of the embedded postmaster, to read PostgreSQL's CPU time. */
  postmasterPid: () => Promise<number | null>;
  close(): Promise<void>;
}

interface ScenarioResult {
  name: string;
  result: AutocannonResult;
  /** Highest API RSS sampled during the measured run. */
  rss: number;
  /** CPU cores busy on average during the measured run. */
  cpu: { api: number; postgres: number | null; loadGenerator: number };
}

const cleanups: (() => Promise<void>)[] = [];

async function main(): Promise<void> {
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const appPassword = randomBytes(12).toString('hex');

  log(`Starting the database...`);
  const database = await openDatabase();
  cleanups.push(() => database.close());
  await migrate(database.ownerUrl, appPassword);
  const pgVersion = await queryOne(database.ownerUrl, 'SELECT version() AS v');

  const total = BENCH_CONTACTS_PER_ORG.reduce((a, b) => a + b, 0);
  log(`Seeding ${BENCH_CONTACTS_PER_ORG.length} organizations, ${total.toLocaleString('en-US')} contacts...`);
  const seed = await seedBenchData(database.ownerUrl, BENCH_CONTACTS_PER_ORG, log);
  log(`  seeded in ${(seed.ms / 1000).toFixed(1)} s (${seed.databaseSize})`);

  const port = await freePort();
  log(`Starting the API on port ${port}...`);
  const api = startApi(database.ownerUrl, appPassword, port);
  cleanups.push(() => stopChild(api.child));
  const url = `http://127.0.0.1:${port}/graphql`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${seed.token}` };
  await waitForApi(url, headers, api);
  const rss = sampleRss(api.child.pid ?? 0);
  cleanups.push(() => Promise.resolve(rss.stop()));
  const startupRss = rss.current();

  for (const scenario of SCENARIOS) await verify(url, headers, scenario.key, scenario.query);

  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) {
    const options: AutocannonOptions = {
      url,
      method: 'POST',
      headers,
      body: JSON.stringify({ query: scenario.query }),
      connections: CONNECTIONS,
      duration: WARMUP_SECONDS,
      timeout: 30,
      verifyBody: (body) => !body.includes('"errors"'),
    };
    log(`Scenario ${scenario.key}: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured...`);
    await autocannon(options);
    await drain(database.ownerUrl);
    const before = await cpuSnapshot(api.child.pid ?? 0, database);
    rss.startWindow();
    const result = await autocannon({ ...options, duration: SECONDS });
    const after = await cpuSnapshot(api.child.pid ?? 0, database);
    const windowRss = rss.windowPeak();
    await drain(database.ownerUrl);
    const seconds = (after.at - before.at) / 1000;
    results.push({
      name: scenario.name,
      result,
      rss: windowRss,
      cpu: {
        api: (after.api - before.api) / seconds,
        postgres: after.postgres !== null && before.postgres !== null ? (after.postgres - before.postgres) / seconds : null,
        loadGenerator: (after.self - before.self) / seconds,
      },
    });
    log(`  ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  }

  const peak = rss.peak();
  const endRss = rss.current();
  const report = formatReport({ results, seed, pgVersion, databaseDescription: database.description, startupRss, peakRss: peak, endRss });
  process.stdout.write(`\n${report}\n`);
  await mkdir(path.dirname(LAST_RUN), { recursive: true });
  await writeFile(LAST_RUN, `${report}\n`);
  log(`Written to ${path.relative(process.cwd(), LAST_RUN) || LAST_RUN}`);
}

// --- Database -------------------------------------------------------------------------------

async function openDatabase(): Promise<Database> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `crm_bench_${Date.now()}`;
    await adminQuery(external, `CREATE DATABASE ${name}`);
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      ownerUrl: url.toString(),
      description: `DATABASE_URL's server, fresh database ${name}`,
      postmasterPid: () => Promise.resolve(null),
      close: () => adminQuery(external, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  const folder = path.join(os.tmpdir(), `crm-bench-pg-${process.pid}-${randomBytes(3).toString('hex')}`);
  const dataDir = path.join(folder, 'pg');
  const port = 56000 + Math.floor(Math.random() * 4000);
  let server: EmbeddedPostgresHandle;
  try {
    server = await startEmbeddedPostgres({ dataDir, port, database: 'crm_bench', persistent: false });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return {
    ownerUrl: server.url,
    description: `embedded PostgreSQL (default settings), port ${port}`,
    postmasterPid: async () => {
      const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
      const pid = Number(text.split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    },
    close: async () => {
      await server.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function queryOne(url: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(sql);
    return rows[0].v;
  } finally {
    await client.end();
  }
}

// --- API child process -------------------------------------------------------------------------

interface ApiProcess {
  child: ChildProcess;
  output: () => string;
  exited: () => number | null;
}

function startApi(ownerUrl: string, appPassword: string, port: number): ApiProcess {
  const child = spawn(process.execPath, [API_ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: ownerUrl,
      DATABASE_APP_PASSWORD: appPassword,
      DATABASE_APP_URL: '',
      MIGRATE_ON_START: 'false',
      SEED_DEMO: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: process.env.NODE_ENV ?? 'production', // as npm start and the Docker image run it
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  return { child, output: () => output, exited: () => code };
}

async function waitForApi(url: string, headers: Record<string, string>, api: ApiProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (api.exited() !== null) throw new Error(`The API exited with code ${api.exited()}:\n${api.output()}`);
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The API did not answer within 60 s:\n${api.output()}`);
    await sleep(200);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Each scenario must answer 200 with data and without errors before it is measured. */
async function verify(url: string, headers: Record<string, string>, key: string, query: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query }) });
  const text = await response.text();
  let body: { data?: { contacts?: { edges?: unknown[] } } | null; errors?: unknown[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  const edges = body.data?.contacts?.edges;
  const problem =
    response.status !== 200 ? `HTTP ${response.status}`
    : !body.data ? 'no data'
    : body.errors?.length ? 'errors in the answer'
    : key !== 'typename' && edges?.length !== 50 ? `expected 50 contacts, got ${edges?.length ?? 'none'}`
    : null;
  if (problem) throw new Error(`Scenario ${key} does not answer correctly (${problem}):\n${text.slice(0, 2000)}`);
}

// --- Measurements ------------------------------------------------------------------------------

/** Peak resident memory of a process: the kernel's high-water mark, and our own 200 ms samples. */
function sampleRss(pid: number): { current: () => number; peak: () => number; startWindow: () => void; windowPeak: () => number; stop: () => void } {
  let peak = 0;
  let window = 0;
  const read = (): { rss: number; hwm: number } => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
    } catch {
      return { rss: 0, hwm: 0 };
    }
  };
  const sample = () => {
    const { rss, hwm } = read();
    peak = Math.max(peak, rss, hwm);
    window = Math.max(window, rss);
  };
  sample();
  const timer = setInterval(sample, 200);
  timer.unref();
  return {
    current: () => read().rss,
    peak: () => {
      sample();
      return peak;
    },
    startWindow: () => {
      window = read().rss;
    },
    windowPeak: () => {
      sample();
      return window;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Waits until the API has no statement running: requests left over from a run
 * (autocannon closes its sockets, the API finishes them) must not weigh on the next one.
 */
async function drain(ownerUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'crm' AND state <> 'idle' AND pid <> pg_backend_pid()`,
      );
      if (Number(rows[0].n) === 0 || Date.now() > deadline) break;
      await sleep(250);
    }
  } finally {
    await client.end();
  }
  await sleep(1000);
}

/** CPU seconds used so far: the API process, PostgreSQL's processes (embedded only), this process. */
async function cpuSnapshot(apiPid: number, database: Database): Promise<{ at: number; api: number; postgres: number | null; self: number }> {
  const postmaster = await database.postmasterPid();
  let postgres: number | null = null;
  if (postmaster !== null) {
    postgres = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(Number(entry));
      if (stat && (stat.pid === postmaster || stat.ppid === postmaster)) postgres += stat.cpu;
    }
  }
  const usage = process.cpuUsage();
  return { at: Date.now(), api: procStat(apiPid)?.cpu ?? 0, postgres, self: (usage.user + usage.system) / 1e6 };
}

function procStat(pid: number): { pid: number; ppid: number; cpu: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('No port'))));
    });
  });
}

// --- Report ------------------------------------------------------------------------------------

function formatReport(input: {
  results: ScenarioResult[];
  seed: BenchSeedResult;
  pgVersion: string;
  databaseDescription: string;
  startupRss: number;
  peakRss: number;
  endRss: number;
}): string {
  const { results, seed } = input;
  const n = (value: number) => value.toLocaleString('en-US');
  const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
  const cpus = os.cpus();
  const [typename, page] = results;
  const ratio = page.result.requests.average / typename.result.requests.average;
  const rows = results.map(({ name, result }) => {
    const errors = result.errors + result.timeouts + result.mismatches;
    return `| ${name} | ${n(Math.round(result.requests.average))} | ${result.latency.p50} | ${result.latency.p99} | ${n(result.non2xx)} / ${n(errors)} |`;
  });
  const cpuRows = results.map(
    ({ name, cpu, rss }) =>
      `| ${name} | ${cpu.api.toFixed(2)} | ${cpu.postgres === null ? 'n/a' : cpu.postgres.toFixed(2)} | ${cpu.loadGenerator.toFixed(2)} | ${mb(rss)} |`,
  );
  const others = BENCH_CONTACTS_PER_ORG.slice(1);
  return [
    `### API benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'} × ${cpus.length} logical CPUs, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ${input.pgVersion.split(' on ')[0]} (${input.databaseDescription}); API, PostgreSQL and autocannon on the same machine`,
    `- Data: ${BENCH_CONTACTS_PER_ORG.length} organizations, ${n(seed.contacts)} contacts (organization 1: ${n(seed.contactsOrg1)}, the ${others.length} others ${n(others[0] ?? 0)} each); ` +
      `organization 1 has ${n(seed.tremblayOrg1)} Tremblay and ${n(seed.commonTagOrg1)} contacts tagged "${BENCH_COMMON_TAG}"; ` +
      `${n(seed.contactTags)} tag links, ${n(seed.consents)} consent records, ${n(seed.searchTokens)} search tokens; database ${seed.databaseSize}`,
    `- Load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per scenario after a ${WARMUP_SECONDS} s warm-up (each run drained before the next), 30 s request timeout, organization 1's owner key, API defaults (pool of 10 connections, AUTH_CACHE_MS 5000)`,
    '',
    '| Scenario | req/s (avg) | p50 ms | p99 ms | non-2xx / errors |',
    '|---|--:|--:|--:|--:|',
    ...rows,
    '',
    `- Page / \`{ __typename }\` throughput: ${ratio.toFixed(3)} (target ≥ 0.333: ${ratio >= 1 / 3 ? 'met' : 'not met'})`,
    `- p99 under 50 ms: ${results.map(({ result }, i) => `${SCENARIOS[i].key} ${result.latency.p99 < 50 ? 'yes' : 'no'}`).join(', ')}`,
    `- API peak RSS: ${mb(input.peakRss)} (after start-up: ${mb(input.startupRss)}, idle after the last run: ${mb(input.endRss)}; target < 300 MB: ${input.peakRss < 300 * 1024 * 1024 ? 'met' : 'not met'})`,
    `- Errors counts transport errors, timeouts and 200 answers carrying GraphQL \`errors\`.`,
    '',
    'CPU cores busy on average during each measured run (from /proc: the API process, the embedded PostgreSQL server and its backends, the benchmark process):',
    '',
    '| Scenario | API process | PostgreSQL | autocannon | API RSS peak during the run |',
    '|---|--:|--:|--:|--:|',
    ...cpuRows,
  ].join('\n');
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`Cleanup failed: ${String(error)}\n`);
    }
  }
}

process.once('SIGINT', () => {
  void cleanup().finally(() => process.exit(130));
});

let exitCode = 0;
try {
  await main();
} catch (error) {
  process.stderr.write(`\nBenchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
