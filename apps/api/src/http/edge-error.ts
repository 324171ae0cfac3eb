import type { FastifyRequest } from 'fastify';
import type { ErrorCode } from '@app/common';
import { GRAPHQL_PATH } from '../graphql/graphql.config.js';

/**
 * The body of a refusal the HTTP edge sends before any handler runs (too large, too slow, too many requests), in the
 * shape the route's clients read: a GraphQL error on /graphql, `{ error: { code, message, field } }` on the others.
 */
export function edgeErrorBody(request: FastifyRequest, code: ErrorCode, message: string, field?: string): object {
  if (request.routeOptions.url === GRAPHQL_PATH)
    return { errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] };
  return { error: { code, message, ...(field ? { field } : {}) } };
}
