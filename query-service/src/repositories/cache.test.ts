import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cached,
  cacheTtl,
  EMPTY_TTL_SECONDS,
  isEmptyAnswer,
  MemoryCacheStore,
  normalize,
  PRESENT_TTL_SECONDS,
} from './cache.js';

describe('query cache', () => {
  const counter = () =>
    new Counter({
      name: 'c',
      help: 'c',
      labelNames: ['result'] as const,
      registers: [new Registry()],
    });

  it('answers a repeated call from the cache, per tenant and arguments', async () => {
    let calls = 0;
    const repo = {
      count: (tenant: string, from: Date) => Promise.resolve({ tenant, from, n: ++calls }),
    };
    const c = counter();
    const cachedRepo = cached(repo, 'repo', new MemoryCacheStore(), () => 60, c);
    const at = new Date('2025-01-01T00:00:00Z');
    expect(await cachedRepo.count('a', at)).toEqual({ tenant: 'a', from: at, n: 1 });
    // From the cache: the same answer as JSON (dates as ISO text).
    expect(await cachedRepo.count('a', new Date(at))).toEqual({
      tenant: 'a',
      from: at.toISOString(),
      n: 1,
    });
    expect(await cachedRepo.count('b', at)).toMatchObject({ tenant: 'b', n: 2 });
    expect(await cachedRepo.count('a', new Date('2025-01-02T00:00:00Z'))).toMatchObject({ n: 3 });
    expect((await c.get()).values.map((v) => [v.labels.result, v.value])).toEqual([
      ['miss', 3],
      ['hit', 1],
    ]);
  });

  it('does not cache when the TTL is 0, and forgets expired entries', async () => {
    let calls = 0;
    const repo = { n: () => Promise.resolve(++calls) };
    const store = new MemoryCacheStore();
    const none = cached(repo, 'r', store, () => 0, counter());
    await none.n();
    await none.n();
    expect(calls).toBe(2);
    await store.set('k', 'v', -1);
    expect(await store.get('k')).toBeNull();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps an empty answer only briefly, so first events are not hidden for a minute', async () => {
    vi.useFakeTimers({ now: new Date('2026-12-01T00:00:10Z') });
    let pageViews = 0;
    const repo = {
      dashboard: () =>
        Promise.resolve({ overview: { pageViews, revenue: 0 }, timeSeries: [] as unknown[] }),
    };
    const cachedRepo = cached(repo, 'stats', new MemoryCacheStore(), () => 60, counter());
    expect((await cachedRepo.dashboard()).overview.pageViews).toBe(0);
    pageViews = 31; // the first events land
    vi.advanceTimersByTime(EMPTY_TTL_SECONDS * 1000 + 1);
    expect((await cachedRepo.dashboard()).overview.pageViews).toBe(31);
    pageViews = 950; // an answer with data is kept for its whole TTL
    vi.advanceTimersByTime(30_000);
    expect((await cachedRepo.dashboard()).overview.pageViews).toBe(31);
  });

  it('tells an empty answer from one with data, whatever its shape', () => {
    expect(isEmptyAnswer([])).toBe(true);
    expect(isEmptyAnswer(null)).toBe(true);
    expect(isEmptyAnswer({ overview: { views: 0 }, series: [{ at: new Date(), views: 0 }] })).toBe(
      true,
    );
    expect(isEmptyAnswer([{ url: '/pricing', views: 0 }])).toBe(false);
    expect(isEmptyAnswer({ overview: { views: 0, visitors: 2 } })).toBe(false);
    expect(isEmptyAnswer(0.5)).toBe(false);
  });

  it('normalizes argument objects regardless of key order', () => {
    expect(JSON.stringify(normalize({ b: 1, a: { d: new Date(59_999), c: [2] } }))).toBe(
      '{"a":{"c":[2],"d":"1970-01-01T00:00:00.000Z"},"b":1}',
    );
  });

  it('caches by granularity, and a range reaching the present for seconds only', () => {
    const now = Date.parse('2026-12-02T12:00:30Z');
    const past = { start: new Date('2026-11-30T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };
    // "The last 24 hours" as the dashboard asks it: ending at the next minute.
    const last24h = { start: new Date(now - 86_400_000), end: new Date('2026-12-02T12:01:00Z') };
    const justEnded = { start: past.start, end: new Date(now - 30_000) };
    expect(cacheTtl('dashboard', ['t', past, 'HOUR'], now)).toBe(60);
    expect(cacheTtl('dashboard', ['t', past, 'DAY'], now)).toBe(300);
    expect(cacheTtl('topPages', ['t', past, 10], now)).toBe(60);
    expect(cacheTtl('sessions', ['t', {}], now)).toBe(10);
    expect(cacheTtl('realtime', ['t'], now)).toBe(2);
    for (const range of [last24h, justEnded]) {
      expect(cacheTtl('dashboard', ['t', range, 'DAY'], now)).toBe(PRESENT_TTL_SECONDS);
      expect(cacheTtl('topPages', ['t', range, 10], now)).toBe(PRESENT_TTL_SECONDS);
    }
    // Shorter policies stay shorter.
    expect(cacheTtl('realtime', ['t', last24h], now)).toBe(2);
  });
});
