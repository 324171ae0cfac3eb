import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DatabaseUnavailableError, PREPARED_PER_CONNECTION, TenantContexts, TenantDb } from '@app/database';
import { TestApi } from './support/test-app.js';
import { until } from './support/wait.js';

/**
 * A tenant transaction's opening (BEGIN, limits, tenant claim) goes out in one write with its first statement
 * (TenantDb, pipeline mode); one that runs no statement sends nothing. The opening begins with BEGIN: should it
 * fail, the transaction is aborted and the statement that went with it does not run.
 */
describe('tenant transactions', () => {
  let api: TestApi;
  let orgId: string;
  let db: TenantDb;
  /** Socket writes on the application's pool's connections. */
  let writes = 0;

  beforeAll(async () => {
    api = await TestApi.start();
    orgId = (await api.createOrganization()).organization.id;
    db = api.app.get(TenantDb);
    api.instrumentConnections((client) => {
      const stream = client.connection.stream;
      for (const method of ['_write', '_writev']) {
        const write = stream[method].bind(stream);
        stream[method] = (...args: unknown[]) => {
          writes++;
          return write(...args);
        };
      }
    });
  });
  afterAll(() => api.close());

  const inOrg = <T>(work: () => Promise<T>) => TenantContexts.run({ orgId }, work);
  const writesOf = async (work: () => Promise<unknown>) => {
    writes = 0;
    await inOrg(work);
    return writes;
  };

  it('writes the opening with the first statement, then each statement and COMMIT; nothing without a statement', async () => {
    expect(await writesOf(() => db.transaction((tx) => tx.query('SELECT 1')))).toBe(2);
    expect(
      await writesOf(() =>
        db.transaction(async (tx) => {
          await tx.query('SELECT $1::int AS n', [1]);
          await tx.query('SELECT $1::int AS n', [2]);
        }),
      ),
    ).toBe(3);
    expect(await writesOf(() => db.transaction(() => Promise.resolve(42)))).toBe(0);
  });

  it('runs the first statement inside the transaction, under its limits and tenant claim', async () => {
    const [row] = await inOrg(() =>
      db.transaction((tx) =>
        tx.query<{ inBlock: boolean; timeout: string; tags: number }>(
          `SELECT now() = statement_timestamp() AS "inBlock", current_setting('statement_timeout') AS timeout,
                  (SELECT count(*)::int FROM tags) AS tags`,
        ),
      ),
    );
    // now() is the transaction's start: in a transaction begun by an earlier command, it is before the statement's
    expect(row.inBlock).toBe(false);
    expect(row.timeout).not.toBe('0');
    expect(row.tags).toBe(0);
    const name = `pipelined-${randomUUID()}`;
    await inOrg(() =>
      db.transaction((tx) => tx.execute('INSERT INTO tags (org_id, name) VALUES ($1, $2)', [orgId, name])),
    );
    const [tag] = await inOrg(() => db.transaction((tx) => tx.query('SELECT name FROM tags WHERE name = $1', [name])));
    expect(tag).toEqual({ name });
  });

  it('fails a transaction whose opening failed: its first statement did not run, and the connection is not reused', async () => {
    // node-postgres's record of the prepared statements out of step with the server's: the opening's DEALLOCATE of
    // an evicted one fails
    await inOrg(() =>
      db.transaction(async (tx) => {
        await tx.query('SELECT $1::int AS n', [1]);
        await tx.query('DEALLOCATE ALL; SELECT 1');
        for (let n = 0; n < PREPARED_PER_CONNECTION; n++) await tx.query(`SELECT $1::int + ${n} AS n`, [n]);
      }),
    );
    // a notification is sent when its transaction commits: one that ran outside the transaction would be heard
    const listener = new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.payload ?? ''));
    await listener.query('LISTEN crm_opening_probe');
    try {
      const marker = randomUUID();
      await expect(
        inOrg(() => db.transaction((tx) => tx.query(`SELECT pg_notify('crm_opening_probe', $1)`, [marker]))),
      ).rejects.toThrow(DatabaseUnavailableError);
      // the connection was discarded: the next transaction runs, and its notification comes after any earlier one
      await inOrg(() => db.transaction((tx) => tx.query(`SELECT pg_notify('crm_opening_probe', 'after')`)));
      await until('the later notification', () => heard.includes('after'));
      expect(heard).toEqual(['after']);
    } finally {
      await listener.end();
    }
  });
});
