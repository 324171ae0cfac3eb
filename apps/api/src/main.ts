import { ConfigError, loadConfig, logger, logUnhandledRejections } from '@app/common';
import { prepareDatabase } from '@app/database';
import { createApiApp } from './bootstrap.js';
import { seedDemoIfEmpty } from './demo/demo-seed.js';
import { explorerEnabled, GraphqlExplorer } from './graphql/explorer.js';

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

  const demoKeys =
    (config.SEED_DEMO ?? database.embedded)
      ? await seedDemoIfEmpty(database.ownerUrl, app, config.EMBEDDED_PG_DIR)
      : [];
  const explorer = explorerEnabled(config, database.embedded);
  // the explorer's shared headers: the first demo organization's key, so that its first query just runs
  if (explorer && demoKeys.length)
    app.get(GraphqlExplorer).shareHeaders({ authorization: `Bearer ${demoKeys[0].token}` });
  logger.info({ url, embeddedDatabase: database.embedded, explorer }, 'API ready');
  const lines = [`\nCRM GraphQL API ready at ${url}`, `Health: http://localhost:${config.PORT}/health`];
  if (explorer) {
    lines.push(
      demoKeys.length
        ? `GraphQL explorer: open ${url} in a browser (its shared headers send ${demoKeys[0].organization}'s key; paste another below as "Authorization: Bearer <key>")`
        : `GraphQL explorer: open ${url} in a browser and add the header "Authorization: Bearer <API key>"`,
    );
  }
  if (demoKeys.length) {
    lines.push('Demo API keys (send as "Authorization: Bearer <key>"):');
    for (const { organization, token } of demoKeys) lines.push(`  ${organization}: ${token}`);
    lines.push(
      `Try: curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${demoKeys[0].token}" \\`,
    );
    lines.push(
      `       -d '{"query":"{ contacts(first: 3, filter: {search: \\"helene cote\\"}) { totalCount edges { node { firstName lastName email } } } }"}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else logger.fatal({ err: error, error: String(error) }, 'API failed to start');
  process.exit(1);
});
