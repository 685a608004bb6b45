import type { z } from 'zod';
import { ConfigError, parseConfig } from '@backbone/runtime';
import type { Verification } from './replay/verify.js';

/**
 * The stream workers' error catalogue: a stable code, whether running the same thing again
 * later can succeed, and the exit code the CLI ends with. Callers decide by type
 * (`instanceof`), never by reading messages.
 */
export abstract class WorkerError extends Error {
  abstract readonly code: string;
  abstract readonly retriable: boolean;
  abstract readonly exitCode: number;
}

/** An error in what the operator asked for: printed as it is, exit code 2. */
export class ReplayInputError extends WorkerError {
  readonly code = 'REPLAY_INPUT';
  readonly retriable = false;
  readonly exitCode = 2;
  override readonly name = 'ReplayInputError';
}

/** A command's environment, or the variable at fault as bad input (exit code 2). */
export function commandConfig<S extends z.ZodType>(
  schema: S,
  source: Record<string, unknown>,
): Readonly<z.infer<S>> {
  try {
    return parseConfig(schema, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ReplayInputError(
      `${err.message} (on the local stack: set -a; . .backbone/local/endpoints.env; set +a)`,
    );
  }
}

/** Another replay holds the family, or an unfinished one is in the way: exit code 3. */
export class ReplayConflictError extends WorkerError {
  readonly code = 'REPLAY_CONFLICT';
  /** The other run ends or is discarded; then the same command succeeds. */
  readonly retriable = true;
  readonly exitCode = 3;
  override readonly name = 'ReplayConflictError';
}

/** The shadow differs from live and --force was not given: exit code 4, nothing swapped. */
export class ReplayMismatchError extends WorkerError {
  readonly code = 'REPLAY_MISMATCH';
  readonly retriable = false;
  readonly exitCode = 4;
  override readonly name = 'ReplayMismatchError';
  constructor(
    message: string,
    readonly verification: Verification,
  ) {
    super(message);
  }
}

/** The exit code for an error that ends the CLI: the catalogue's, 2 for usage, else 1. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof WorkerError) return err.exitCode;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}
