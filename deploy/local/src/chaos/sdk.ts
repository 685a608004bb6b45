import { EventTracker } from '@backbone/schemas/http-client';
import type { R1Event } from '../simulator/events.js';
import { Random } from '../simulator/random.js';
import { refusedIndexes } from '../simulator/simulator.js';
import { webSession } from '../simulator/web-session.js';
import type { Ledger } from './ledger.js';

/** What the SDK lane saw: how much it held at most, against its cap, and what the cap cost. */
export interface SdkLaneStats {
  rate: number;
  maxQueue: number;
  tracked: number;
  /** The most events the tracker held at once (never above maxQueue). */
  peakQueued: number;
  /** Events the tracker dropped, oldest first, because it was full: never accepted. */
  dropped: number;
  /** Held when the lane stopped, after its last flush (0 once the gateway took them). */
  leftOver: number;
  /** Gateway requests the tracker made, and how many were answered other than 202. */
  requests: number;
  refusedRequests: number;
}

export interface SdkLaneOptions {
  url: string;
  apiKey: string;
  rate: number;
  maxQueue: number;
  seed: number;
  ledger: Ledger;
}

/**
 * Traffic through the project's own HTTP SDK (EventTracker), as a server-to-server sender
 * would use it: web sessions' events tracked at a steady rate, batched, retried with the
 * gateway's Retry-After, held up to its cap. Every answer goes to the ledger like the
 * simulator's, so the audit counts these events too.
 */
export class SdkLane {
  readonly stats: SdkLaneStats;
  private readonly tracker: EventTracker;
  private readonly rng: Random;
  private pending: Omit<R1Event, 'timestamp'>[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private visitor = 0;

  constructor(private readonly o: SdkLaneOptions) {
    this.rng = new Random(o.seed);
    this.stats = {
      ...{ rate: o.rate, maxQueue: o.maxQueue, tracked: 0, peakQueued: 0, dropped: 0 },
      ...{ leftOver: 0, requests: 0, refusedRequests: 0 },
    };
    this.tracker = new EventTracker({
      endpoint: o.url,
      apiKey: o.apiKey,
      consent: { analytics: true },
      batchSize: 100,
      flushIntervalMs: 500,
      maxQueue: o.maxQueue,
      fetch: (url, init) => this.send(url, init),
      logger: { warn: () => undefined }, // the stats say it
    });
  }

  private async send(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const events = (JSON.parse(init?.body as string) as { events: R1Event[] }).events;
    this.stats.requests++;
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      this.stats.refusedRequests++;
      this.o.ledger.observe(events, 0, new Set());
      throw err;
    }
    if (res.status !== 202) {
      this.stats.refusedRequests++;
      this.o.ledger.observe(events, res.status, new Set());
      return res;
    }
    const body = (await res
      .clone()
      .json()
      .catch(() => ({}))) as { errors?: { field: string }[] };
    this.o.ledger.observe(events, 202, refusedIndexes(body.errors));
    return res;
  }

  private next(): Omit<R1Event, 'timestamp'> {
    if (this.pending.length === 0)
      this.pending = webSession(this.rng, `sdk-${this.visitor++}`).map((t) => t.event);
    return this.pending.shift()!;
  }

  /** Tracks rate events a second, in ten steps a second. */
  start(): void {
    let due = 0;
    let last = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      due += ((now - last) / 1000) * this.o.rate;
      last = now;
      for (; due >= 1; due--) {
        const { consent: _, ...event } = this.next();
        this.tracker.track(event);
        this.stats.tracked++;
      }
      this.stats.peakQueued = Math.max(this.stats.peakQueued, this.tracker.queued);
    }, 100);
  }

  /** Stops tracking and sends what is held (as a process would on SIGTERM). */
  async stop(): Promise<SdkLaneStats> {
    clearInterval(this.timer);
    await this.tracker.shutdown();
    this.stats.dropped = this.tracker.dropped;
    this.stats.leftOver = this.tracker.queued;
    return this.stats;
  }
}
