import type { Logger } from 'pino';
import { moduleLogger } from './logger.js';

/** One stage of a graceful stop, run in the order given. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  /**
   * In this order: stop intake → finish in-flight work and commit → flush producers →
   * disconnect clients. Each step runs even if an earlier one failed.
   */
  steps: ShutdownStep[];
  /** Past this, the process exits with code 1 whatever is still running. */
  timeoutMs?: number;
  signals?: NodeJS.Signals[];
  exit?: (code: number) => void;
}

/** Runs the steps in order; resolves with the exit code (0 when every step succeeded). */
export async function runShutdown(logger: Logger, steps: ShutdownStep[]): Promise<number> {
  let code = 0;
  for (const step of steps) {
    try {
      await step.run();
      logger.debug({ step: step.name }, 'shutdown step done');
    } catch (err) {
      code = 1;
      logger.error({ err, step: step.name }, 'shutdown step failed');
    }
  }
  return code;
}

/**
 * Installs SIGTERM/SIGINT handlers that run the shutdown steps once, then exit.
 * A second signal during shutdown is logged and ignored; the timeout is the backstop.
 */
export function installShutdown(given: ShutdownOptions): () => Promise<number> {
  const options = { ...given, logger: moduleLogger(given.logger, 'shutdown') };
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let running: Promise<number> | undefined;

  const shutdown = (reason: string): Promise<number> => {
    if (running) {
      options.logger.warn({ reason }, 'shutdown already in progress');
      return running;
    }
    options.logger.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      options.logger.error({ timeoutMs }, 'shutdown timed out; exiting with work unfinished');
      exit(1);
    }, timeoutMs);
    timer.unref();
    running = runShutdown(options.logger, options.steps).then((code) => {
      clearTimeout(timer);
      options.logger.info({ code }, 'stopped');
      exit(code);
      return code;
    });
    return running;
  };

  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    process.once(signal, () => void shutdown(signal));
  }
  return () => shutdown('requested');
}
