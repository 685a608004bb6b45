/** The gateway's error answers: a stable code and its HTTP status. Bodies never echo keys or payloads. */
export const ErrorCodes = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
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
