import { describe, expect, it } from 'vitest';
import { Limiter, SerialLock } from './serial-lock.js';

describe('SerialLock', () => {
  it('runs tasks one at a time in call order, and a failure does not block the next', async () => {
    const lock = new SerialLock();
    const seen: string[] = [];
    const slow = lock.run(async () => {
      await new Promise((r) => setTimeout(r, 20));
      seen.push('slow');
    });
    const failing = lock.run(() => {
      seen.push('failing');
      throw new Error('boom');
    });
    expect(lock.busy).toBe(true);
    const after = lock.run(() => seen.push('after'));
    await slow;
    await expect(failing).rejects.toThrow('boom');
    await after;
    expect(seen).toEqual(['slow', 'failing', 'after']);
    expect(lock.busy).toBe(false);
  });
});

describe('Limiter', () => {
  it('runs at most its limit at once, the rest in call order, and a failure frees its turn', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number, fail = false) =>
      limiter.run(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        order.push(i);
        if (fail) throw new Error(`boom ${i}`);
        return i;
      });
    const results = await Promise.allSettled([task(1), task(2, true), task(3), task(4), task(5)]);
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(await limiter.run(() => 'free again')).toBe('free again');
  });
});
