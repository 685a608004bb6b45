import type { ChildProcess } from 'node:child_process';
import { exitOf, isAlive, tail } from './stack/processes.js';

/** Something the supervisor keeps running. */
export interface Watched {
  name: string;
  alive(): boolean;
  /** Why it is gone, as far as is known: how it ended and the last line of its log. */
  why(): string;
  /** Starts it again; resolves once it is ready. */
  restart(): Promise<void>;
}

/** A process of the local stack, known by its pid and log file. */
export function watchedProcess(
  name: string,
  current: () => { pid: number; logFile: string } | undefined,
  restart: () => Promise<void>,
): Watched {
  return {
    name,
    alive: () => {
      const p = current();
      return p !== undefined && isAlive(p.pid);
    },
    why: () => {
      const p = current();
      if (!p) return 'not running';
      const ended = exitOf(p.pid) ?? `pid ${p.pid} is gone`;
      return `${ended}; last log line: ${tail(p.logFile, 1).slice(0, 300)}`;
    },
    restart,
  };
}

/** A service running as a child of this process. */
export function watchedChild(
  name: string,
  logFile: string,
  current: () => ChildProcess,
  restart: () => Promise<void>,
): Watched {
  return {
    name,
    alive: () => current().exitCode === null && current().signalCode === null,
    why: () => {
      const c = current();
      const ended = c.signalCode ? `killed by ${c.signalCode}` : `exited with code ${c.exitCode}`;
      return `${ended}; last log line: ${tail(logFile, 1).slice(0, 300)}`;
    },
    restart,
  };
}

/**
 * Keeps the local backbone running: every interval it looks at each component, and one
 * that died is started again, with a line saying which and why. A restart that fails is
 * tried again on a later round, waiting longer each time (up to a minute).
 */
export class Supervisor {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly backoff = new Map<string, { until: number; delayMs: number }>();
  restarts = 0;

  constructor(
    private readonly watched: () => Watched[],
    private readonly log: (line: string) => void,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every component; restarts the dead ones, one after another. */
  async round(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const w of this.watched()) {
        if (w.alive()) continue;
        const wait = this.backoff.get(w.name);
        if (wait && Date.now() < wait.until) continue;
        this.log(`supervisor: ${w.name} died (${w.why()}); restarting it`);
        const started = Date.now();
        try {
          await w.restart();
          this.restarts++;
          this.backoff.delete(w.name);
          this.log(
            `supervisor: ${w.name} is back after ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
        } catch (err) {
          const delayMs = Math.min(60_000, (wait?.delayMs ?? 1000) * 2);
          this.backoff.set(w.name, { until: Date.now() + delayMs, delayMs });
          this.log(
            `supervisor: ${w.name} did not come back (${(err as Error).message}); next try in ${delayMs / 1000} s`,
          );
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
