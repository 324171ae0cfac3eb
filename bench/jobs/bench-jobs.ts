/**
 * `npm run bench:jobs`: throughput of the queue backends with 10,000 tiny jobs
 * (a no-op processor), on BullMQ's PostgreSQL backend (embedded PostgreSQL, or
 * DATABASE_URL's server) and on Redis (REDIS_URL, default redis://127.0.0.1:6379;
 * skipped with a message when unreachable). Jobs are added in bulk, then one
 * worker with concurrency 50 drains them; both rates are reported. BENCH_SMOKE=1: 200 jobs.
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { appUrlFromOwnerUrl, migrate } from '@app/database';
import { queueConnection } from '@app/jobs';
import { openBenchDatabase } from '../support/database.js';
import { machine } from '../support/measurements.js';
import { n, onCleanup, runBench, SMOKE } from '../support/run.js';

const JOBS = Number(process.env.BENCH_JOBS ?? (SMOKE ? 200 : 10_000));
const CONCURRENCY = 50;

interface Result {
  backend: string;
  addPerSecond: number;
  processPerSecond: number;
}

async function measure(backend: string, options: { redisUrl?: string; appUrl: string }): Promise<Result> {
  const { connection } = queueConnection(options);
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const prefix = `bench${process.pid}`;
  const queue = new Queue(name, { connection, prefix });
  const jobs = Array.from({ length: JOBS }, (_, i) => ({
    name: 'tiny',
    data: { i },
    opts: { jobId: `tiny-${i}`, removeOnComplete: true },
  }));

  const addStart = performance.now();
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const addSeconds = (performance.now() - addStart) / 1000;

  let done = 0;
  const processStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(name, () => Promise.resolve(), { connection, prefix, concurrency: CONCURRENCY });
    worker.on('completed', () => {
      if (++done === JOBS) void worker.close().then(resolve, reject);
    });
    worker.on('error', reject);
  });
  const processSeconds = (performance.now() - processStart) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  return { backend, addPerSecond: Math.round(JOBS / addSeconds), processPerSecond: Math.round(JOBS / processSeconds) };
}

async function redisReachable(url: string): Promise<boolean> {
  const { default: net } = await import('node:net');
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const password = randomBytes(8).toString('hex');
  const database = await openBenchDatabase('crm_bench_jobs');
  onCleanup(() => database.close());
  await migrate(database.ownerUrl, password);
  const appUrl = appUrlFromOwnerUrl(database.ownerUrl, password);
  // as the owner: a throwaway queue needs its id sequence made (and obliterate drops it), which crm_app may not do
  results.push(await measure('PostgreSQL (BullMQ backend)', { appUrl: database.ownerUrl }));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisReachable(redisUrl)) results.push(await measure('Redis', { redisUrl, appUrl }));
  else process.stdout.write(`Redis is not reachable at ${redisUrl}: its run is skipped.\n`);

  const m = machine();
  const lines = [
    `Jobs: ${n(JOBS)} tiny jobs (no-op processor), added with addBulk by 1,000, one worker at concurrency ${CONCURRENCY}.`,
    `Machine: ${m.cpuModel} × ${m.cpus}, Node ${process.version}.`,
    '',
    '| Backend | jobs added/s | jobs processed/s |',
    '|---|--:|--:|',
    ...results.map((r) => `| ${r.backend} | ${n(r.addPerSecond)} | ${n(r.processPerSecond)} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await runBench(main);
