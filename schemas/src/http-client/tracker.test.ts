import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventTracker, retryAfterMs, type TrackerOptions } from './tracker.js';

interface Sent {
  batch_id: string;
  events: { event_id: string; event_type: string; consent?: unknown }[];
  keepalive: boolean;
}

type Answer = number | 'network' | { status: number; retryAfter: string };

/** A gateway stand-in: answers from a script of statuses (then 202), recording each request. */
function gateway(statuses: Answer[] = []) {
  const sent: Sent[] = [];
  const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(init?.body as string) as Omit<Sent, 'keepalive'>;
    sent.push({ ...body, keepalive: init?.keepalive === true });
    const next = statuses.shift() ?? 202;
    if (next === 'network') return Promise.reject(new TypeError('fetch failed'));
    const [status, headers] =
      typeof next === 'number' ? [next, {}] : [next.status, { 'retry-after': next.retryAfter }];
    const answer =
      status === 202
        ? { status: 'accepted', events_received: body.events.length, events_rejected: 0 }
        : { status: 'error' };
    return Promise.resolve(new Response(JSON.stringify(answer), { status, headers }));
  });
  return { sent, fetch: fetch as unknown as typeof globalThis.fetch };
}

function tracker(fetch: typeof globalThis.fetch, extra: Partial<TrackerOptions> = {}) {
  let n = 0;
  const warnings: string[] = [];
  const t = new EventTracker({
    endpoint: 'http://gateway/v1/events',
    apiKey: 'key-1',
    consent: { analytics: true },
    fetch,
    uuid: () => `id-${++n}`,
    logger: { warn: (message) => void warnings.push(message) },
    ...extra,
  });
  return { t, warnings };
}

const event = (i: number) => ({
  event_type: 'page_view',
  session_id: 's-1',
  properties: { url: `/p/${i}` },
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('EventTracker (HTTP client SDK)', () => {
  it('sends 10 events in one batch at once, and fewer after 5 s', async () => {
    const g = gateway();
    const { t } = tracker(g.fetch);
    for (let i = 0; i < 12; i++) t.track(event(i));
    await vi.advanceTimersByTimeAsync(0);
    expect(g.sent.map((s) => s.events.length)).toEqual([10]);
    await vi.advanceTimersByTimeAsync(4999);
    expect(g.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.sent.map((s) => s.events.length)).toEqual([10, 2]);
    expect(t.queued).toBe(0);
  });

  it('retries after 1, 2, 4, 8 and 16 s with the same batch and event ids, and delivers once', async () => {
    const g = gateway([503, 'network', 503, 429, 503]);
    const { t } = tracker(g.fetch);
    t.track(event(1));
    const flushed = t.flush();
    const times: number[] = [];
    const start = Date.now();
    for (const step of [0, 1000, 2000, 4000, 8000, 16000]) {
      await vi.advanceTimersByTimeAsync(step);
      times.push(g.sent.length);
    }
    await flushed;
    expect(times).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Date.now() - start).toBe(31000);
    expect(new Set(g.sent.map((s) => s.batch_id)).size).toBe(1);
    expect(new Set(g.sent.map((s) => s.events[0]?.event_id)).size).toBe(1);
    expect(t.queued).toBe(0);
  });

  it('keeps the batch when every retry failed, and sends it with the next flush', async () => {
    const g = gateway([503, 503, 503, 503, 503, 503]);
    const { t } = tracker(g.fetch);
    t.track(event(1));
    const flushed = t.flush();
    await vi.advanceTimersByTimeAsync(31000);
    await flushed;
    expect(t.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(g.sent).toHaveLength(7);
    expect(t.queued).toBe(0);
  });

  it('holds at most 1,000 events and drops the oldest, with a warning at most every 10 s', () => {
    const g = gateway();
    const { t, warnings } = tracker(g.fetch, { consent: 'pending' });
    for (let i = 0; i < 1005; i++) t.track(event(i));
    expect(t.queued).toBe(1000);
    expect(warnings).toEqual(['queue full: dropped the 1 oldest events']);
    vi.advanceTimersByTime(10_000);
    t.track(event(1005));
    expect(warnings[1]).toBe('queue full: dropped the 5 oldest events');
    expect(t.dropped).toBe(6);
  });

  it('sends no analytics event before consent, then sends what it held once consent is granted', async () => {
    const g = gateway();
    const { t } = tracker(g.fetch, { consent: 'pending' });
    t.track(event(1));
    t.track(event(2));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(g.sent).toHaveLength(0);
    t.setConsent({ analytics: true, marketing: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(g.sent).toHaveLength(1);
    expect(g.sent[0]?.events.map((e) => e.consent)).toEqual([
      { analytics: true, marketing: false },
      { analytics: true, marketing: false },
    ]);
  });

  it('discards held events when consent is denied, and tracks nothing afterwards', async () => {
    const g = gateway();
    const { t } = tracker(g.fetch, { consent: 'pending' });
    t.track(event(1));
    t.setConsent({ analytics: false });
    t.track(event(2));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.queued).toBe(0);
    expect(g.sent).toHaveLength(0);
  });

  it('drops a batch the gateway refuses as invalid (4xx), with a warning, rather than retrying it', async () => {
    const g = gateway([400]);
    const { t, warnings } = tracker(g.fetch);
    t.track(event(1));
    await t.flush();
    expect(g.sent).toHaveLength(1);
    expect(t.queued).toBe(0);
    expect(warnings[0]).toMatch(/refused a batch with 400/);
  });

  it('flushes everything on shutdown', async () => {
    const g = gateway();
    const { t } = tracker(g.fetch);
    for (let i = 0; i < 25; i++) t.track(event(i));
    await t.shutdown();
    expect(g.sent.reduce((n, s) => n + s.events.length, 0)).toBe(25);
  });
});

describe('EventTracker (HTTP client SDK)', () => {
  it('sends what it holds with keepalive when the page is hidden', async () => {
    const g = gateway();
    const { t } = tracker(g.fetch);
    const listeners = new Map<string, () => void>();
    const page = {
      document: { visibilityState: 'visible' },
      addEventListener: (type: string, fn: () => void) => void listeners.set(type, fn),
      removeEventListener: (type: string) => void listeners.delete(type),
    };
    const remove = t.installPageHideFlush(page);
    t.track(event(1));
    listeners.get('visibilitychange')?.();
    expect(g.sent).toHaveLength(0);
    page.document.visibilityState = 'hidden';
    listeners.get('visibilitychange')?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(g.sent).toEqual([expect.objectContaining({ keepalive: true })]);
    remove();
    expect(listeners.size).toBe(0);
  });
});

describe('EventTracker while the gateway is away', () => {
  it('drops the oldest events not being sent: a batch under way is delivered, not counted as dropped', async () => {
    let answer!: (r: Response) => void;
    const sent: string[][] = [];
    const fetch = vi.fn((_url: string | URL | Request, init?: RequestInit) => {
      const body = JSON.parse(init?.body as string) as {
        events: { properties: { url: string } }[];
      };
      sent.push(body.events.map((e) => e.properties.url));
      const ok = new Response('{}', { status: 202 });
      return sent.length === 1 ? new Promise<Response>((r) => (answer = r)) : Promise.resolve(ok);
    });
    const { t } = tracker(fetch, { maxQueue: 20 });
    for (let i = 1; i <= 10; i++) t.track(event(i)); // a full batch: sent at once
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 11; i <= 40; i++) t.track(event(i));
    expect(t.queued).toBe(20);
    expect(t.dropped).toBe(20);
    answer(new Response('{}', { status: 202 }));
    await t.flush();
    const urls = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `/p/${from + i}`);
    expect(sent).toEqual([urls(1, 10), urls(31, 40)]);
    expect(t.queued).toBe(0);
  });

  it("waits as long as the gateway's Retry-After asks before trying again", async () => {
    const g = gateway([
      { status: 503, retryAfter: '7' },
      { status: 429, retryAfter: '0' },
    ]);
    const { t } = tracker(g.fetch);
    t.track(event(1));
    const flushed = t.flush();
    await vi.advanceTimersByTimeAsync(6999);
    expect(g.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000); // Retry-After 0: the next delay of the policy
    await flushed;
    expect(g.sent).toHaveLength(3);
    expect(t.queued).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date, and bounds it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('86400', now)).toBe(300_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('stays bounded through a five-minute outage at 200 events/s, then delivers what it holds', async () => {
    const outage: Answer[] = Array.from({ length: 10_000 }, () => ({
      status: 503,
      retryAfter: '5',
    }));
    const g = gateway(outage);
    const { t, warnings } = tracker(g.fetch, {
      batchSize: 100,
      flushIntervalMs: 1000,
      maxQueue: 500,
    });
    let peak = 0;
    let asked: Promise<void> | undefined;
    let settledAt: number | undefined;
    const start = Date.now();
    for (let s = 0; s < 300; s++) {
      for (let i = 0; i < 200; i++) t.track(event(s * 200 + i));
      peak = Math.max(peak, t.queued);
      if (s === 20)
        asked = t.flush().then(() => {
          settledAt = Date.now() - start;
        });
      await vi.advanceTimersByTimeAsync(1000);
    }
    // A flush asked during the outage settles after the one under way and its own attempts,
    // not behind one flush per event tracked meanwhile.
    expect(settledAt).toBeLessThan(120_000);
    await asked;
    expect(peak).toBe(500);
    expect(t.dropped).toBe(300 * 200 - 500);
    expect(warnings.length).toBeLessThanOrEqual(31);
    // Never faster than Retry-After: at most one request every 5 s.
    expect(g.sent.length).toBeLessThanOrEqual(61);
    const before = g.sent.length;
    outage.length = 0; // the gateway is back
    await vi.advanceTimersByTimeAsync(60_000);
    expect(t.queued).toBe(0);
    const delivered = g.sent.slice(before).flatMap((b) => b.events.map((e) => e.event_id));
    expect(new Set(delivered).size).toBeGreaterThanOrEqual(500);
  });
});
