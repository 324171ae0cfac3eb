import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { logger } from '@app/common';
import { migrate } from '@app/database';
import { openBenchDatabase, postgresVersion } from '../support/database.js';
import { cpuSnapshot, machine, sampleRss } from '../support/measurements.js';
import { API_ENTRY, appEnv, freePort, startChild, stopChild, waitUntil } from '../support/processes.js';
import { log, mb, n, onCleanup, ROOT, runBench, SMOKE } from '../support/run.js';
import { BENCH_COMMON_TAG, BENCH_CONTACTS_PER_ORG, type BenchSeedResult, seedBenchData } from './seed-bench-data.js';

/**
 * `npm run bench:api`: a fresh database (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server), 190,000 seeded contacts, the API started alone in a child
 * process, then autocannon against three GraphQL operations. Prints a Markdown
 * block and writes it to bench/api/last-run.md.
 *
 * BENCH_SECONDS (default 20): measured seconds per scenario, after a 3 s warm-up.
 * BENCH_CONNECTIONS (default 50): concurrent connections.
 * BENCH_SMOKE=1: two organizations of 4,000 and 500 contacts (enough for 50 Tremblay), 1 s per scenario
 * after a 1 s warm-up, 5 connections; nothing written.
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
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const SECONDS = positiveInt('BENCH_SECONDS', SMOKE ? 1 : 20);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', SMOKE ? 5 : 50);
const WARMUP_SECONDS = SMOKE ? 1 : 3;
const CONTACTS_PER_ORG: readonly number[] = SMOKE ? [4_000, 500] : BENCH_CONTACTS_PER_ORG;
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
    query:
      'query { contacts(first: 50, filter: { search: "tremblay" }) { edges { node { id firstName lastName email } } } }',
  },
] as const;

interface ScenarioResult {
  name: string;
  result: AutocannonResult;
  /** Highest API RSS sampled during the measured run. */
  rss: number;
  /** CPU cores busy on average during the measured run. */
  cpu: { api: number; postgres: number | null; loadGenerator: number };
}

async function main(): Promise<void> {
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const appPassword = randomBytes(12).toString('hex');

  log(`Starting the database...`);
  const database = await openBenchDatabase('crm_bench');
  onCleanup(() => database.close());
  await migrate(database.ownerUrl, appPassword);
  const pgVersion = await postgresVersion(database.ownerUrl);

  const total = CONTACTS_PER_ORG.reduce((a, b) => a + b, 0);
  log(`Seeding ${CONTACTS_PER_ORG.length} organizations, ${n(total)} contacts...`);
  const seed = await seedBenchData(database.ownerUrl, CONTACTS_PER_ORG, log);
  log(`  seeded in ${(seed.ms / 1000).toFixed(1)} s (${seed.databaseSize})`);

  const port = await freePort();
  log(`Starting the API on port ${port}...`);
  const api = startChild('API', API_ENTRY, appEnv(database.ownerUrl, appPassword, { PORT: String(port) }));
  onCleanup(() => stopChild(api.child));
  const url = `http://127.0.0.1:${port}/graphql`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${seed.token}` };
  await waitUntil(
    api,
    async () =>
      (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) })).status === 200,
  );
  const rss = sampleRss(api.child.pid ?? 0, 200);
  onCleanup(() => rss.stop());
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
    // PostgreSQL's live processes only, as this benchmark always measured it.
    const before = await cpuSnapshot([api.child.pid ?? 0], database, { exitedBackends: false });
    rss.startWindow();
    const result = await autocannon({ ...options, duration: SECONDS });
    const after = await cpuSnapshot([api.child.pid ?? 0], database, { exitedBackends: false });
    const windowRss = rss.windowPeak();
    await drain(database.ownerUrl);
    const seconds = (after.at - before.at) / 1000;
    results.push({
      name: scenario.name,
      result,
      rss: windowRss,
      cpu: {
        api: (after.processes[0] - before.processes[0]) / seconds,
        postgres:
          after.postgres !== null && before.postgres !== null ? (after.postgres - before.postgres) / seconds : null,
        loadGenerator: (after.self - before.self) / seconds,
      },
    });
    log(`  ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  }

  const peak = rss.peak();
  const endRss = rss.current();
  const databaseDescription = database.embedded
    ? `embedded PostgreSQL (default settings), port ${database.port}`
    : `DATABASE_URL's server, fresh database ${database.name}`;
  const report = formatReport({ results, seed, pgVersion, databaseDescription, startupRss, peakRss: peak, endRss });
  process.stdout.write(`\n${report}\n`);
  if (SMOKE) return;
  await mkdir(path.dirname(LAST_RUN), { recursive: true });
  await writeFile(LAST_RUN, `${report}\n`);
  log(`Written to ${path.relative(process.cwd(), LAST_RUN) || LAST_RUN}`);
}

// --- Scenarios ---------------------------------------------------------------------------------

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
    response.status !== 200
      ? `HTTP ${response.status}`
      : !body.data
        ? 'no data'
        : body.errors?.length
          ? 'errors in the answer'
          : key !== 'typename' && edges?.length !== 50
            ? `expected 50 contacts, got ${edges?.length ?? 'none'}`
            : null;
  if (problem) throw new Error(`Scenario ${key} does not answer correctly (${problem}):\n${text.slice(0, 2000)}`);
}

// --- Measurements ------------------------------------------------------------------------------

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
  await sleep(SMOKE ? 100 : 1000);
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
  const m = machine();
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
  const others = CONTACTS_PER_ORG.slice(1);
  return [
    `### API benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Machine: ${m.cpuModel} × ${m.cpus} logical CPUs, ${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${m.kernel}`,
    `- Node ${process.version}; ${input.pgVersion} (${input.databaseDescription}); API, PostgreSQL and autocannon on the same machine`,
    `- Data: ${CONTACTS_PER_ORG.length} organizations, ${n(seed.contacts)} contacts (organization 1: ${n(seed.contactsOrg1)}, the ${others.length} others ${n(others[0] ?? 0)} each); ` +
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

await runBench(main);
