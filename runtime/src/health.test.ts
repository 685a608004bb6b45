import { describe, expect, it } from 'vitest';
import { describeChecks, readiness, readyStatusCode } from './health.js';

describe('readiness', () => {
  it('is ready when every required check is up, and reports the optional ones', async () => {
    const report = await readiness([
      { name: 'kafka', run: () => true },
      { name: 'redis', run: () => Promise.resolve(false), required: false },
    ]);
    expect(report.status).toBe('ready');
    expect(readyStatusCode(report)).toBe(200);
    expect(report.checks.kafka).toMatchObject({ status: 'up', required: true });
    expect(report.checks.redis).toMatchObject({ status: 'down', required: false });
  });

  it('is not ready when a required check is down, throws or runs out of its budget', async () => {
    const report = await readiness([
      { name: 'down', run: () => ({ up: false, detail: 'refused: code 16' }) },
      {
        name: 'throws',
        run: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092')),
      },
      { name: 'slow', run: () => new Promise<boolean>(() => {}), timeoutMs: 50 },
    ]);
    expect(report.status).toBe('not_ready');
    expect(readyStatusCode(report)).toBe(503);
    expect(report.checks.down).toMatchObject({ status: 'down', detail: 'refused: code 16' });
    expect(report.checks.throws?.detail).toMatch(/ECONNREFUSED/);
    expect(report.checks.slow).toMatchObject({ status: 'down', detail: 'no answer within 50 ms' });
    expect(report.checks.slow!.ms).toBeGreaterThanOrEqual(45);
    expect(describeChecks(report)).toMatch(/^down: down \(refused: code 16\), throws: down/);
  });
});
