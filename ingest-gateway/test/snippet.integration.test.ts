import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@clickhouse/client';
import { chromium } from 'playwright-core';
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

/** Debian's Chromium (README § Quick start); the tests never download a browser. */
const CHROMIUM = '/usr/bin/chromium';
const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** A site's page that includes the snippet: two marked buttons, one SPA navigation. */
const sitePage = (gateway: string, key: string) => `<!doctype html>
<html><head><title>Shop</title>
<script async src="${gateway}/v1/snippet.js" data-key="${key}" data-consent="granted"></script>
</head><body>
<button data-bb-click="add-to-cart">Add</button>
<a data-bb-click="checkout" href="checkout">Checkout</a>
<button id="spa" onclick="history.pushState({}, '', 'pricing?utm_source=mail')">Pricing</button>
<button>not marked</button>
</body></html>`;

/**
 * The snippet in Chromium on a site of another origin, against a private backbone: page views
 * on load and on History API navigation, clicks on marked elements, all sent with
 * sendBeacon when the page goes away; and with Global Privacy Control on, the same events
 * without any identifier.
 */
describe('the browser snippet in Chromium', () => {
  it('lands page views and clicks in ClickHouse, and none carries an identifier under GPC', async () => {
    expect(existsSync(CHROMIUM), `Chromium at ${CHROMIUM} (apt-get install chromium)`).toBe(true);
    const dataDir = testTempDir('snippet');
    const stack = await upStack({ dataDir, ports: 'auto', redis: 'auto', redisDb: 7 });
    const e = stack.endpoints;
    const children: ChildProcess[] = [];
    const site = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(sitePage(String(site.gatewayUrl), String(site.key(req.url))));
    }) as http.Server & { gatewayUrl?: string; key: (url?: string) => string };
    const clickhouse = createClient({
      url: e.clickhouseUrl,
      username: e.clickhouseUser,
      password: e.clickhousePassword,
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      const origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
      const workers = await startWorkers({ dataDir, endpoints: e });
      children.push(...workers.children);
      const keysFile = `${dataDir}/snippet-keys.json`;
      const run = randomUUID().slice(0, 8);
      const tenants = { plain: `snip_${run}`, gpc: `snipgpc_${run}` };
      const keys = {
        plain: createApiKey(keysFile, { tenantId: tenants.plain, source: 'site' }).key,
        gpc: createApiKey(keysFile, { tenantId: tenants.gpc, source: 'site' }).key,
      };
      const port = await freePort();
      site.gatewayUrl = `http://127.0.0.1:${port}`;
      site.key = (url) => (url?.startsWith('/gpc/') ? keys.gpc : keys.plain);
      children.push(
        await startGateway({
          dataDir,
          endpoints: e,
          port,
          keysFile,
          env: { CORS_ORIGINS: origin },
        }),
      );

      const visit = async (path: string, gpc: boolean) => {
        // Headless Chromium names itself HeadlessChrome, which enrich counts as a bot and drops.
        const context = await browser.newContext({
          userAgent: UA,
          ...(gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}),
        });
        if (gpc)
          await context.addInitScript(
            "Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true })",
          );
        const page = await context.newPage();
        await page.goto(`${origin}${path}`);
        await page.waitForFunction("'backbone' in window");
        await page.click('[data-bb-click="add-to-cart"]');
        await page.click('text=not marked');
        await page.click('#spa');
        // The link navigates away: its click goes out by sendBeacon as the page is hidden.
        await page.click('[data-bb-click="checkout"]');
        await page.waitForURL('**/checkout');
        await page.waitForFunction("'backbone' in window");
        // The checkout page's own page view, sent now rather than after a second.
        await page.evaluate('window.backbone.flush()');
        await page.waitForTimeout(1000);
        await context.close();
      };
      await visit('/plain/', false);
      await visit('/gpc/', true);

      const rows = async (tenant: string) =>
        (
          await (
            await clickhouse.query({
              query: `SELECT event_type, count() AS n, countIf(anonymous_id IS NOT NULL) AS identified,
                        groupArray(coalesce(page_path, '')) AS paths
                      FROM analytics.web_events WHERE tenant_id = {tenant:String}
                      GROUP BY event_type ORDER BY event_type`,
              query_params: { tenant },
              format: 'JSONEachRow',
            })
          ).json<{ event_type: string; n: string; identified: string; paths: string[] }>()
        ).map((r) => [r.event_type, Number(r.n), Number(r.identified), r.paths.sort()]);
      // Per visit: page views of the page, the SPA URL and the checkout page; the two marked
      // clicks (the second on the SPA URL), and nothing of the unmarked button.
      const expected = (identified: boolean, dir: string) => [
        ['click', 2, identified ? 2 : 0, [dir, `${dir}pricing`]],
        ['page_view', 3, identified ? 3 : 0, [dir, `${dir}checkout`, `${dir}pricing`]],
      ];
      await waitFor(
        async () =>
          JSON.stringify(await rows(tenants.plain)) === JSON.stringify(expected(true, '/plain/')) &&
          JSON.stringify(await rows(tenants.gpc)) === JSON.stringify(expected(false, '/gpc/')),
        { timeoutMs: 60_000, description: 'the snippet events in ClickHouse' },
      ).catch(() => undefined);
      expect(await rows(tenants.plain)).toEqual(expected(true, '/plain/'));
      expect(await rows(tenants.gpc)).toEqual(expected(false, '/gpc/'));
    } finally {
      await browser.close();
      await clickhouse.close();
      site.close();
      await Promise.all(children.map((c) => stopChild(c)));
      await downStack(dataDir, { purge: true });
    }
  }, 240_000);
});
