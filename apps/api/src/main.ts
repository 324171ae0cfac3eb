import { ConfigError, loadConfig, logger, logUnhandledRejections } from '@app/common';
import { prepareDatabase } from '@app/database';
import { createApiApp } from './bootstrap.js';
import { seedDemoIfEmpty } from './demo/demo-seed.js';

/**
 * `npm start`: with no configuration, an embedded PostgreSQL in ./.data,
 * migrated, seeded with demo organizations on first start; then the API.
 */
async function main(): Promise<void> {
  logUnhandledRejections();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const app = await createApiApp(config, database);
  await app.listen({ port: config.PORT, host: config.HOST });
  const url = `http://localhost:${config.PORT}/graphql`;

  const demoKeys = (config.SEED_DEMO ?? database.embedded)
    ? await seedDemoIfEmpty(database.ownerUrl, app, config.EMBEDDED_PG_DIR)
    : [];
  logger.info({ url, embeddedDatabase: database.embedded }, 'API ready');
  const lines = [`\nCRM GraphQL API ready at ${url}`, `Health: http://localhost:${config.PORT}/health`];
  for (const { organization, token } of demoKeys) lines.push(`  ${organization}: ${token}`);
  if (demoKeys.length) {
    lines.splice(2, 0, 'Demo API keys (send as "Authorization: Bearer <key>"):');
    lines.push(`Try: curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${demoKeys[0].token}" \\`);
    lines.push(`       -d '{"query":"{ contacts(first: 3, filter: {search: \\"helene cote\\"}) { totalCount edges { node { firstName lastName email } } } }"}'`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else logger.fatal({ err: error, error: String(error) }, 'API failed to start');
  process.exit(1);
});
