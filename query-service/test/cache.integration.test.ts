import { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStack, uniqueName } from '@backbone/test';
import { cached, RedisCacheStore } from '../src/repositories/cache.js';

const counter = () =>
  new Counter({
    name: 'c',
    help: 'c',
    labelNames: ['result'] as const,
    registers: [new Registry()],
  });

/** A repository over one warehouse: it answers that warehouse's page views. */
const warehouse = (pageViews: number) => {
  const calls = { n: 0 };
  return {
    calls,
    repo: {
      overview: (tenant: string, day: string) => {
        calls.n++;
        return Promise.resolve({ tenant, day, pageViews });
      },
    },
  };
};

describe('the Redis query cache', () => {
  let redis: Redis | undefined;

  beforeAll(async () => {
    const url = testStack().redisUrl;
    if (url === null) return;
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });

  afterAll(() => redis?.disconnect());

  it('keeps the answers of two warehouses apart on one Redis, by namespace', async () => {
    if (!redis) {
      // BACKBONE_TEST_REDIS=none: nothing to share, and the stack says so.
      expect(testStack().redisUrl).toBeNull();
      return;
    }
    const [nsOld, nsNew] = [uniqueName('test-ns-old'), uniqueName('test-ns-new')];
    const old = warehouse(38_914);
    const fresh = warehouse(0);
    const oldStack = cached(
      old.repo,
      'stats',
      new RedisCacheStore(redis, nsOld),
      () => 60,
      counter(),
    );
    const newStack = cached(
      fresh.repo,
      'stats',
      new RedisCacheStore(redis, nsNew),
      () => 60,
      counter(),
    );
    // Same tenant, same query, same minute: only the warehouse differs.
    expect(await oldStack.overview('demo', '2026-12-02')).toMatchObject({ pageViews: 38_914 });
    expect(await newStack.overview('demo', '2026-12-02')).toMatchObject({ pageViews: 0 });
    expect(await oldStack.overview('demo', '2026-12-02')).toMatchObject({ pageViews: 38_914 });
    expect([old.calls.n, fresh.calls.n]).toEqual([1, 1]); // the repeat was a hit
    const keys = await redis.keys(`${nsOld}:qc:demo:stats.overview:*`);
    expect(keys).toHaveLength(1);
    expect(await redis.ttl(keys[0]!)).toBeGreaterThan(50);
    await redis.del(...keys, ...(await redis.keys(`${nsNew}:*`)));
  });
});
