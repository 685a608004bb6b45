/**
 * HTTP client SDK for browsers and Node: events go to the gateway in
 * batches of 10 or every 5 s; a failed batch is retried after 1, 2, 4, 8 and 16 s (or later,
 * when the gateway's Retry-After says so) with the same batch and event ids (so the pipeline
 * can drop duplicates); at most 1,000 events are held, the oldest dropped first with a
 * warning (at most one every 10 s); no analytics event leaves before consent. However long the
 * gateway is away, what the tracker holds stays bounded: the events, one flush under way and
 * at most one waiting behind it.
 * Uses only fetch and timers, so it runs unchanged in a browser.
 */

export interface TrackedEvent {
  event_type: string;
  session_id: string;
  properties: Record<string, unknown>;
  anonymous_id?: string;
  user_id?: string;
  context?: Record<string, string | null>;
  /** ISO time; defaults to now. */
  timestamp?: string;
  /** Defaults to a fresh UUID; a retry keeps it. */
  event_id?: string;
}

export interface Consent {
  analytics: boolean;
  marketing?: boolean;
  functional?: boolean;
}

export interface TrackerLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** The part of a browser window the page-hide flush needs. */
export interface PageLifecycle {
  addEventListener(type: 'pagehide' | 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'pagehide' | 'visibilitychange', listener: () => void): void;
  document?: { visibilityState: string };
}

export interface TrackerOptions {
  /** The gateway's batch endpoint, e.g. https://ingest.example.com/v1/events */
  endpoint: string;
  apiKey: string;
  /**
   * For server-to-server senders whose key requires signed requests: each request carries
   * X-Signature, HMAC-SHA256 of `<unix seconds>.<body>` with this secret. Never in a browser.
   */
  signingSecret?: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxQueue?: number;
  retryDelaysMs?: number[];
  /** 'pending' holds events until setConsent(); the default. */
  consent?: Consent | 'pending';
  fetch?: typeof fetch;
  logger?: TrackerLogger;
  now?: () => Date;
  uuid?: () => string;
}

interface Queued {
  event: Required<Pick<TrackedEvent, 'event_id' | 'timestamp'>> & TrackedEvent;
}

type Outcome = 'delivered' | 'retry' | 'dropped';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The longest Retry-After the tracker honours; a longer one waits this long. */
const MAX_RETRY_AFTER_MS = 300_000;
/** Dropping for a full queue is said at most this often. */
const DROP_WARNING_MS = 10_000;

/** Retry-After as milliseconds: delta seconds or an HTTP date; undefined when absent or bad. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const ms = /^\s*\d+\s*$/.test(header) ? Number(header) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

export class EventTracker {
  private queue: Queued[] = [];
  private consent: Consent | 'pending';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Flushes run one after another, never two at once. */
  private flushes: Promise<void> = Promise.resolve();
  /** The flush waiting behind the running one, if any: a new request joins it. */
  private waiting: { all: boolean; run: Promise<void> } | undefined;
  private droppedTotal = 0;
  private droppedUnsaid = 0;
  private lastDropWarning = -Infinity;
  /** No batch goes out before this time: the gateway's last Retry-After. */
  private notBefore = 0;
  /** The batch being sent: the first this many events of the queue, never dropped. */
  private sending = 0;
  private readonly o: Required<Omit<TrackerOptions, 'consent' | 'signingSecret'>>;
  private readonly signingKey: ReturnType<typeof globalThis.crypto.subtle.importKey> | undefined;

  constructor(options: TrackerOptions) {
    this.consent = options.consent ?? 'pending';
    const { signingSecret, ...rest } = options;
    this.signingKey = signingSecret
      ? globalThis.crypto.subtle.importKey(
          'raw',
          new TextEncoder().encode(signingSecret),
          { name: 'HMAC', hash: 'SHA-256' },
          false,
          ['sign'],
        )
      : undefined;
    this.o = {
      batchSize: 10,
      flushIntervalMs: 5000,
      maxQueue: 1000,
      retryDelaysMs: [1000, 2000, 4000, 8000, 16000],
      fetch: (...args) => globalThis.fetch(...args),
      logger: { warn: (message, details) => console.warn(`[backbone] ${message}`, details ?? '') },
      now: () => new Date(),
      uuid: () => globalThis.crypto.randomUUID(),
      ...rest,
    };
  }

  /** Events held (waiting for a batch, a retry or consent). */
  get queued(): number {
    return this.queue.length;
  }

  /** Events dropped, oldest first, because the queue was full: never acknowledged. */
  get dropped(): number {
    return this.droppedTotal;
  }

  track(event: TrackedEvent): void {
    if (this.consent !== 'pending' && !this.consent.analytics) return;
    this.queue.push({
      event: {
        ...event,
        event_id: event.event_id ?? this.o.uuid(),
        timestamp: event.timestamp ?? this.o.now().toISOString(),
      },
    });
    if (this.queue.length > this.o.maxQueue) {
      // The oldest not in the batch being sent: what is sent is either delivered or kept.
      const dropped = this.queue.splice(this.sending, this.queue.length - this.o.maxQueue).length;
      this.droppedTotal += dropped;
      this.droppedUnsaid += dropped;
      const now = this.o.now().getTime();
      if (now - this.lastDropWarning >= DROP_WARNING_MS) {
        this.o.logger.warn(`queue full: dropped the ${this.droppedUnsaid} oldest events`, {
          maxQueue: this.o.maxQueue,
          droppedTotal: this.droppedTotal,
        });
        this.droppedUnsaid = 0;
        this.lastDropWarning = now;
      }
    }
    if (this.consent === 'pending') return;
    if (this.queue.length >= this.o.batchSize) void this.flushBatches(false);
    else this.schedule();
  }

  /** Consent decided: granted sends what was held; denied discards it. */
  setConsent(consent: Consent): void {
    this.consent = consent;
    if (!consent.analytics) {
      this.queue = [];
      return;
    }
    if (this.queue.length > 0) void this.flush();
  }

  /** Sends everything held (unless consent is pending), retrying as configured. */
  flush(): Promise<void> {
    return this.flushBatches(true);
  }

  /**
   * One flush at a time; `all` false sends full batches only (the size trigger). A request
   * while one is waiting joins it (widened to `all` if asked), so a gateway that is away does
   * not make a chain of one flush per tracked event.
   */
  private flushBatches(all: boolean): Promise<void> {
    const waiting = this.waiting;
    if (waiting) {
      waiting.all ||= all;
      return waiting.run;
    }
    const next = { all, run: Promise.resolve() };
    next.run = this.flushes.then(() => {
      this.waiting = undefined;
      return this.flushAll(next.all);
    });
    this.waiting = next;
    this.flushes = next.run.then(
      () => {
        if (this.queue.length > 0 && this.consent !== 'pending') this.schedule();
      },
      () => undefined,
    );
    return next.run;
  }

  /** Flush before the process or page goes away. */
  async shutdown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
  }

  /**
   * Browsers: on pagehide, or when the page is hidden, send what is held with
   * `keepalive` so the request outlives the page. Returns a function that removes the hooks.
   */
  installPageHideFlush(target: PageLifecycle): () => void {
    const handler = () => {
      if (target.document && target.document.visibilityState !== 'hidden') return;
      void this.sendBeaconBatch();
    };
    target.addEventListener('pagehide', handler);
    target.addEventListener('visibilitychange', handler);
    return () => {
      target.removeEventListener('pagehide', handler);
      target.removeEventListener('visibilitychange', handler);
    };
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.o.flushIntervalMs);
  }

  private async flushAll(all: boolean): Promise<void> {
    if (all && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const more = () => (all ? this.queue.length > 0 : this.queue.length >= this.o.batchSize);
    while (more() && this.consent !== 'pending') {
      const batch = this.queue.slice(0, this.o.batchSize);
      const batchId = this.o.uuid();
      this.sending = batch.length;
      let outcome: Outcome;
      try {
        outcome = await this.attempt(batchId, batch);
        for (const delay of this.o.retryDelaysMs) {
          if (outcome !== 'retry') break;
          await sleep(delay);
          outcome = await this.attempt(batchId, batch);
        }
      } finally {
        this.sending = 0;
      }
      if (outcome === 'retry') return; // keep the batch; the next flush tries again
      this.queue = this.queue.filter((q) => !batch.includes(q));
    }
  }

  /** Sends a batch once the gateway's Retry-After, if any, has passed. */
  private async attempt(batchId: string, batch: Queued[]): Promise<Outcome> {
    const wait = this.notBefore - this.o.now().getTime();
    if (wait > 0) await sleep(wait);
    return this.send(batchId, batch, false);
  }

  private async sendBeaconBatch(): Promise<void> {
    const batch = this.queue.slice(0, this.o.batchSize);
    if (batch.length === 0 || this.consent === 'pending') return;
    if ((await this.send(this.o.uuid(), batch, true)) !== 'retry') {
      this.queue = this.queue.filter((q) => !batch.includes(q));
    }
  }

  /** X-Signature for a body, signed now (a signature is good once: each attempt signs anew). */
  private async signature(body: string): Promise<Record<string, string>> {
    if (!this.signingKey) return {};
    const t = Math.floor(this.o.now().getTime() / 1000);
    const mac = await globalThis.crypto.subtle.sign(
      'HMAC',
      await this.signingKey,
      new TextEncoder().encode(`${t}.${body}`),
    );
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return { 'X-Signature': `t=${t},v1=${hex}` };
  }

  private async send(batchId: string, batch: Queued[], keepalive: boolean): Promise<Outcome> {
    // Each event carries the consent it was sent under; the gateway enforces it.
    const consent = this.consent === 'pending' ? undefined : this.consent;
    const events = batch.map((q) => ({ ...q.event, ...(consent ? { consent } : {}) }));
    const body = JSON.stringify({ batch_id: batchId, sent_at: this.o.now().toISOString(), events });
    let res: Response;
    try {
      res = await this.o.fetch(this.o.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-API-Key': this.o.apiKey,
          ...(await this.signature(body)),
        },
        body,
        keepalive,
      });
    } catch {
      return 'retry';
    }
    if (res.status === 202) {
      const answer = (await res.json().catch(() => ({}))) as {
        events_rejected?: number;
        errors?: unknown[];
      };
      if (answer.events_rejected) {
        this.o.logger.warn(`the gateway rejected ${answer.events_rejected} events`, {
          errors: answer.errors,
        });
      }
      return 'delivered';
    }
    if (res.status === 429 || res.status >= 500) {
      const now = this.o.now().getTime();
      const after = retryAfterMs(res.headers.get('retry-after'), now);
      if (after !== undefined) this.notBefore = now + after;
      await res.body?.cancel().catch(() => undefined);
      return 'retry';
    }
    this.o.logger.warn(`the gateway refused a batch with ${res.status}; its events are dropped`, {
      status: res.status,
      answer: await res.text().catch(() => ''),
    });
    return 'dropped';
  }
}
