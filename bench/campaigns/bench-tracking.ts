import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { TokenKind, TrackingTokens } from '@app/campaigns';
import { logger } from '@app/common';
import { migrate } from '@app/database';
import { createOrganization, openBenchDatabase } from '../support/database.js';
import { cpuSnapshot } from '../support/measurements.js';
import { API_ENTRY, appEnv, freePort, startChild, stopChild, waitUntil } from '../support/processes.js';
import { log, n, onCleanup, runBench, SMOKE } from '../support/run.js';

/**
 * The public tracking endpoints under load: a sent campaign of MESSAGES messages (5 links), the API alone in a child
 * process, then autocannon on a mix of opens (70%) and clicks (30%) of random messages, each request a new token
 * (first opens and repeats alike, as a campaign's recipients make them). Prints requests/s, latencies and CPU.
 *
 * BENCH_SECONDS (default 20), BENCH_CONNECTIONS (default 50).
 */

// autocannon ships no type declarations: the part used here, typed.
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  requests: { setupRequest: (request: { path: string }) => { path: string } }[];
}
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  '2xx': number;
  '3xx': number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const MESSAGES = SMOKE ? 2_000 : 100_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? (SMOKE ? 2 : 20));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? (SMOKE ? 5 : 50));

async function main(): Promise<void> {
  logger.level = process.env.LOG_LEVEL ?? 'warn';
  const appPassword = randomBytes(12).toString('hex');
  const database = await openBenchDatabase('crm_bench_tracking');
  onCleanup(() => database.close());
  await migrate(database.ownerUrl, appPassword);

  const owner = new pg.Client({ connectionString: database.ownerUrl });
  await owner.connect();
  onCleanup(() => owner.end());
  const orgId = await createOrganization(owner, 'Bench tracking');
  log(`Seeding a campaign of ${n(MESSAGES)} messages...`);
  const {
    rows: [campaign],
  } = await owner.query<{ id: string }>(
    `INSERT INTO campaigns (org_id, name, status) VALUES ($1, 'Bench', 'SENT') RETURNING id`,
    [orgId],
  );
  await owner.query(
    `INSERT INTO campaign_links (org_id, campaign_id, idx, url)
     SELECT $1, $2, i, 'https://example.org/page-' || i FROM generate_series(0, 4) i`,
    [orgId, campaign.id],
  );
  await owner.query(
    `INSERT INTO contacts (org_id, email) SELECT $1, 'p' || i || '@example.org' FROM generate_series(1, $2) i`,
    [orgId, MESSAGES],
  );
  const { rows: messages } = await owner.query<{ id: string }>(
    `INSERT INTO campaign_messages (org_id, campaign_id, contact_id, email, language, status, sent_at)
     SELECT org_id, $2, id, email, 'fr', 'SENT', now() FROM contacts WHERE org_id = $1 RETURNING id`,
    [orgId, campaign.id],
  );
  await owner.query('VACUUM ANALYZE');
  const [{ key }] = (await owner.query<{ key: Buffer }>('SELECT key FROM crm_private.tenant_claim_key')).rows;
  const tokens = new TrackingTokens(key);

  const port = await freePort();
  const api = startChild('API', API_ENTRY, appEnv(database.ownerUrl, appPassword, { PORT: String(port) }));
  onCleanup(() => stopChild(api.child));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(api, async () => (await fetch(`${url}/health`)).status === 200);

  // signed beforehand: the load generator shares the two cores
  const paths = Array.from({ length: 200_000 }, () => {
    const messageId = messages[Math.floor(Math.random() * messages.length)].id;
    return Math.random() < 0.7
      ? `/t/o/${tokens.sign({ kind: TokenKind.OPEN, orgId, messageId, link: 0 })}`
      : `/t/c/${tokens.sign({ kind: TokenKind.CLICK, orgId, messageId, link: Math.floor(Math.random() * 5) })}`;
  });
  let next = 0;
  const options = (duration: number, path?: string): AutocannonOptions => ({
    url,
    connections: CONNECTIONS,
    duration,
    timeout: 30,
    requests: [{ setupRequest: (request) => ({ ...request, path: path ?? paths[next++ % paths.length] }) }],
  });
  // the HTTP pipeline's ceiling: a token refused before any database work
  const refused = await autocannon(options(SECONDS, `/t/o/${'A'.repeat(68)}`));
  log(
    `refused token (404, no database): ${n(Math.round(refused.requests.average))} req/s, p99 ${refused.latency.p99} ms`,
  );
  log(`Warm-up 3 s, then ${SECONDS} s with ${CONNECTIONS} connections...`);
  await autocannon(options(3));
  const before = await cpuSnapshot([api.child.pid ?? 0], database, { exitedBackends: false });
  const result = await autocannon(options(SECONDS));
  const after = await cpuSnapshot([api.child.pid ?? 0], database, { exitedBackends: false });
  const seconds = (after.at - before.at) / 1000;
  const { rows: counts } = await owner.query<{ type: string; count: number }>(
    `SELECT type, count(*)::int AS count FROM interactions WHERE org_id = $1 GROUP BY type`,
    [orgId],
  );
  log(
    `tracking: ${n(Math.round(result.requests.average))} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
      `max ${result.latency.max} ms; 2xx ${result['2xx']}, 3xx ${result['3xx']}, non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  log(
    `CPU: API ${((after.processes[0] - before.processes[0]) / seconds).toFixed(2)} cores, PostgreSQL ${
      after.postgres === null || before.postgres === null
        ? '?'
        : ((after.postgres - before.postgres) / seconds).toFixed(2)
    } cores; interactions: ${JSON.stringify(counts)}`,
  );
  await stopChild(api.child);
  // the result line (stdout; the log lines above go to stderr)
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'campaign-tracking',
      messages: MESSAGES,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    })}\n`,
  );
}

await runBench(main);
