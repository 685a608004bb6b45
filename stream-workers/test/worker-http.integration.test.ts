import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { READY_CHECK_TIMEOUT_MS, startWorkerHttp } from '../src/http.js';

describe("a worker's /ready", () => {
  it('answers within its check budget, naming the dependency that does not answer', async () => {
    const http = await startWorkerHttp({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      live: () => true,
      checks: {
        kafka: () => new Promise<boolean>(() => {}), // never answers
        clickhouse: () => true,
        registry: () => Promise.reject(new Error('refused')),
      },
    });
    try {
      const started = performance.now();
      const res = await fetch(`${http.url}/ready`);
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not ready',
        checks: { kafka: 'down', clickhouse: 'up', registry: 'down' },
      });
      expect(elapsed).toBeGreaterThanOrEqual(READY_CHECK_TIMEOUT_MS - 50);
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
      checks: { kafka: () => Promise.resolve(true) },
    });
    try {
      const up = await fetch(`${http.url}/ready`);
      expect([up.status, await up.json()]).toEqual([
        200,
        { status: 'ready', checks: { kafka: 'up' } },
      ]);
      live = false;
      expect((await fetch(`${http.url}/ready`)).status).toBe(503);
      expect((await fetch(`${http.url}/health`)).status).toBe(503);
    } finally {
      await http.close();
    }
  });
});
