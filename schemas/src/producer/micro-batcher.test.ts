import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BufferFullError } from '../errors.js';
import { MicroBatcher } from './micro-batcher.js';

describe('MicroBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a full batch at once, and a lone item only after the linger time', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number>({
      maxBatch: 3,
      lingerMs: 5,
      maxPending: 100,
      flush: (items) => Promise.resolve(void batches.push(items)),
    });
    await Promise.all([1, 2, 3].map((n) => batcher.add(n)));
    expect(batches).toEqual([[1, 2, 3]]);
    const lone = batcher.add(4);
    await vi.advanceTimersByTimeAsync(4);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await lone;
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('keeps one batch in flight and gathers what arrives meanwhile into the next, in order', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new MicroBatcher<number>({
      maxBatch: 100,
      lingerMs: 1,
      maxPending: 100,
      flush: (items) => {
        batches.push(items);
        return batches.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
    });
    const first = batcher.add(1);
    await vi.advanceTimersByTimeAsync(1);
    const rest = [2, 3, 4].map((n) => batcher.add(n));
    await vi.advanceTimersByTimeAsync(10);
    expect(batches).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('refuses items past maxPending instead of buffering without bound', async () => {
    const batcher = new MicroBatcher<number>({
      maxBatch: 10,
      lingerMs: 50,
      maxPending: 2,
      flush: () => Promise.resolve(),
    });
    const accepted = [batcher.add(1), batcher.add(2)];
    await expect(batcher.add(3)).rejects.toBeInstanceOf(BufferFullError);
    expect(batcher.pending).toBe(2);
    await vi.advanceTimersByTimeAsync(50);
    await Promise.all(accepted);
    expect(batcher.pending).toBe(0);
  });

  it('rejects every item of a failed batch, and carries on with the next', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number>({
      maxBatch: 2,
      lingerMs: 1,
      maxPending: 10,
      flush: () => (++calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve()),
    });
    const failed = [batcher.add(1), batcher.add(2)];
    await expect(Promise.allSettled(failed)).resolves.toEqual([
      { status: 'rejected', reason: new Error('broker down') },
      { status: 'rejected', reason: new Error('broker down') },
    ]);
    await expect(Promise.all([batcher.add(3), batcher.add(4)])).resolves.toEqual([
      undefined,
      undefined,
    ]);
  });

  it('drains everything accepted, including a batch still lingering', async () => {
    const sent: number[] = [];
    const batcher = new MicroBatcher<number>({
      maxBatch: 10,
      lingerMs: 60_000,
      maxPending: 10,
      flush: (items) => Promise.resolve(void sent.push(...items)),
    });
    void batcher.add(1);
    void batcher.add(2);
    await batcher.drain();
    expect(sent).toEqual([1, 2]);
  });
});
