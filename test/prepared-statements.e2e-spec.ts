import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PREPARED_PER_CONNECTION, TenantContexts, TenantDb } from '@app/database';
import { TestApi } from './support/test-app.js';

/**
 * Statements with parameters run prepared, and a connection keeps at most PREPARED_PER_CONNECTION of them: a
 * tenant's queries of many shapes cannot grow a connection's memory without end (prepared-statements.ts).
 */
describe('prepared statements', () => {
  let api: TestApi;
  let orgId: string;
  let db: TenantDb;

  beforeAll(async () => {
    api = await TestApi.start();
    orgId = (await api.createOrganization()).organization.id;
    db = api.app.get(TenantDb);
  });
  afterAll(() => api.close());

  const inOrg = <T>(work: () => Promise<T>) => TenantContexts.run({ orgId }, work);
  /** A statement of its own shape: the n-th. */
  const shaped = (n: number) => `SELECT $1::int + ${n} AS value`;
  /** How many statements the connection a transaction gets holds prepared. */
  const preparedHere = () =>
    db.transaction(async (tx) => {
      const [row] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'crm\\_%'`,
      );
      return row;
    });

  it('prepares a statement once per connection and runs it again by name', async () => {
    await inOrg(async () => {
      const before = await db.transaction(async (tx) => {
        expect(await tx.query(shaped(0), [41])).toEqual([{ value: 41 }]);
        expect(await tx.query(shaped(0), [1])).toEqual([{ value: 1 }]);
        return tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = $1`, [
          shaped(0),
        ]);
      });
      expect(before).toEqual([{ n: 1 }]);
    });
  });

  it('keeps at most the most recently used per connection; one deallocated is prepared again when it comes back', async () => {
    await inOrg(async () => {
      // one transaction after the other: the pool hands back the connection released last
      for (let n = 1; n <= PREPARED_PER_CONNECTION + 50; n++)
        await db.transaction(async (tx) => expect(await tx.query(shaped(n), [1])).toEqual([{ value: 1 + n }]));
      const after = await preparedHere();
      // the counting statement is prepared too: the one it evicted is deallocated in the write that opens its
      // transaction (a transaction's later statements leave theirs to the next transaction's opening)
      expect(after.n).toBe(PREPARED_PER_CONNECTION);
      // the oldest were deallocated: they are prepared again
      await db.transaction(async (tx) => expect(await tx.query(shaped(1), [2])).toEqual([{ value: 3 }]));
    });
  });

  it('is not disturbed by a statement that failed to prepare', async () => {
    await inOrg(async () => {
      await expect(db.transaction((tx) => tx.query('SELECT $1::int FROM no_such_table', [1]))).rejects.toThrow();
      for (let n = 0; n <= PREPARED_PER_CONNECTION + 5; n++)
        await db.transaction(async (tx) =>
          expect(await tx.query(shaped(1000 + n), [0])).toEqual([{ value: 1000 + n }]),
        );
      expect((await preparedHere()).n).toBeLessThanOrEqual(PREPARED_PER_CONNECTION);
    });
  });
});
