import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerCampaignBodyParsers } from '@app/campaigns';
import { type Config, nestLogger } from '@app/common';
import { registerUploadParsers } from '@app/imports';
import { type ApiDatabase, AppModule } from './app.module.js';
import { explorerEnabled, GraphqlExplorer } from './graphql/explorer.js';
import { enforceHttpLimits, httpServerOptions } from './http/http-limits.js';
import { limitRequestRate } from './http/rate-limit.js';
import { mountQueueDashboard } from './queue-dashboard.js';

/**
 * Builds the API application (not yet listening): Fastify, GraphQL at /graphql (and its explorer for a browser when
 * GRAPHQL_EXPLORER is on), health at /health,
 * and the queue dashboard at /admin/queues when QUEUE_DASHBOARD_PASSWORD is set; the HTTP edge's
 * size, time and rate limits (./http) in front of them.
 */
export async function createApiApp(config: Config, database: ApiDatabase): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter(httpServerOptions(config));
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger:
      config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace'
        ? ['log', 'error', 'warn', 'debug']
        : ['error', 'warn'],
  });
  app.enableShutdownHooks();
  app.useLogger(nestLogger);
  // before the routes are registered (app.init): the rate limit attaches itself to each route as it is added
  enforceHttpLimits(app, config);
  await limitRequestRate(app, config);
  await registerUploadParsers(app, config.IMPORT_MAX_BYTES);
  registerCampaignBodyParsers(app);
  await mountQueueDashboard(app, config);
  if (explorerEnabled(config, database.embedded)) app.get(GraphqlExplorer).register(app);
  return app;
}
