import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { runShutdown } from './shutdown.js';

function silentLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: 'test', level: 'debug', destination }), lines };
}

describe('runShutdown', () => {
  it('runs every step in order and exits 0 when all succeed', async () => {
    const order: string[] = [];
    const { logger } = silentLogger();
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
    const { logger, lines } = silentLogger();
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
