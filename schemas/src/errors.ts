import type { FieldError } from './validate.js';

/** The error catalogue of @backbone/schemas: a stable code, and whether a retry can help. */
export abstract class SchemasError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;
}

/** Whether an error is one of the catalogue's that a later retry can fix. */
export function isRetriable(err: unknown): err is SchemasError {
  return err instanceof SchemasError && err.retriable;
}

/** The event does not fit its stream's schema; `errors` names each field. */
export class EventValidationError extends SchemasError {
  readonly code = 'EVENT_INVALID';
  readonly retriable = false;
  constructor(readonly errors: FieldError[]) {
    super(`invalid event: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.name = 'EventValidationError';
  }
}

/** Too many events are waiting for Kafka; back off and retry. */
export class BufferFullError extends SchemasError {
  readonly code = 'BUFFER_FULL';
  readonly retriable = true;
  constructor(limit: number) {
    super(`${limit} events are already waiting for Kafka`);
    this.name = 'BufferFullError';
  }
}

/** Kafka did not acknowledge the batch the event was in. */
export class ProduceError extends SchemasError {
  readonly code = 'PRODUCE_FAILED';
  readonly retriable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProduceError';
  }
}

/**
 * Bytes that cannot be read or written in the Confluent wire format: unknown schema id, bytes
 * that do not decode, an unreachable registry. Retriable only when the registry could not be
 * reached (the bytes themselves never get better).
 */
export class SerdeError extends SchemasError {
  readonly code: 'SERDE_UNREADABLE' | 'REGISTRY_UNREACHABLE';
  readonly retriable: boolean;
  constructor(message: string, options?: ErrorOptions & { retriable?: boolean }) {
    super(message, options);
    this.name = 'SerdeError';
    this.retriable = options?.retriable ?? false;
    this.code = this.retriable ? 'REGISTRY_UNREACHABLE' : 'SERDE_UNREADABLE';
  }
}
