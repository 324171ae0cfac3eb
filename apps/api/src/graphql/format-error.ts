import type { GraphQLFormattedError } from 'graphql';
import { logger } from '@app/common';
import { INTERNAL_ERROR_MESSAGE } from './graphql-error.filter.js';

/** Codes a client may see: ours (GraphqlErrorFilter) and the GraphQL server's own request errors. */
const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Last safety net before an error leaves the server: errors the filter never saw
 * (thrown in field resolvers) lose their message and become INTERNAL_SERVER_ERROR.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code) && !(code === 'INTERNAL_SERVER_ERROR' && formatted.message !== INTERNAL_ERROR_MESSAGE)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error({ err: error, path: formatted.path }, 'unexpected error');
  return { message: INTERNAL_ERROR_MESSAGE, path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
