export class TimeoutError extends Error {
  readonly code = 'TIMEOUT';
  constructor(
    message: string,
    readonly lastError?: unknown,
  ) {
    super(message, { cause: lastError });
    this.name = 'TimeoutError';
  }
}

export interface WaitForOptions {
  /** Give up after this many milliseconds. */
  timeoutMs: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Said in the timeout error: what was being waited for. */
  description?: string;
}

/**
 * Polls `check` until it returns a value other than undefined/false, or the deadline
 * passes. A check that throws counts as "not yet"; its last error is kept as the cause.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new TimeoutError(
        `timed out after ${options.timeoutMs} ms waiting for ${what}${why}`,
        lastError,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
