import { createServer, connect, type Socket, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStack, waitFor } from '@backbone/test';
import { clickhouseClient } from '@backbone/warehouse';
import { ReadyReportSchema } from '@backbone/runtime';
import { insertsCheck } from '../src/checks.js';
import { startWorkerHttp } from '../src/http.js';
import { eventSet } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';

/** A TCP proxy in front of ClickHouse that a test can take down (refusing and cutting). */
async function outageProxy(target: URL) {
  let down = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (down) return client.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setDown(value: boolean) {
      down = value;
      if (value) for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sink during a ClickHouse outage', () => {
  let p: Pipeline;
  let proxy: Awaited<ReturnType<typeof outageProxy>>;

  beforeAll(async () => {
    p = await pipelineFixture({ partitions: 1 });
    proxy = await outageProxy(new URL(testStack().clickhouseUrl));
  });
  afterAll(async () => {
    await p?.close();
    await proxy?.close();
  });

  it('pauses the partition, reports not ready, and resumes by itself losing and doubling nothing', async () => {
    const stack = testStack();
    const clickhouse = clickhouseClient({
      CLICKHOUSE_URL: proxy.url,
      CLICKHOUSE_USER: stack.clickhouseUser,
      CLICKHOUSE_PASSWORD: stack.clickhousePassword,
    });
    const { worker, metrics } = await p.startSink({
      clickhouse,
      streams: ['web'],
      retry: { min: 100, max: 400 },
    });
    const http = await startWorkerHttp({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      live: () => worker.live,
      checks: [
        { name: 'clickhouse', run: async () => (await clickhouse.ping()).success },
        insertsCheck(worker),
      ],
    });
    const rows = async () =>
      Number(
        (await p.rows<{ n: number }>(`SELECT count() AS n FROM {db}.${TABLES.webEvents}`))[0]?.n,
      );
    try {
      await p.startEnrich();
      const before = eventSet();
      await p.produce('web', before.web);
      await waitFor(async () => (await rows()) === 6, { timeoutMs: 30_000, description: 'rows' });
      expect((await fetch(`${http.url}/ready`)).status).toBe(200);

      proxy.setDown(true);
      const during = eventSet();
      await p.produce('web', during.web);
      await waitFor(() => worker.paused === 1, { timeoutMs: 20_000, description: 'paused' });
      const ready = await fetch(`${http.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ReadyReportSchema.parse(await ready.json())).toMatchObject({
        status: 'not_ready',
        // A server that does not answer passes: not a refusal, so no operator action is asked.
        checks: { clickhouse: { status: 'down' }, inserts: { status: 'up' } },
      });
      expect((await fetch(`${http.url}/health`)).status).toBe(200);
      const text = await (await fetch(`${http.url}/metrics`)).text();
      expect(text).toMatch(/backbone_sink_paused_partitions 1/);
      expect(text).toMatch(
        new RegExp(
          `backbone_sink_insert_errors_total\\{table="${TABLES.webEvents}",kind="transient"\\} [1-9]`,
        ),
      );

      proxy.setDown(false);
      await waitFor(async () => worker.paused === 0 && (await rows()) === 12, {
        timeoutMs: 30_000,
        description: 'resumed and caught up',
      });
      expect((await fetch(`${http.url}/ready`)).status).toBe(200);
      expect(
        await p.rows(
          `SELECT count() AS n, uniqExact(event_id) AS ids FROM {db}.${TABLES.webEvents}`,
        ),
      ).toEqual([{ n: 12, ids: 12 }]);
    } finally {
      await http.close();
      await worker.stop();
      await clickhouse.close();
    }
  }, 90_000);
});
