import { createRequire } from 'node:module';
import { TokenKind, TrackingTokens } from '@app/campaigns';
import { cpuSnapshot } from '../support/measurements.js';
import { BenchFailure, log, n } from '../support/run.js';
import type { AppStack } from '../support/stack.js';

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
  '4xx': number;
  '5xx': number;
  errors: number;
  timeouts: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

export const TRACKING_TARGET = { requestsPerSecond: 3_000, p99Ms: 50 };

export interface TrackingResult {
  messages: number;
  connections: number;
  seconds: number;
  /** The HTTP pipeline's ceiling: a refused token (404 before any database work). */
  refusedPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpu: { api: number; postgres: number | null };
  /** 4xx and 5xx answers (a click's 302 is what it should be), and connection errors. */
  failed: number;
  errors: number;
}

/**
 * The public tracking endpoints under load, on the stack's API: autocannon on a mix of opens (70%) and clicks (30%,
 * of the campaign's 5 links) of random messages of `campaignId` that were sent, each request a new token signed with
 * the deployment's key (first opens and repeats alike, as recipients make them). Requests/s, latencies and CPU.
 */
export async function trackingPhase(
  stack: AppStack,
  campaignId: string,
  options: { seconds: number; connections: number },
): Promise<TrackingResult> {
  const { owner, orgId } = stack;
  const { rows: messages } = await owner.query<{ id: string }>(
    `SELECT id FROM campaign_messages WHERE campaign_id = $1 AND status IN ('SENT', 'DELIVERED')`,
    [campaignId],
  );
  const { rows: links } = await owner.query<{ idx: number }>('SELECT idx FROM campaign_links WHERE campaign_id = $1', [
    campaignId,
  ]);
  if (messages.length === 0 || links.length === 0) throw new BenchFailure('Tracking: no message sent, or no link');
  const [{ key }] = (await owner.query<{ key: Buffer }>('SELECT key FROM crm_private.tenant_claim_key')).rows;
  const tokens = new TrackingTokens(key);
  const url = `http://127.0.0.1:${stack.apiPort}`;

  // signed beforehand: the load generator shares the two cores
  const pick = <T>(values: T[]) => values[Math.floor(Math.random() * values.length)];
  const paths = Array.from({ length: 200_000 }, () => {
    const messageId = pick(messages).id;
    return Math.random() < 0.7
      ? `/t/o/${tokens.sign({ kind: TokenKind.OPEN, orgId, messageId, link: 0 })}`
      : `/t/c/${tokens.sign({ kind: TokenKind.CLICK, orgId, messageId, link: pick(links).idx })}`;
  });
  let next = 0;
  const run = (duration: number, path?: string) =>
    autocannon({
      url,
      connections: options.connections,
      duration,
      timeout: 30,
      requests: [{ setupRequest: (request) => ({ ...request, path: path ?? paths[next++ % paths.length] }) }],
    });
  const refused = await run(options.seconds, `/t/o/${'A'.repeat(68)}`);
  log(
    `Tracking: refused token (404, no database): ${n(Math.round(refused.requests.average))} req/s, p99 ${refused.latency.p99} ms`,
  );
  log(
    `  warm-up 3 s, then ${options.seconds} s with ${options.connections} connections over ${n(messages.length)} messages...`,
  );
  await run(3);
  const pids = [stack.api.child.pid ?? 0];
  const before = await cpuSnapshot(pids, stack.database, { exitedBackends: false });
  const result = await run(options.seconds);
  const after = await cpuSnapshot(pids, stack.database, { exitedBackends: false });
  const seconds = (after.at - before.at) / 1000;
  const cores = (value: number) => Math.round((value / seconds) * 100) / 100;
  const tracking: TrackingResult = {
    messages: messages.length,
    connections: options.connections,
    seconds: options.seconds,
    refusedPerSecond: Math.round(refused.requests.average),
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpu: {
      api: cores(after.processes[0] - before.processes[0]),
      postgres: after.postgres === null || before.postgres === null ? null : cores(after.postgres - before.postgres),
    },
    failed: result['4xx'] + result['5xx'],
    errors: result.errors + result.timeouts,
  };
  const { rows: counts } = await owner.query<{ type: string; count: number }>(
    `SELECT type, count(*)::int AS count FROM interactions WHERE org_id = $1 GROUP BY type`,
    [orgId],
  );
  log(
    `  ${n(tracking.requestsPerSecond)} req/s, p50 ${tracking.p50Ms} ms, p99 ${tracking.p99Ms} ms, max ${result.latency.max} ms; ` +
      `2xx ${result['2xx']}, 3xx ${result['3xx']}, 4xx/5xx ${tracking.failed}, errors ${tracking.errors}; ` +
      `CPU cores ${JSON.stringify(tracking.cpu)}; interactions ${JSON.stringify(counts)}`,
  );
  return tracking;
}
