import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { GqlArgumentsHost } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { AppError, ErrorCode, logger } from '@app/common';
import { databaseFailure } from '@app/database';
import type { AuthenticatedRequest } from '@app/tenancy';

export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

const HTTP_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.TOO_MANY_REQUESTS]: 429,
  [ErrorCode.REQUEST_TIMEOUT]: 408,
  [ErrorCode.TIMEOUT]: 503,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

interface HttpReply {
  status(code: number): HttpReply;
  send(body: unknown): unknown;
}

/**
 * The one mapping from what services throw to what clients see: an AppError
 * keeps its code (and field); anything else is logged with the request id and
 * answered as INTERNAL_SERVER_ERROR, without stack or SQL text. GraphQL gets
 * `extensions.code`; plain HTTP routes get `{ error: { code, message } }`.
 */
@Catch()
export class GraphqlErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): GraphQLError | undefined {
    const isGraphql = host.getType<string>() === 'graphql';
    const request = isGraphql
      ? GqlArgumentsHost.create(host).getContext<{ req?: AuthenticatedRequest }>().req
      : host.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!isGraphql && error instanceof HttpException) {
      // Nest's own HTTP errors (404 route, 503 from the health check) keep their status and body.
      host.switchToHttp().getResponse<HttpReply>().status(error.getStatus()).send(error.getResponse());
      return undefined;
    }
    const { status, code, message, field } = describe(error, request);
    if (isGraphql) {
      return error instanceof GraphQLError
        ? error
        : new GraphQLError(message, {
            extensions: { code, ...(field ? { field } : {}), ...(status === 500 ? { requestId: request?.id } : {}) },
          });
    }
    host.switchToHttp().getResponse<HttpReply>().status(status).send({ error: { code, message, field } });
    return undefined;
  }
}

function describe(
  error: unknown,
  request: AuthenticatedRequest | undefined,
): { status: number; code: string; message: string; field?: string } {
  const known = error instanceof AppError ? error : databaseFailure(error);
  if (known) {
    if (!(error instanceof AppError)) logger.warn({ err: error, requestId: request?.id }, known.message);
    return { status: HTTP_STATUS[known.code], code: known.code, message: known.message, field: known.field };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    return {
      status: error.getStatus(),
      code: error.getStatus() === 404 ? ErrorCode.NOT_FOUND : ErrorCode.BAD_USER_INPUT,
      message: error.message,
    };
  }
  const unreadable = unreadableRequestStatus(error);
  if (unreadable) {
    logger.debug({ err: error, requestId: request?.id }, 'request not read');
    return {
      status: unreadable,
      code: unreadable === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_USER_INPUT,
      message: (error as Error).message,
    };
  }
  logger.error({ err: error, requestId: request?.id }, 'unexpected error');
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_ERROR_MESSAGE };
}

/**
 * The 4xx status of Fastify's refusal of a request it could not read (a body past the limit without Content-Length,
 * an unknown content type, a client gone mid-body), else undefined.
 */
function unreadableRequestStatus(error: unknown): number | undefined {
  const { code, statusCode, message } = (error ?? {}) as { code?: unknown; statusCode?: unknown; message?: unknown };
  // Node's error on a request whose client went away mid-body (read by Fastify's parser, or by an upload's handler)
  if (code === 'ECONNRESET' && message === 'aborted') return 400;
  const fromFastify = typeof code === 'string' && code.startsWith('FST_');
  return fromFastify && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500
    ? statusCode
    : undefined;
}
