import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadConfig, logger, logUnhandledRejections, nestLogger } from '@app/common';
import { prepareDatabase } from '@app/database';
import { WorkerModule } from './worker.module.js';

/** `npm run start:worker`: connects to the database and serves GET /health on WORKER_PORT (PORT + 1). */
async function main(): Promise<void> {
  logUnhandledRejections();
  const config = loadConfig();
  const database = await prepareDatabase(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    WorkerModule.forRoot(config, database),
    new FastifyAdapter(),
    { logger: ['error', 'warn'] },
  );
  app.enableShutdownHooks();
  app.useLogger(nestLogger);
  const port = config.WORKER_PORT ?? config.PORT + 1;
  await app.listen({ port, host: config.HOST });
  logger.info({ health: `http://localhost:${port}/health` }, 'worker ready');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else logger.fatal({ err: error, error: String(error) }, 'worker failed to start');
  process.exit(1);
});
