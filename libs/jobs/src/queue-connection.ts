import { createPostgresBackend, setDefaultBackendFactory, type ConnectionOptions } from 'bullmq';
import { QUEUE_SCHEMA } from '@app/database';

export type QueueBackend = 'redis' | 'postgres';

/**
 * The queue's connection: Redis when REDIS_URL is set, else BullMQ's own
 * PostgreSQL backend on the application database (schema `bullmq`, migrated by
 * `npm run migrate`). Processors and producers are the same on both.
 */
export function queueConnection(options: { redisUrl?: string; appUrl: string }): {
  backend: QueueBackend;
  connection: ConnectionOptions;
} {
  if (options.redisUrl) {
    setDefaultBackendFactory(undefined);
    const url = new URL(options.redisUrl);
    return {
      backend: 'redis',
      connection: {
        host: url.hostname,
        port: Number(url.port || 6379),
        username: url.username || undefined,
        password: url.password || undefined,
        db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
        tls: url.protocol === 'rediss:' ? {} : undefined,
        maxRetriesPerRequest: null,
      },
    };
  }
  setDefaultBackendFactory(createPostgresBackend);
  // The PostgreSQL backend takes node-postgres options where @nestjs/bullmq's typings say Redis.
  const postgres: unknown = { connectionString: options.appUrl, schema: QUEUE_SCHEMA, max: 4 };
  return { backend: 'postgres', connection: postgres as ConnectionOptions };
}
