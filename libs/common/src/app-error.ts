/** The codes a client can see in `extensions.code`; one list for the whole API. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** Past the request rate of the API key (or of the client's address); Retry-After says when to retry. */
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  /** The client took longer than allowed to send its request. */
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  /** A statement ran past the time a request (or job) is allowed. */
  TIMEOUT = 'TIMEOUT',
  /** The database is away (restarting, unreachable, no free connection in time); retry. */
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}

/**
 * The one exception domain services throw. The API maps it to a GraphQL error
 * (apps/api/src/graphql/format-error.ts); services never throw HTTP exceptions.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Path of the offending input field, e.g. `input.email`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badInput(field: string, message: string): AppError {
    return new AppError(ErrorCode.BAD_USER_INPUT, message, field);
  }

  static notFound(what: string): AppError {
    return new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}
