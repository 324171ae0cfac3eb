import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import { HttpException } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { type Config, ErrorCode, logger } from '@app/common';
import { parseToken } from '@app/tenancy';
import { edgeErrorBody } from './edge-error.js';

/**
 * RATE_LIMIT_PER_MINUTE requests per API key, per fixed minute, counted before the body is read (every route but
 * /health). Past it: 429 with Retry-After. Counts live in Redis when REDIS_URL is set (shared by every API process),
 * else in this process. When Redis does not answer, requests are served uncounted rather than refused.
 */
export async function limitRequestRate(app: NestFastifyApplication, config: Config): Promise<void> {
  if (config.RATE_LIMIT_PER_MINUTE === 0) return;
  const redis = config.REDIS_URL ? await rateLimitRedis(config.REDIS_URL) : undefined;
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    allowList: (request) => request.routeOptions.url === '/health',
    cache: 10_000,
    redis,
    nameSpace: `${config.QUEUE_PREFIX}:rate-limit:`,
    skipOnError: true,
    errorResponseBuilder: (request, context) => {
      const { after } = context as typeof context & { after: string };
      const message = `Too many requests: at most ${config.RATE_LIMIT_PER_MINUTE} a minute per API key; retry in ${after}`;
      // thrown by the plugin; the exception filter sends an HttpException's status and body as they are
      return new HttpException(edgeErrorBody(request, ErrorCode.TOO_MANY_REQUESTS, message), context.statusCode);
    },
  });
  if (redis)
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', async () => void (await redis.quit()));
}

/**
 * Whose allowance a request spends, without a database round trip: a well-formed API key's (a hash of the whole
 * token, so that only its holder spends it: the key's prefix is not secret), else the client address's.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (match && parseToken(match[1]))
    return `key:${createHash('sha256').update(match[1]).digest('base64url').slice(0, 22)}`;
  return `ip:${rateLimit.normalizeIP(request.ip)}`;
}

/** A connection of its own that fails fast: a request never waits for Redis to come back. */
async function rateLimitRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error: Error) =>
    logger.warn({ err: error }, 'rate limit: Redis error (requests are served uncounted meanwhile)'),
  );
  await redis.connect().catch(() => undefined);
  return redis;
}
