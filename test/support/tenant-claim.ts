import { createHmac } from 'node:crypto';
import type pg from 'pg';

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
