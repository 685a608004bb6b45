import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';
import { createClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import {
  downStack,
  freePort,
  startGateway,
  startWorkers,
  stopChild,
  upStack,
} from '@backbone/deploy/local';
import { testTempDir, waitFor } from '@backbone/test';
import { createApiKey } from '../src/api-keys.js';

/**
 * Segment's own Node SDK (`@segment/analytics-node`, a client we did not write) pointed at the
 * gateway of a private backbone (gateway, enrich and sink as processes): what it sends lands
 * in ClickHouse once per message, mapped as docs/segment.md says.
 */
describe("Segment's analytics-node SDK sending to the gateway", () => {
  it('lands every track, page, screen and order in ClickHouse exactly once', async () => {
    const dataDir = testTempDir('segment');
    const stack = await upStack({ dataDir, ports: 'auto', redis: 'auto', redisDb: 6 });
    const e = stack.endpoints;
    const children: ChildProcess[] = [];
    const clickhouse = createClient({
      url: e.clickhouseUrl,
      username: e.clickhouseUser,
      password: e.clickhousePassword,
    });
    try {
      const workers = await startWorkers({ dataDir, endpoints: e });
      children.push(...workers.children);
      const tenant = `seg_${randomUUID().slice(0, 8)}`;
      const keysFile = `${dataDir}/segment-keys.json`;
      const { key } = createApiKey(keysFile, { tenantId: tenant, source: 'segment' });
      const port = await freePort();
      children.push(await startGateway({ dataDir, endpoints: e, port, keysFile }));

      const errors: unknown[] = [];
      const analytics = new Analytics({
        writeKey: key,
        host: `http://127.0.0.1:${port}`,
        flushAt: 25,
        flushInterval: 200,
      });
      analytics.on('error', (err) => errors.push(err));
      for (let i = 0; i < 60; i++)
        analytics.track({
          anonymousId: `anon-${i % 7}`,
          event: 'Video Played',
          properties: { seconds: i, quality: 'hd' },
        });
      for (let i = 0; i < 10; i++)
        analytics.track({
          userId: `customer-${i}`,
          event: 'Order Completed',
          properties: { order_id: `order-${i}`, revenue: 10 + i, currency: 'EUR' },
        });
      for (let i = 0; i < 30; i++)
        analytics.page({
          anonymousId: `anon-${i % 7}`,
          name: 'Pricing',
          properties: { url: `https://shop.example/pricing?v=${i}` },
          context: { campaign: { source: 'newsletter', medium: 'email', name: 'winter' } },
        });
      for (let i = 0; i < 10; i++) analytics.screen({ anonymousId: 'app-1', name: `Screen ${i}` });
      // A message sent twice (a retry by a client that did not hear back) is one event.
      for (let i = 0; i < 2; i++)
        analytics.track({ messageId: 'retried-message', anonymousId: 'anon-r', event: 'Retried' });
      await analytics.closeAndFlush({ timeout: 30_000 });
      expect(errors).toEqual([]);

      const rows = async () =>
        (
          await (
            await clickhouse.query({
              query: `SELECT event_type, count() AS n, uniqExact(event_id) AS ids,
                        countIf(utm_campaign = 'winter') AS campaign
                      FROM analytics.web_events WHERE tenant_id = {tenant:String}
                      GROUP BY event_type ORDER BY event_type`,
              query_params: { tenant },
              format: 'JSONEachRow',
            })
          ).json<{ event_type: string; n: string; ids: string; campaign: string }>()
        ).map((r) => [r.event_type, Number(r.n), Number(r.ids), Number(r.campaign)]);
      const expected = [
        ['conversion', 10, 10, 0],
        // 60 tracks, 10 screens and the retried message once.
        ['custom', 71, 71, 0],
        ['page_view', 30, 30, 30],
      ];
      await waitFor(async () => JSON.stringify(await rows()) === JSON.stringify(expected), {
        timeoutMs: 60_000,
        description: 'the Segment messages in ClickHouse',
      }).catch(() => undefined);
      expect(await rows()).toEqual(expected);
    } finally {
      await clickhouse.close();
      await Promise.all(children.map((c) => stopChild(c)));
      await downStack(dataDir, { purge: true });
    }
  }, 240_000);
});
