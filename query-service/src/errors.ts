/** The query service's error catalogue: stable codes, an HTTP status, never message matching. */
export class QueryError extends Error {
  constructor(
    readonly code:
      'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE',
    readonly status: 401 | 403 | 400 | 404 | 409 | 503,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'QueryError';
  }
}

export const unauthenticated = (message: string) => new QueryError('UNAUTHENTICATED', 401, message);
export const forbidden = (message: string) => new QueryError('FORBIDDEN', 403, message);
export const badInput = (message: string) => new QueryError('BAD_USER_INPUT', 400, message);
export const notFound = (message: string) => new QueryError('NOT_FOUND', 404, message);
export const conflict = (message: string) => new QueryError('CONFLICT', 409, message);
