import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DatabaseUnavailableError, databaseFailure, TenantContexts, TenantDb } from '@app/database';
import { TestApi } from '../support/test-app.js';
import { until } from '../support/wait.js';

/**
 * Item 3 (the database's side): every tenant transaction carries a statement timeout (longer for jobs), and a unit of
 * work that cannot get a connection in time fails instead of queueing forever; both reach clients as clear codes.
 */
describe('statement and acquire timeouts', () => {
  let api: TestApi;
  let orgId: string;

  beforeAll(async () => {
    api = await TestApi.start({
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
      JOB_STATEMENT_TIMEOUT_MS: '5000',
      DATABASE_POOL_SIZE: '2',
      DATABASE_ACQUIRE_TIMEOUT_MS: '300',
    });
    orgId = (await api.createOrganization()).organization.id;
  });
  afterAll(async () => {
    await api.close();
  });

  const db = () => api.app.get(TenantDb);

  it("cancels a request's statement past DATABASE_STATEMENT_TIMEOUT_MS, and says TIMEOUT", async () => {
    const slow = TenantContexts.run({ orgId }, () => db().transaction((tx) => tx.query('SELECT pg_sleep(2)')));
    const error = await slow.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(databaseFailure(error)?.code).toBe('TIMEOUT');
    // the connection is fine afterwards
    await expect(
      TenantContexts.run({ orgId }, () => db().transaction((tx) => tx.query('SELECT 1 AS one'))),
    ).resolves.toEqual([{ one: 1 }]);
  });

  it("gives jobs' transactions JOB_STATEMENT_TIMEOUT_MS", async () => {
    const [request] = await TenantContexts.run({ orgId }, () =>
      db().transaction((tx) => tx.query<{ t: string }>('SHOW statement_timeout')),
    );
    const [job] = await TenantContexts.run({ orgId, job: true }, () =>
      db().transaction((tx) => tx.query<{ t: string }>('SHOW statement_timeout')),
    );
    expect([Object.values(request)[0], Object.values(job)[0]]).toEqual(['300ms', '5s']);
  });

  it('fails a unit of work that waits past DATABASE_ACQUIRE_TIMEOUT_MS for a connection, as SERVICE_UNAVAILABLE', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = 0;
    const holders = [0, 1].map(() =>
      TenantContexts.run({ orgId, job: true }, () =>
        db().transaction(async (tx) => {
          await tx.query('SELECT 1');
          holding++;
          await held;
        }),
      ),
    );
    await until('both connections of the pool to be held', () => holding === 2);
    const starved = await TenantContexts.run({ orgId }, () => db().transaction((tx) => tx.query('SELECT 1'))).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    release();
    await Promise.all(holders);
    expect(starved).toBeInstanceOf(DatabaseUnavailableError);
    expect(databaseFailure(starved)?.code).toBe('SERVICE_UNAVAILABLE');
  });
});
