import { describe, expect, it } from 'vitest';
import { captureLogs } from './log-capture.test-support.js';
import { runShutdown } from './shutdown.js';

describe('runShutdown', () => {
  it('runs every step in order and exits 0 when all succeed', async () => {
    const order: string[] = [];
    const { logger } = captureLogs();
    const code = await runShutdown(logger, [
      { name: 'stop intake', run: () => void order.push('intake') },
      {
        name: 'commit',
        run: () => {
          order.push('commit');
          return Promise.resolve();
        },
      },
      { name: 'disconnect', run: () => void order.push('disconnect') },
    ]);
    expect(order).toEqual(['intake', 'commit', 'disconnect']);
    expect(code).toBe(0);
  });

  it('keeps going after a failing step and exits 1', async () => {
    const order: string[] = [];
    const { logger, lines } = captureLogs();
    const code = await runShutdown(logger, [
      {
        name: 'flush',
        run: () => {
          throw new Error('broker gone');
        },
      },
      { name: 'disconnect', run: () => void order.push('disconnect') },
    ]);
    expect(order).toEqual(['disconnect']);
    expect(code).toBe(1);
    expect(lines.join('')).toContain('"step":"flush"');
  });
});
