import { createHmac } from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';

/**
 * Sets the tenant on a hand-opened crm_app connection, inside its transaction, as TenantDb does:
 * a claim signed with the test database's key for this connection's backend.
 */
export async function setTenant(client: pg.Client, orgId: string): Promise<void> {
  const hex = process.env.TEST_TENANT_CLAIM_KEY;
  if (!hex) throw new Error('TEST_TENANT_CLAIM_KEY is not set: run the tests through jest.config.js (global setup)');
  const pid = (client as unknown as { processID: number }).processID;
  const claim = `${orgId}.${createHmac('sha256', Buffer.from(hex, 'hex')).update(`${orgId}:${pid}`).digest('hex')}`;
  await client.query(`SELECT set_config('app.tenant', $1, true)`, [claim]);
}

/**
 * `sql` on a hand-opened crm_app connection in a committed transaction of `orgId` (none when null): its rows, or its
 * error's SQLSTATE and message (rolled back), so a test can assert on either.
 */
export async function asTenant<T = Record<string, unknown>>(
  client: pg.Client,
  orgId: string | null,
  sql: string,
  params: unknown[] = [],
): Promise<T[] | { code: string; message: string }> {
  await client.query('BEGIN');
  try {
    if (orgId) await setTenant(client, orgId);
    const { rows } = await client.query(sql, params);
    await client.query('COMMIT');
    return rows as T[];
  } catch (error) {
    await client.query('ROLLBACK');
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

/**
 * The owner's and crm_app's connections to the test database, opened before the file's (or block's) tests and
 * closed after them.
 */
export function ownerAndAppClients(): { owner: pg.Client; app: pg.Client } {
  const clients = {
    owner: new pg.Client({ connectionString: process.env.TEST_DATABASE_URL }),
    app: new pg.Client({ connectionString: process.env.TEST_DATABASE_APP_URL }),
  };
  beforeAll(async () => {
    await clients.owner.connect();
    await clients.app.connect();
  });
  afterAll(async () => {
    await clients.owner.end();
    await clients.app.end();
  });
  return clients;
}
