import type { FastifyReply } from 'fastify';

/**
 * The gateway's error answers: a stable code and the HTTP status it is sent with. Every error
 * answer goes through `sendError`, so this map alone decides the status. Bodies never echo
 * keys or payloads.
 */
export const ErrorCodes = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

export interface ErrorBody {
  status: 'error';
  code: ErrorCode;
  message: string;
  errors?: { field: string; message: string }[];
}

export function errorBody(
  code: ErrorCode,
  message: string,
  errors?: ErrorBody['errors'],
): ErrorBody {
  return { status: 'error', code, message, ...(errors ? { errors } : {}) };
}

/** Answers `code` with its status from the catalogue and the error body. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  errors?: ErrorBody['errors'],
): FastifyReply {
  return reply.code(ErrorCodes[code]).send(errorBody(code, message, errors));
}

/** The catalogue's code for a client error (4xx) that a library raised with only a status. */
export function codeForStatus(status: number): ErrorCode {
  const found = (Object.keys(ErrorCodes) as ErrorCode[]).find(
    (code) => ErrorCodes[code] === status && code !== 'VALIDATION_ERROR',
  );
  return found ?? 'VALIDATION_ERROR';
}

/** Kafka or the buffer cannot take the events now; the client should retry later. */
export class UnavailableError extends Error {
  readonly code = 'UNAVAILABLE';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}
