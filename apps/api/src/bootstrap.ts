import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Config, logger } from '@app/common';
import { registerUploadParsers } from '@app/contacts';
import { AppModule } from './app.module.js';
import { mountQueueDashboard } from './queue-dashboard.js';

/**
 * Builds the API application (not yet listening): Fastify, GraphQL at /graphql, health at /health,
 * and the queue dashboard at /admin/queues when QUEUE_DASHBOARD_PASSWORD is set.
 */
export async function createApiApp(config: Config, database: { appUrl: string; embedded: boolean }): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 2 * 1024 * 1024, requestIdHeader: 'x-request-id', trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, database), adapter, {
    logger: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? ['log', 'error', 'warn', 'debug'] : ['error', 'warn'],
  });
  app.enableShutdownHooks();
  app.useLogger({
    log: (message: unknown) => logger.info(String(message)),
    error: (message: unknown, trace?: string) => logger.error({ trace }, String(message)),
    warn: (message: unknown) => logger.warn(String(message)),
    debug: (message: unknown) => logger.debug(String(message)),
    verbose: (message: unknown) => logger.trace(String(message)),
  });
  await registerUploadParsers(app, config.IMPORT_MAX_BYTES);
  await mountQueueDashboard(app, config);
  return app;
}
