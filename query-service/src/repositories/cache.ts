import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Counter } from 'prom-client';

/** Where cached answers live: Redis shared by all instances, or this process. */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/**
 * Redis, with every key under `namespace` (CACHE_NAMESPACE). Services that share a Redis but
 * not a warehouse must use different ones: the keys name a tenant and a query, not the
 * ClickHouse they were answered from. (A fresh local stack on the machine's Redis showed
 * the previous stack's numbers for up to a minute.)
 */
export class RedisCacheStore implements CacheStore {
  private readonly prefix: string;
  constructor(
    private readonly redis: Redis,
    namespace = '',
  ) {
    this.prefix = namespace ? `${namespace}:` : '';
  }
  get(key: string) {
    return this.redis.get(this.prefix + key);
  }
  async set(key: string, value: string, ttlSeconds: number) {
    await this.redis.set(this.prefix + key, value, 'EX', ttlSeconds);
  }
}

/** Single-instance fallback: bounded, oldest first out, expired entries ignored. */
export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expires: number }>();
  constructor(private readonly maxEntries = 10_000) {}
  get(key: string) {
    const e = this.entries.get(key);
    if (!e || e.expires <= Date.now()) return Promise.resolve(null);
    return Promise.resolve(e.value);
  }
  set(key: string, value: string, ttlSeconds: number) {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires: Date.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }
}

/**
 * A stable text for arguments: object keys sorted, dates floored to the minute (the finest
 * rollup grain), so "the last 24 hours" asked twice in a minute is one cache entry.
 */
export function normalize(value: unknown): unknown {
  if (value instanceof Date)
    return new Date(Math.floor(value.getTime() / 60_000) * 60_000).toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, normalize((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * How long an answer with nothing in it is kept: a tenant's first events (or a backfill that
 * is still arriving) must not hide behind a minute of cached zeros.
 */
export const EMPTY_TTL_SECONDS = 1;

/**
 * An answer that says "nothing here": no number other than 0 and no text in it, whatever
 * its shape (an empty list, zero counts, a series of empty buckets). Dates and flags alone
 * are not data.
 */
export function isEmptyAnswer(value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'boolean') return true;
  if (typeof value === 'number') return value === 0;
  if (typeof value === 'string') return value === '';
  if (value instanceof Date) return true;
  if (Array.isArray(value)) return value.every(isEmptyAnswer);
  if (typeof value === 'object') return Object.values(value).every(isEmptyAnswer);
  return false;
}

/** The longest a range reaching the present is cached: its newest minutes are still filling. */
export const PRESENT_TTL_SECONDS = 10;

/**
 * How long an answer is cached: about a minute for hourly data, five for coarser buckets,
 * seconds for per-session reads — and at most PRESENT_TTL_SECONDS when a time range among
 * the arguments ends less than a minute ago or later ("the last 24 hours"), since events
 * keep arriving in it. (With a minute for those, the dashboard after `npm start` showed the
 * first few page views of its backfill for most of a minute while ClickHouse had thousands.)
 */
export function cacheTtl(method: string, args: unknown[], now = Date.now()): number {
  const base = baseTtl(method, args);
  const reachesPresent = args.some(
    (a) =>
      typeof a === 'object' &&
      a !== null &&
      'end' in a &&
      a.end instanceof Date &&
      a.end.getTime() > now - 60_000,
  );
  return reachesPresent ? Math.min(base, PRESENT_TTL_SECONDS) : base;
}

function baseTtl(method: string, args: unknown[]): number {
  if (method === 'timeSeries' || method === 'dashboard' || method === 'quality') {
    const granularity = args.find(
      (a) => typeof a === 'string' && /^(HOUR|DAY|WEEK|MONTH)$/.test(a),
    );
    return granularity === 'HOUR' || granularity === undefined ? 60 : 300;
  }
  if (method === 'realtime') return 2;
  if (['sessions', 'session', 'speakers', 'events', 'event', 'sessionEvents'].includes(method))
    return 10;
  return 60;
}

/**
 * Wraps a repository so each method's answer is cached per tenant (the first argument) +
 * method + normalized arguments, for `ttlSeconds(method, args)`. Answers travel as JSON, so
 * dates come back as ISO strings (the DateTime scalar accepts both). A cache that fails is
 * skipped, never an error to the caller.
 */
export function cached<T extends object>(
  repository: T,
  name: string,
  store: CacheStore,
  ttlSeconds: (method: string, args: unknown[]) => number,
  counter: Counter<'result'>,
): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const original = Reflect.get(target, property, receiver) as unknown;
      if (typeof original !== 'function' || typeof property !== 'string') return original;
      return async (...args: unknown[]) => {
        const key = `qc:${String(args[0])}:${name}.${property}:${createHash('sha1')
          .update(JSON.stringify(normalize(args.slice(1))))
          .digest('hex')}`;
        const hit = await store.get(key).catch(() => null);
        if (hit !== null) {
          counter.inc({ result: 'hit' });
          return JSON.parse(hit) as unknown;
        }
        counter.inc({ result: 'miss' });
        const call = original as (...a: unknown[]) => Promise<unknown>;
        const value: unknown = await call.apply(target, args);
        const ttl = isEmptyAnswer(value)
          ? Math.min(EMPTY_TTL_SECONDS, ttlSeconds(property, args))
          : ttlSeconds(property, args);
        if (ttl > 0) await store.set(key, JSON.stringify(value), ttl).catch(() => undefined);
        return value;
      };
    },
  });
}
