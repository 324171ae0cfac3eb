import { createHash, timingSafeEqual } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Config, logger } from '@app/common';
import { JobsService, QueueName } from '@app/jobs';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The queue dashboard (bull-board) at /admin/queues behind HTTP Basic auth,
 * mounted only when QUEUE_DASHBOARD_PASSWORD is set. Call before `listen`.
 */
export async function mountQueueDashboard(app: NestFastifyApplication, config: Config): Promise<void> {
  const password = config.QUEUE_DASHBOARD_PASSWORD;
  if (!password) return;
  // Imported here, not at the top: @bull-board/fastify requires an ESM-only package
  // (content-disposition) that Jest's ESM VM on Node 20 cannot load, and the tests
  // load this file through bootstrap.ts. Only a process with the dashboard on loads it.
  const [{ createBullBoard }, { BullMQAdapter }, { FastifyAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/fastify'),
  ]);
  const jobs = app.get(JobsService);
  const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(jobs.queue(name))),
    serverAdapter,
  });

  const checkCredentials = basicAuth(config.QUEUE_DASHBOARD_USER, password);
  // A plugin of its own: the hook guards the dashboard's routes only (Fastify encapsulation),
  // not /graphql, /health or the other controllers (Nest's ApiKeyGuard does not see these routes).
  await app.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', checkCredentials);
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_DASHBOARD_PATH },
  );
  logger.info({ path: QUEUE_DASHBOARD_PATH, user: config.QUEUE_DASHBOARD_USER }, 'queue dashboard mounted');
}

/** An onRequest hook answering 401 unless the request carries `user:password` as HTTP Basic credentials. */
function basicAuth(
  user: string,
  password: string,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  // compared as hashes: equal lengths for timingSafeEqual, and no early exit on the first differing byte
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const expected = digest(`${user}:${password}`);
  return async (request, reply) => {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
    const given = match ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    if (match && timingSafeEqual(digest(given), expected)) return undefined;
    // returning the reply ends the request here (Fastify's way for async hooks)
    return reply
      .code(401)
      .header('www-authenticate', 'Basic realm="queues"')
      .send({ error: { code: 'UNAUTHENTICATED', message: 'Queue dashboard: wrong or missing credentials' } });
  };
}
