import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, logger } from '@app/common';
import { databaseFailure } from '@app/database';
import { INTERNAL_ERROR_MESSAGE } from './graphql-error.filter.js';

/**
 * Codes a client may see: ours (every ErrorCode, as GraphqlErrorFilter sets them: TOO_MANY_REQUESTS from a pool's
 * daily budget among them) and the GraphQL server's own request errors.
 */
const PUBLIC_CODES = new Set<string>([
  ...Object.values(ErrorCode),
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Last safety net before an error leaves the server. Field resolvers (and the pipes on their arguments) throw past
 * GraphqlErrorFilter: an AppError among them keeps its code and field; anything else loses its message and becomes
 * INTERNAL_SERVER_ERROR.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const thrown = error instanceof GraphQLError ? error.originalError : error;
  const original = thrown instanceof AppError ? thrown : (databaseFailure(thrown) ?? thrown);
  if (original instanceof AppError) {
    const extensions = { code: original.code, ...(original.field ? { field: original.field } : {}) };
    return { message: original.message, path: formatted.path, locations: formatted.locations, extensions };
  }
  const code = formatted.extensions?.code;
  if (
    typeof code === 'string' &&
    PUBLIC_CODES.has(code) &&
    !(code === 'INTERNAL_SERVER_ERROR' && formatted.message !== INTERNAL_ERROR_MESSAGE)
  ) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error({ err: error, path: formatted.path }, 'unexpected error');
  return {
    message: INTERNAL_ERROR_MESSAGE,
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
