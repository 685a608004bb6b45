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
});
