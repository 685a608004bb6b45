/**
 * HTTP client SDK for browsers and Node: events go to the gateway in
 * batches of 10 or every 5 s; a failed batch is retried after 1, 2, 4, 8 and 16 s with the
 * same batch and event ids (so the pipeline can drop duplicates); at most 1,000 events are
 * held, the oldest dropped first with a warning; no analytics event leaves before consent.
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

export class EventTracker {
  private queue: Queued[] = [];
  private consent: Consent | 'pending';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Flushes run one after another, never two at once. */
  private flushes: Promise<void> = Promise.resolve();
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
      const dropped = this.queue.splice(0, this.queue.length - this.o.maxQueue);
      this.o.logger.warn(`queue full: dropped the ${dropped.length} oldest events`, {
        maxQueue: this.o.maxQueue,
      });
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

  /** One flush at a time; `all` false sends full batches only (the size trigger). */
  private flushBatches(all: boolean): Promise<void> {
    const run = this.flushes.then(() => this.flushAll(all));
    this.flushes = run.then(
      () => {
        if (this.queue.length > 0 && this.consent !== 'pending') this.schedule();
      },
      () => undefined,
    );
    return run;
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
      let outcome = await this.send(batchId, batch, false);
      for (const delay of this.o.retryDelaysMs) {
        if (outcome !== 'retry') break;
        await new Promise((resolve) => setTimeout(resolve, delay));
        outcome = await this.send(batchId, batch, false);
      }
      if (outcome === 'retry') return; // keep the batch; the next flush tries again
      this.queue = this.queue.filter((q) => !batch.includes(q));
    }
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
    if (res.status === 429 || res.status >= 500) return 'retry';
    this.o.logger.warn(`the gateway refused a batch with ${res.status}; its events are dropped`, {
      status: res.status,
      answer: await res.text().catch(() => ''),
    });
    return 'dropped';
  }
}
