import { createHmac } from 'node:crypto';
import pg from 'pg';

/**
 * What a transaction sets as `app.tenant`: the organization and an HMAC over it and the connection's backend pid,
 * which only holders of the claim key can compute (the application role cannot read it; see the tenant-claim
 * migration). The pid binds the claim to one connection.
 */
export function tenantClaim(key: Buffer, orgId: string, backendPid: number): string {
  return `${orgId}.${createHmac('sha256', key).update(`${orgId}:${backendPid}`).digest('hex')}`;
}

/** The claim key, read with the owner's connection at boot. */
export async function readTenantClaimKey(ownerUrl: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: ownerUrl });
  client.on('error', () => undefined); // a dropped connection fails the query below, not the process
  await client.connect();
  try {
    const { rows } = await client.query<{ key: Buffer }>('SELECT key FROM crm_private.tenant_claim_key');
    if (!rows[0]) throw new Error('The tenant claim key is missing: run the migrations (npm run migrate)');
    return rows[0].key;
  } finally {
    await client.end();
  }
}
