import type { R1Event, TimedEvent } from './events.js';
import { Random } from './random.js';
import { sttSession } from './stt-session.js';
import { webSession } from './web-session.js';

export interface SimulatorOptions {
  /** The gateway's ingest URL, e.g. http://127.0.0.1:8080/v1/events. */
  url: string;
  apiKey: string;
  /** Events per second, on average. */
  rate: number;
  seed: number;
  /** Share of events that belong to speech sessions (the rest are web). */
  speechShare?: number;
  /** How often due events are sent. */
  tickMs?: number;
  log?: (line: string) => void;
  /**
   * Every answer, for a caller that accounts for events (`npm run chaos`): the events of the
   * request, the status (0: no answer) and the indexes of the events the gateway refused.
   */
  observe?: (events: readonly R1Event[], status: number, refused: ReadonlySet<number>) => void;
}

export interface SimulatorStats {
  sent: number;
  accepted: number;
  rejected: number;
  retried: number;
  requests: number;
}

interface Due {
  due: number;
  ip: string;
  event: TimedEvent['event'];
}

/** Events a web visit and a speech session produce on average (measured from the generators). */
const WEB_EVENTS_PER_SESSION = 4.6;
const STT_EVENTS_PER_SESSION = 38;
const MAX_BATCH = 500;
/** Requests a second at most: the gateway's default limit is 1,000 a minute per key. */
const MAX_REQUESTS_PER_SECOND = 12;

/** A Poisson draw for small means (Knuth). */
function poisson(rng: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/**
 * Realistic traffic through the ingest gateway: web visits and speech sessions start at
 * random (Poisson) so that events arrive at `rate` a second on average, each session's
 * events at their own times. Deterministic for a seed: the same sessions, ids and values in
 * the same order. Events due together are sent in batches per client network (/24), with
 * the client's address in X-Forwarded-For (the gateway trusts it from loopback only when
 * TRUSTED_PROXIES says so); 429 and 5xx answers and failed requests are retried with the same
 * event ids.
 */
export class Simulator {
  readonly stats: SimulatorStats = { sent: 0, accepted: 0, rejected: 0, retried: 0, requests: 0 };
  private readonly rng: Random;
  private readonly visitors: string[] = [];
  private queue: Due[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private lastRequest = 0;
  private stopped = false;

  constructor(private readonly options: SimulatorOptions) {
    this.rng = new Random(options.seed);
  }

  private get tickMs() {
    return this.options.tickMs ?? 2000;
  }

  /** A returning visitor now and then, else a new device id. */
  private visitor(): string {
    if (this.visitors.length > 0 && this.rng.chance(0.3)) return this.rng.pick(this.visitors);
    const id = `dev-${this.rng.uuid()}`;
    this.visitors.push(id);
    if (this.visitors.length > 5000) this.visitors.shift();
    return id;
  }

  /** Starts the sessions of one tick beginning at `at`, with `rate` events a second. */
  private spawn(at: number, rate: number, seconds: number): void {
    const speech = this.options.speechShare ?? 0.3;
    const web = poisson(this.rng, ((1 - speech) * rate * seconds) / WEB_EVENTS_PER_SESSION);
    const stt = poisson(this.rng, (speech * rate * seconds) / STT_EVENTS_PER_SESSION);
    const start = (events: TimedEvent[]) => {
      const offset = this.rng.int(0, seconds * 1000);
      for (const e of events)
        this.queue.push({ due: at + offset + e.at, ip: e.ip, event: e.event });
    };
    for (let i = 0; i < web; i++) start(webSession(this.rng, this.visitor()));
    for (let i = 0; i < stt; i++) start(sttSession(this.rng));
  }

  /** The events due by `now`, oldest first, taken off the queue. */
  private takeDue(now: number): Due[] {
    this.queue.sort((a, b) => a.due - b.due);
    let n = 0;
    while (n < this.queue.length && (this.queue[n] as Due).due <= now) n++;
    return this.queue.splice(0, n);
  }

  /** Sends events in batches per /24, at most MAX_REQUESTS_PER_SECOND requests a second. */
  private async send(due: Due[]): Promise<void> {
    const groups = new Map<string, Due[]>();
    for (const d of due) {
      const net = d.ip.slice(0, d.ip.lastIndexOf('.'));
      const group = groups.get(net) ?? [];
      group.push(d);
      groups.set(net, group);
    }
    for (const group of groups.values())
      for (let i = 0; i < group.length; i += MAX_BATCH)
        await this.post(group.slice(i, i + MAX_BATCH));
  }

  private async post(batch: Due[]): Promise<void> {
    const wait = this.lastRequest + 1000 / MAX_REQUESTS_PER_SECOND - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.lastRequest = Date.now();
    const events: R1Event[] = batch.map((d) => ({
      ...d.event,
      timestamp: new Date(d.due).toISOString(),
    }));
    this.stats.requests++;
    let res: Response;
    try {
      res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': this.options.apiKey,
          'x-forwarded-for': (batch[0] as Due).ip,
        },
        body: JSON.stringify({
          batch_id: this.rng.uuid(),
          sent_at: new Date().toISOString(),
          events,
        }),
      });
    } catch {
      this.options.observe?.(events, 0, new Set());
      this.requeue(batch);
      return;
    }
    if (res.status === 429 || res.status >= 500) {
      this.options.observe?.(events, res.status, new Set());
      this.requeue(batch);
      await res.body?.cancel();
      return;
    }
    const body = (await res.json().catch(() => ({}))) as {
      events_accepted?: number;
      events_rejected?: number;
      errors?: { field: string; message: string }[];
    };
    this.options.observe?.(events, res.status, refusedIndexes(body.errors));
    this.stats.sent += events.length;
    this.stats.accepted += body.events_accepted ?? 0;
    this.stats.rejected += body.events_rejected ?? (res.ok ? 0 : events.length);
    if (!res.ok || body.errors?.length)
      this.options.log?.(
        `simulator: ${res.status}, ${JSON.stringify(body.errors?.slice(0, 3) ?? body)}`,
      );
  }

  /** Events the gateway could not take now go out again next tick, with the same ids. */
  private requeue(batch: Due[]): void {
    this.stats.retried += batch.length;
    this.queue.push(...batch.map((d) => ({ ...d, due: Date.now() })));
  }

  /**
   * Past traffic, so a dashboard has a history at once: `hours` of sessions up to now at
   * `rate` events a second, sent as fast as the gateway's limit allows. False when stop()
   * cut it short.
   */
  async backfill(hours: number, rate: number): Promise<boolean> {
    const now = Date.now();
    for (let t = now - hours * 3_600_000; t < now && !this.stopped; t += 60_000) {
      this.spawn(t, rate, 60);
      const due = this.takeDue(Math.min(t + 60_000, now));
      // Enough for full batches in most of the /24 groups, so requests stay few.
      if (due.length >= MAX_BATCH * 10 || t + 60_000 >= now) await this.send(due);
      else this.queue.push(...due);
    }
    if (this.stopped) return false;
    await this.send(this.takeDue(now));
    return true;
  }

  /** Live traffic until stop(); after stop() it does nothing. */
  start(): void {
    if (this.stopped) return; // stopped during a backfill: stays stopped
    let last = Date.now() - this.tickMs;
    const tick = () => {
      const now = Date.now();
      // Sessions for the time that really passed: a tick is its wait plus its sending.
      this.spawn(now, this.options.rate, (now - last) / 1000);
      last = now;
      this.sending = this.send(this.takeDue(now)).finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.tickMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops starting sessions and waits for the requests under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
  }

  /** Events generated but not sent yet (sessions still going on). */
  get pending(): number {
    return this.queue.length;
  }
}

/** The events a 202 names as refused (`events[3].properties.url` → 3). */
export function refusedIndexes(errors: readonly { field: string }[] | undefined): Set<number> {
  const out = new Set<number>();
  for (const e of errors ?? []) {
    const m = /^events\[(\d+)\]/.exec(e.field);
    if (m) out.add(Number(m[1]));
  }
  return out;
}

/** The events of `sessions` web visits and speech sessions for a seed, for tests. */
export function sampleSessions(seed: number, web: number, speech: number): TimedEvent[][] {
  const rng = new Random(seed);
  return [
    ...Array.from({ length: web }, (_, i) => webSession(rng, `dev-${i}`)),
    ...Array.from({ length: speech }, () => sttSession(rng)),
  ];
}
