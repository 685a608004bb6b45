import { describe, expect, it } from 'vitest';
import { MemoryDedup } from './dedup.js';

describe('MemoryDedup', () => {
  it('keeps the first record of an event and the same record read again, and drops a retry', async () => {
    const dedup = new MemoryDedup({ ttlSeconds: 60, maxEntries: 100 });
    expect(await dedup.claim('e1', 'raw.web.v1:0:10')).toBe(true);
    expect(await dedup.claim('e1', 'raw.web.v1:0:10')).toBe(true);
    expect(await dedup.claim('e1', 'raw.web.v1:3:77')).toBe(false);
    expect(await dedup.claim('e2', 'raw.web.v1:3:78')).toBe(true);
  });

  it('forgets a claim after its window', async () => {
    let now = 0;
    const dedup = new MemoryDedup({ ttlSeconds: 10, maxEntries: 100, now: () => now });
    await dedup.claim('e1', 'a');
    now = 9_999;
    expect(await dedup.claim('e1', 'b')).toBe(false);
    now = 10_001;
    expect(await dedup.claim('e1', 'b')).toBe(true);
  });

  it('holds at most maxEntries claims, dropping the oldest', async () => {
    const dedup = new MemoryDedup({ ttlSeconds: 3600, maxEntries: 3 });
    for (const id of ['e1', 'e2', 'e3', 'e4']) await dedup.claim(id, `o-${id}`);
    expect(dedup.size).toBe(3);
    expect(await dedup.claim('e1', 'other')).toBe(true);
    expect(await dedup.claim('e4', 'other')).toBe(false);
  });
});
