import { describe, expect, it } from 'vitest';
import { SerialLock } from './serial-lock.js';

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
