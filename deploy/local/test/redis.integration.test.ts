import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { testStack, uniqueName } from '@backbone/test';

describe('Redis of the local stack', () => {
  it('answers PING and keeps a key under the test prefix, or is reported absent', async () => {
    const url = testStack().redisUrl;
    if (url === null) {
      // BACKBONE_TEST_REDIS=none: the stack must say so rather than hand out a dead URL.
      expect(testStack().redisUrl).toBeNull();
      return;
    }
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      expect(await redis.ping()).toBe('PONG');
      const key = uniqueName('test:redis');
      expect(await redis.set(key, 'v', 'EX', 30, 'NX')).toBe('OK');
      expect(await redis.set(key, 'w', 'EX', 30, 'NX')).toBeNull();
      expect(await redis.get(key)).toBe('v');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});
