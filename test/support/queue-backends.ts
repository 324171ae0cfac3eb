import { describe } from '@jest/globals';
import net from 'node:net';

/**
 * The two queue backends the job suites run against: BullMQ on PostgreSQL
 * (the embedded default) and on Redis. Without a reachable Redis the Redis
 * runs are skipped, and said so loudly.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisReachable = await new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(REDIS_URL);
  const socket = net.connect(Number(port || 6379), hostname);
  socket.setTimeout(1000);
  socket.once('connect', () => (socket.end(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
});
if (!redisReachable) {
  process.stdout.write(
    `\n*** Redis is not reachable at ${REDIS_URL}: the Redis runs of the job suites are SKIPPED ***\n\n`,
  );
}

export const queueBackends = [
  // each file its own queue names: another file's workers must never take this file's jobs
  {
    backend: 'postgres',
    env: { QUEUE_PREFIX: `test${process.pid}p${Date.now() % 100000}` } as Record<string, string>,
    run: true,
  },
  {
    backend: 'redis',
    env: { REDIS_URL, QUEUE_PREFIX: `test${process.pid}x${Date.now() % 100000}` },
    run: redisReachable,
  },
];

/**
 * `describe(title(backend), () => body(env, backend))` once per queue backend (the Redis one skipped without a
 * reachable Redis): `env` gives the API under test that backend and queue names of this file's own.
 */
export function describeOnQueueBackends(
  title: (backend: string) => string,
  body: (env: Record<string, string>, backend: string) => void,
): void {
  for (const { backend, env, run } of queueBackends)
    (run ? describe : describe.skip)(title(backend), () => body(env, backend));
}
