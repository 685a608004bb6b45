import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testStack, uniqueName } from '@backbone/test';
import { RedisDedup } from '../src/enrich/dedup.js';

describe('RedisDedup on the stack’s Redis', () => {
  it('is shared by workers: a retry seen by another instance is dropped, the same record is kept, and claims expire', async (ctx) => {
    const url = testStack().redisUrl;
    if (url === null) ctx.skip();
    const [a, b] = [new Redis(url as string), new Redis(url as string)];
    const prefix = `${uniqueName('test:dedup')}:`;
    try {
      const workerA = new RedisDedup(a, { ttlSeconds: 1, prefix });
      const workerB = new RedisDedup(b, { ttlSeconds: 1, prefix });
      expect(await workerA.claim('e1', 'raw.web.v1:0:5')).toBe(true);
      expect(await workerB.claim('e1', 'raw.web.v1:0:5')).toBe(true);
      expect(await workerB.claim('e1', 'raw.web.v1:2:9')).toBe(false);
      expect(await a.ttl(`${prefix}e1`)).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await workerB.claim('e1', 'raw.web.v1:2:9')).toBe(true);
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  it('claims a batch in one call with the same rules: a later copy of an id in the batch is a duplicate', async (ctx) => {
    const url = testStack().redisUrl;
    if (url === null) ctx.skip();
    const redis = new Redis(url as string);
    const prefix = `${uniqueName('test:dedup')}:`;
    try {
      const dedup = new RedisDedup(redis, { ttlSeconds: 60, prefix });
      expect(await dedup.claim('e0', 'raw:0:1')).toBe(true);
      const claims = [
        { eventId: 'e0', origin: 'raw:0:1' },
        { eventId: 'e0', origin: 'raw:0:9' },
        ...Array.from({ length: 2500 }, (_, i) => ({ eventId: `n${i}`, origin: `raw:1:${i}` })),
        { eventId: 'n7', origin: 'raw:1:99999' },
      ];
      const granted = await dedup.claimMany(claims);
      expect(granted).toHaveLength(claims.length);
      expect(granted.slice(0, 2)).toEqual([true, false]);
      expect(granted.slice(2, -1).every(Boolean)).toBe(true);
      expect(granted.at(-1)).toBe(false);
      expect(await redis.ttl(`${prefix}n2499`)).toBeGreaterThan(50);
    } finally {
      redis.disconnect();
    }
  });
});
