// The peer `npm run bench:api` measures this API against: PostGraphile 5 over the database the benchmark seeds.
// Not part of the product; started by bench/api/bench-api.ts, with Node 24 where the machine's Node is older.
//
// With ORG_ID and CLAIM_KEY_HEX (DATABASE_URL as crm_app): under the same row-level security as the API, the tenant
// set per request the way PostGraphile does it, with pgSettings (set_config in a transaction around the request's
// statements). The tenant claim is an HMAC bound to the backend process (tenantClaim in libs/database), so no literal
// pgSettings value can carry it: the adaptor below signs it for the connection it checked out, then applies the
// settings as the stock adaptor does. Without them (DATABASE_URL as the owner): no row-level security at all.
//
// Environment: DATABASE_URL, PORT, and ORG_ID with CLAIM_KEY_HEX for row-level security.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import * as stockAdaptor from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const { DATABASE_URL, PORT, ORG_ID, CLAIM_KEY_HEX } = process.env;
if (!DATABASE_URL || !PORT) throw new Error('DATABASE_URL and PORT are required');
// as many connections as the API's pool (DATABASE_POOL_SIZE's default)
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const service = stockAdaptor.makePgService({ pool, schemas: ['public'] });

const key = Buffer.from(CLAIM_KEY_HEX ?? '', 'hex');

/** withPgClient: a pooled connection, the tenant claim signed for it, then pgSettings applied as the stock adaptor does. */
function withTenantClient(pgSettings, callback) {
  return pool.connect().then(async (client) => {
    try {
      const claim = `${ORG_ID}.${createHmac('sha256', key).update(`${ORG_ID}:${client.processID}`).digest('hex')}`;
      const settings = { ...pgSettings, 'app.tenant': claim };
      return await stockAdaptor.makeWithPgClientViaPgClientAlreadyInTransaction(client, false)(settings, callback);
    } finally {
      client.release();
    }
  });
}
// introspection borrows it once at start and releases it: the pool lives as long as the process
withTenantClient.release = () => undefined;

const tenant = ORG_ID && CLAIM_KEY_HEX;
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    tenant ? { ...service, adaptor: { ...stockAdaptor, createWithPgClient: () => withTenantClient } } : service,
  ],
  grafast: {
    // the API's statement timeout (DATABASE_STATEMENT_TIMEOUT_MS's default); it also puts every request in a transaction, as the API does
    context: () => ({ pgSettings: { statement_timeout: '60000' } }),
  },
  grafserv: { port: Number(PORT), graphqlPath: '/graphql', graphiql: false },
};

const serv = postgraphile(preset).createServ(grafserv);
const server = createServer();
serv.addTo(server).catch((error) => {
  console.error(error);
  process.exit(1);
});
server.listen(Number(PORT), '127.0.0.1');
