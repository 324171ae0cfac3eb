import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Config, ErrorCode } from '@app/common';
import { UPLOAD_ROUTE } from '@app/imports';
import { edgeErrorBody } from './edge-error.js';

/** The largest body of every route but the uploads: a GraphQL document and its variables. */
export const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
/** Room for a multipart form's boundaries and option fields around its file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Fastify's options for the HTTP server. Node's own timers are the backstop behind the per-route deadline
 * (enforceHttpLimits): headers within REQUEST_TIMEOUT_MS, a whole request within the longest deadline; they are
 * checked every quarter of REQUEST_TIMEOUT_MS (at most every 5 s; Node's default is 30 s).
 */
export function httpServerOptions(config: Config): FastifyServerOptions & { http: ServerOptions } {
  return {
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    trustProxy: trustProxy(config.TRUST_PROXY),
    requestTimeout: Math.max(config.REQUEST_TIMEOUT_MS, config.UPLOAD_TIMEOUT_MS),
    http: {
      headersTimeout: config.REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(5_000, Math.ceil(config.REQUEST_TIMEOUT_MS / 4)),
    },
  };
}

function trustProxy(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}

/**
 * Size and time limits applied as soon as a request's headers are in, before its body is read:
 * - a body declared (Content-Length) larger than the route takes is refused with 413, and the connection closed;
 * - `Expect: 100-continue` is answered only once the request passed these checks and the rate limit (Node would
 *   otherwise invite the body at once, whatever its size);
 * - a body still incomplete after REQUEST_TIMEOUT_MS (UPLOAD_TIMEOUT_MS on upload routes) gets 408, and the
 *   connection is closed.
 */
export function enforceHttpLimits(app: NestFastifyApplication, config: Config): void {
  const server: Server = app.getHttpServer();
  // With a listener, Node leaves `100 Continue` to us (it calls it for HTTP/1.1 requests that expect it only).
  const awaitingContinue = new WeakSet<IncomingMessage>();
  server.on('checkContinue', (request: IncomingMessage, response) => {
    awaitingContinue.add(request);
    server.emit('request', request, response);
  });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const upload = isUploadRoute(request);
    const limit = upload
      ? config.IMPORT_MAX_BYTES +
        (request.headers['content-type']?.startsWith('multipart/') ? MULTIPART_OVERHEAD_BYTES : 0)
      : BODY_LIMIT_BYTES;
    if (Number(request.headers['content-length']) > limit) {
      const message = upload
        ? `The file is larger than ${config.IMPORT_MAX_BYTES} bytes (IMPORT_MAX_BYTES)`
        : `The request body is larger than ${BODY_LIMIT_BYTES} bytes`;
      // closed: the client would otherwise send the body anyway (Node reads an unread body to reuse the connection)
      return reply
        .code(413)
        .header('connection', 'close')
        .send(edgeErrorBody(request, ErrorCode.PAYLOAD_TOO_LARGE, message, upload ? 'file' : undefined));
    }
    cutOffWhenSlow(request, reply, upload ? config.UPLOAD_TIMEOUT_MS : config.REQUEST_TIMEOUT_MS);
    return undefined;
  });
  // preParsing runs after every onRequest hook (the rate limit's included) and before the body is read.
  fastify.addHook('preParsing', async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (awaitingContinue.has(request.raw) && !reply.raw.headersSent) reply.raw.writeContinue();
    return payload;
  });
}

function isUploadRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as unknown as Record<string, unknown> | undefined)?.[UPLOAD_ROUTE] === true;
}

/**
 * 408 and a closed connection when the request is not all in after `ms`. The request stream is destroyed with the
 * error Node gives a client gone mid-body, so whoever reads it (Fastify's parser, an upload streaming into job_files)
 * stops and cleans up; closing the socket alone would leave it waiting forever once the response is sent.
 */
function cutOffWhenSlow(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  if (request.raw.complete) return;
  const timer = setTimeout(() => {
    const socket = request.raw.socket as Socket | null;
    if (request.raw.complete || !socket || socket.destroyed) return;
    const abort = () => request.raw.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    if (reply.raw.headersSent) {
      // answered already (401, 413...) but the body still trickles in
      abort();
      return;
    }
    reply.hijack();
    const body = edgeErrorBody(request, ErrorCode.REQUEST_TIMEOUT, `The request was not received within ${ms} ms`);
    reply.raw.writeHead(408, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
    reply.raw.end(JSON.stringify(body), abort);
  }, ms);
  timer.unref();
  // once answered, the timer stays only for a body still arriving on a live connection
  reply.raw.once('close', () => {
    if (request.raw.complete || ((request.raw.socket as Socket | null)?.destroyed ?? true)) clearTimeout(timer);
  });
}
