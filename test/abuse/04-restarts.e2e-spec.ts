import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { type BuiltProcess, startBuiltProcess, stopAllBuiltProcesses } from '../support/child-process.js';
import {
  createOrganizationWithCli,
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from '../support/private-services.js';
import { sleep, until } from '../support/wait.js';

/**
 * Item 4: PostgreSQL (and Redis, when the queue is on it) restart under a running API and worker. Both processes
 * keep running, answer errors while the database is away, serve again once it is back, and a job queued just
 * before the restart still runs. On servers of the test's own (the run's shared ones serve other files).
 */
jest.setTimeout(240_000);

async function graphql(api: BuiltProcess, token: string, query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: await response.json() };
}

async function importFile(api: BuiltProcess, token: string, csv: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${api.url}/imports?dedup=false`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
    body: csv,
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: await response.json() };
}

/** Polls `probe` every 250 ms, its failures (the services are away) counting as "not yet". */
const untilServed = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> =>
  until(what, () => probe().catch(() => undefined), { timeoutMs, everyMs: 250 });

const contactsCount = `{ contacts(first: 1) { totalCount } }`;

describe.each([{ backend: 'postgres' as const }, { backend: 'redis' as const }])(
  'a restart of the services under a running API and worker ($backend queue)',
  ({ backend }) => {
    let postgres: PrivatePostgres | null = null;
    let redis: PrivateRedis | null = null;

    afterAll(async () => {
      await stopAllBuiltProcesses('SIGKILL');
      await postgres?.destroy();
      await redis?.destroy();
    });

    it('keeps both processes up, fails requests while the database is away, serves again, and loses no job', async () => {
      if (backend === 'redis') {
        redis = await startPrivateRedis();
        if (!redis) {
          process.stdout.write('*** redis-server is not installed: the Redis restart case is SKIPPED ***\n');
          return;
        }
      }
      postgres = await startPrivatePostgres();
      const env = {
        DATABASE_URL: postgres.ownerUrl,
        DATABASE_APP_URL: postgres.appUrl,
        QUEUE_PREFIX: `restart${process.pid}`,
        DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
        ...(redis ? { REDIS_URL: redis.url } : {}),
      };
      const token = await createOrganizationWithCli(env, 'Redémarrages', 'restart@example.org');
      const api = await startBuiltProcess('api', { ...env, RUN_JOBS_IN_API: 'false' });
      const worker = await startBuiltProcess('worker', env);
      const alive = () =>
        api.process.exitCode === null &&
        worker.process.exitCode === null &&
        api.process.signalCode === null &&
        worker.process.signalCode === null;

      expect((await graphql(api, token, contactsCount)).body.data.contacts.totalCount).toBe(0);
      const finished = (id: string) =>
        untilServed(
          `job run ${id}`,
          async () => {
            const { body } = await graphql(api, token, `{ jobRun(id: "${id}") { status counts } }`);
            const runNow = body.data?.jobRun;
            return runNow && ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(runNow.status) ? runNow : undefined;
          },
          120_000,
        );

      // a job queued, then the database goes away before (or while) it runs
      const first = await importFile(
        api,
        token,
        'prénom;nom;courriel\nAnne;Hébert;anne@example.org\nGaston;Miron;gaston@example.org\n',
      );
      expect(first.status).toBe(202);
      await postgres.stop();
      if (redis) await redis.stop();

      const whileAway = await graphql(api, token, contactsCount);
      expect(whileAway.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
      expect(JSON.stringify(whileAway.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|crm_app/);
      const health = await fetch(`${api.url}/health`);
      expect(health.status).toBe(503);
      // an absence (neither process exits) while both meet the outage (pool, queue, listener): a fixed while, as there
      // is no point after which a crash could no longer come
      await sleep(3_000);
      expect(alive()).toBe(true);

      await postgres.start();
      if (redis) await redis.start();
      await untilServed('the API serves again', async () =>
        (await graphql(api, token, contactsCount)).body.data ? true : undefined,
      );
      expect(await finished(first.body.jobRunId)).toMatchObject({
        status: 'SUCCEEDED',
        counts: expect.objectContaining({ created: 2 }),
      });

      // and new work goes through the restarted services
      const second = await importFile(api, token, 'prénom;nom;courriel\nÉmile;Nelligan;emile@example.org\n');
      expect(second.status).toBe(202);
      expect(await finished(second.body.jobRunId)).toMatchObject({ status: 'SUCCEEDED' });
      expect((await graphql(api, token, contactsCount)).body.data.contacts.totalCount).toBe(3);
      expect(alive()).toBe(true);
      expect(api.output() + worker.output()).not.toMatch(/Unhandled|uncaught/i);
    });
  },
);
