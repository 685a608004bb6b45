import { moduleLogger, type Logger } from '@backbone/runtime';
import type { LiveStats, Repositories } from '../repositories/index.js';

type Listener = (stats: LiveStats) => void;

/**
 * Live numbers for subscriptions: one ClickHouse query per tick per (tenant, window), shared
 * by every subscriber of that pair; the ticker stops when its last subscriber leaves.
 */
export class LiveHub {
  private readonly logger: Logger;
  private readonly feeds = new Map<string, { listeners: Set<Listener>; timer: NodeJS.Timeout }>();

  constructor(
    private readonly reads: Repositories['live'],
    logger: Logger,
    private readonly tickMs = 1000,
  ) {
    this.logger = moduleLogger(logger, 'live');
  }

  /** Subscribers right now, for metrics and tests. */
  get feedCount(): number {
    return this.feeds.size;
  }

  subscribe(tenant: string, windowMinutes: number, listener: Listener): () => void {
    const key = `${tenant}\u0000${windowMinutes}`;
    let feed = this.feeds.get(key);
    if (!feed) {
      const listeners = new Set<Listener>();
      const tick = () => {
        void this.reads
          .stats(tenant, windowMinutes)
          .then((stats) => listeners.forEach((l) => l(stats)))
          .catch((err: unknown) =>
            this.logger.warn({ err }, 'live stats query failed; next tick retries'),
          );
      };
      feed = { listeners, timer: setInterval(tick, this.tickMs) };
      this.feeds.set(key, feed);
      setImmediate(tick);
    }
    feed.listeners.add(listener);
    return () => {
      const f = this.feeds.get(key);
      if (!f) return;
      f.listeners.delete(listener);
      if (f.listeners.size === 0) {
        clearInterval(f.timer);
        this.feeds.delete(key);
      }
    };
  }

  close(): void {
    for (const f of this.feeds.values()) clearInterval(f.timer);
    this.feeds.clear();
  }
}

/** A LiveHub feed as the async iterator a GraphQL subscription resolver returns. */
export function liveIterator(
  hub: LiveHub,
  tenant: string,
  windowMinutes: number,
): AsyncIterableIterator<{ liveStats: LiveStats }> {
  const queue: LiveStats[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = hub.subscribe(tenant, windowMinutes, (stats) => {
    // Only the newest tick matters to a slow client: keep one waiting value.
    queue.splice(0, queue.length, stats);
    wake?.();
  });
  const finish = () => {
    done = true;
    unsubscribe();
    wake?.();
    return Promise.resolve({ value: undefined, done: true as const });
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (!done && queue.length === 0) await new Promise<void>((r) => (wake = r));
      if (done) return { value: undefined, done: true };
      return { value: { liveStats: queue.shift()! }, done: false };
    },
    return: finish,
    throw: (err?: unknown) => {
      void finish();
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    },
  };
}
