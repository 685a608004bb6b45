import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_TIMEOUT_MS, ReadyReportSchema } from '@backbone/runtime';
import { startWorkerHttp } from '../src/http.js';

describe("a worker's /ready", () => {
  it('answers within its check budget, naming the dependency that does not answer', async () => {
    const http = await startWorkerHttp({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      live: () => true,
      checks: [
        { name: 'kafka', run: () => new Promise<boolean>(() => {}) }, // never answers
        { name: 'clickhouse', run: () => true },
        { name: 'registry', run: () => Promise.reject(new Error('refused')) },
      ],
    });
    try {
      const started = performance.now();
      const res = await fetch(`${http.url}/ready`);
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      const body = ReadyReportSchema.parse(await res.json());
      expect(body.status).toBe('not_ready');
      expect(body.checks).toMatchObject({
        consumer: { status: 'up' },
        kafka: { status: 'down', detail: `no answer within ${DEFAULT_CHECK_TIMEOUT_MS} ms` },
        clickhouse: { status: 'up' },
        registry: { status: 'down', detail: 'refused' },
      });
      expect(elapsed).toBeGreaterThanOrEqual(DEFAULT_CHECK_TIMEOUT_MS - 50);
      // Well inside the ops page's 3 s wait, so it shows "kafka: down", not "no answer".
      expect(elapsed).toBeLessThan(2500);
    } finally {
      await http.close();
    }
  });

  it('is 200 when every dependency answers and the consumer loop runs, 503 when it stopped', async () => {
    let live = true;
    const http = await startWorkerHttp({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      live: () => live,
      checks: [{ name: 'kafka', run: () => Promise.resolve(true) }],
    });
    try {
      const up = await fetch(`${http.url}/ready`);
      expect(up.status).toBe(200);
      expect(ReadyReportSchema.parse(await up.json())).toMatchObject({
        status: 'ready',
        checks: { consumer: { status: 'up' }, kafka: { status: 'up', required: true } },
      });
      live = false;
      const down = await fetch(`${http.url}/ready`);
      expect(down.status).toBe(503);
      expect(ReadyReportSchema.parse(await down.json()).checks.consumer?.status).toBe('down');
      const health = await fetch(`${http.url}/health`);
      expect([health.status, await health.json()]).toEqual([
        503,
        { status: 'down', detail: 'consumer stopped' },
      ]);
    } finally {
      await http.close();
    }
  });
});
