import { AppError, ErrorCode } from '@app/common';

/** PostgreSQL error codes the services turn into domain errors. */
export const PgErrorCode = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  QUERY_CANCELED: '57014',
  IDLE_IN_TRANSACTION_TIMEOUT: '25P03',
} as const;

/**
 * SQLSTATEs that the database's own checks raise for a client's mistake (the pools' functions): each is an AppError
 * code. The error's COLUMN, when set, names the input field.
 */
const DOMAIN_ERRORS: Record<string, ErrorCode> = {
  CP400: ErrorCode.BAD_USER_INPUT,
  CP403: ErrorCode.FORBIDDEN,
  CP404: ErrorCode.NOT_FOUND,
  CP409: ErrorCode.CONFLICT,
  CP429: ErrorCode.TOO_MANY_REQUESTS,
};

/**
 * The AppError of an error a database function raised with a CP4xx SQLSTATE, its field named by `field(column)`
 * (the path in the operation's arguments); undefined for any other error.
 */
export function domainError(error: unknown, field: (column: string) => string = (c) => c): AppError | undefined {
  const code = DOMAIN_ERRORS[pgErrorCode(error) ?? ''];
  if (!code) return undefined;
  const column = (error as { column?: unknown }).column;
  const message = error instanceof Error ? error.message : 'Refused';
  return new AppError(code, message, typeof column === 'string' && column ? field(column) : undefined);
}

/** The SQLSTATE of an error raised by PostgreSQL (node-postgres puts it on `code`). */
export function pgErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The server going away (shutdown, terminated backend, connection refused or dropped, no connection to be had in time). */
export function isConnectionError(error: unknown): boolean {
  const code = pgErrorCode(error);
  if (
    code &&
    (/^(08|57P0)/.test(code) || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND'].includes(code))
  )
    return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|not queryable|timeout exceeded when trying to connect|Client was closed|Connection closed/i.test(
    message,
  );
}

/** A unit of work that failed because the database was unreachable or lost mid-way: nothing of it committed; retry later. */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The database is unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** What a client is told of a database failure that is not a bug: unavailable, or over the time allowed. Else undefined. */
export function databaseFailure(error: unknown): AppError | undefined {
  if (error instanceof DatabaseUnavailableError)
    return new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly');
  const code = pgErrorCode(error);
  if (code === PgErrorCode.QUERY_CANCELED || code === PgErrorCode.IDLE_IN_TRANSACTION_TIMEOUT) {
    return new AppError(
      ErrorCode.TIMEOUT,
      'The request took longer than the server allows: narrow it (a shorter range, fewer groups) or ask for an export',
    );
  }
  return undefined;
}
