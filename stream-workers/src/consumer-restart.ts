import type { Consumer } from 'kafkajs';
import type { Logger } from '@backbone/runtime';

/**
 * kafkajs restarts a consumer after a retriable failure by itself; one it gives up on (its
 * retries exhausted against a broker that stays away, as when a broker fails) stays stopped.
 * This starts it again after a pause, from the committed offsets, so a worker stays in its
 * group instead of idling alive. `crashed` reports the stopped state meanwhile (the worker's
 * health); `start` makes and runs a new consumer.
 */
export function restartOnFatalCrash(
  consumer: Consumer,
  o: {
    what: string;
    logger: Logger;
    /** Whether the worker still runs and this consumer is still its consumer. */
    current: () => boolean;
    crashed: (err: Error | undefined) => void;
    start: () => Promise<void>;
    pauseMs?: number;
  },
): void {
  consumer.on(consumer.events.CRASH, (e) => {
    if (e.payload.restart || !o.current()) return;
    const pauseMs = o.pauseMs ?? 5000;
    o.logger.error(
      { err: e.payload.error, pauseMs },
      `the ${o.what} consumer gave up; starting it again from the committed offsets`,
    );
    o.crashed(e.payload.error);
    setTimeout(() => {
      if (!o.current()) return;
      void consumer
        .disconnect()
        .catch(() => undefined)
        .then(() => o.start())
        .then(() => o.crashed(undefined))
        .catch((err: unknown) =>
          o.logger.error({ err }, `the ${o.what} consumer did not start again`),
        );
    }, pauseMs).unref();
  });
}
