/**
 * npm run bench:dashboard [-- --loads 10 --cold 2]
 *
 * What a person sees after `npm start` on a warm machine (dependencies installed, Kafka's
 * jars in the Maven cache), measured in Debian's Chromium through playwright-core:
 *   1. `npm start` as a user runs it, in a fresh data directory: seconds to Kafka ready, to
 *      "Up", to the first rows in analytics.web_events (polled), and to the
 *      first non-zero KPI on the overview (the page reloaded each second until then);
 *   2. once the simulator's 24 hours of history are in and the workers have caught up: the
 *      overview's first load (navigation until the seven KPIs, the traffic chart and the top
 *      pages are drawn, and until every chart is) in a fresh browser context, with the query
 *      cache cold (first load in a new minute) and warm;
 *   3. the JS and CSS bundle, raw and gzipped;
 *   4. Ctrl-C: seconds until everything has stopped, and whether the ports are free again.
 * Prints figures; no pass/fail. Needs the default ports free (it runs `npm start` itself).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { createClient } from '@clickhouse/client';
import { readEndpoints, REPO_ROOT } from '@backbone/deploy/local';
import { TABLES } from '@backbone/warehouse/tables';
import { waitFor } from '@backbone/runtime';
import { consumerLag, portsOpen, refuseTakenPorts, secs, startNpm } from './npm-start.js';

const { values } = parseArgs({
  options: {
    loads: { type: 'string', default: '10' },
    cold: { type: 'string', default: '2' },
  },
});
const LOADS = Number(values.loads);
const COLD = Number(values.cold);
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
await refuseTakenPorts();

/** Evaluated in the page (a string: this file is not compiled with the DOM types). */
const OVERVIEW_DRAWN = `(() => {
  const kpis = document.querySelectorAll('[data-testid="kpis"] .kpi-value');
  const views = Number((document.querySelector('[data-testid="kpi-page-views"] .kpi-value')
    ?.textContent ?? '').replace(/[^0-9]/g, '') || '0');
  const chart = document.querySelector('[data-testid="traffic-chart"] .recharts-area-area,' +
    '[data-testid="traffic-chart"] .recharts-area-dots');
  const pages = document.querySelectorAll('[data-testid="top-pages"] tbody tr').length;
  return kpis.length === 7 && views > 0 && chart !== null && pages > 0;
})()`;

/** …and the charts below them too: the sources pie, the devices and the countries bars. */
const ALL_DRAWN = `(() => ${OVERVIEW_DRAWN} &&
  document.querySelector('.recharts-pie-sector') !== null &&
  document.querySelectorAll('.recharts-bar-rectangle').length >= 2)()`;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

/** When analytics.web_events first has a row, asked through the stack's ClickHouse endpoint. */
async function firstRowsAt(dataDir: string): Promise<number> {
  const e = readEndpoints(dataDir)!;
  const client = createClient({
    url: e.clickhouseUrl,
    username: e.clickhouseUser,
    password: e.clickhousePassword,
  });
  try {
    return await waitFor(
      async () => {
        const rows = await (
          await client.query({
            query: `SELECT count() AS n FROM analytics.${TABLES.webEvents}`,
            format: 'JSONEachRow',
          })
        ).json<{ n: string }>();
        return Number(rows[0]?.n ?? 0) > 0 ? Date.now() : false;
      },
      { timeoutMs: 300_000, intervalMs: 200, description: 'the first rows in web_events' },
    );
  } finally {
    await client.close();
  }
}

const npm = startNpm('bench-dashboard');
const t0 = npm.t0;
const line = (re: RegExp, timeoutMs: number) => npm.line(re, timeoutMs);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: CHROMIUM_FLAGS,
});
try {
  const up = await line(/^Up in /, 180_000);
  const { dashboardUrl, metricsUrls } = await npm.welcome();
  const kafkaUp = await line(/^kafka\s+(started|reusing)/, 1000);
  // When the first rows are in ClickHouse, looked at five times a second beside the page.
  const firstRows = firstRowsAt(npm.dataDir);

  // 1. The first non-zero KPI, as someone who opened the link and pressed reload would see it.
  const first = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageViews = async (page: Page) =>
    Number(
      ((await page.getByTestId('kpi-page-views').locator('.kpi-value').textContent()) ?? '0')
        .replace(/[^\d]/g, '')
        .trim() || '0',
    );
  // Each look: seconds since npm start, and what the page showed (or that it was still loading).
  const looks: string[] = [];
  let opened = false;
  const firstKpi = await waitFor(
    async () => {
      const at = Date.now();
      // Reload after the first look: the app takes the token out of the address bar, so going
      // to the link again only changes the hash, which reloads nothing (the page then showed
      // its first answer until its own 30 s refresh).
      if (opened) await first.reload();
      else await first.goto(dashboardUrl);
      opened = true;
      // The KPIs, or the error state the page shows when its query failed.
      const shown = first.getByTestId('kpi-page-views').or(first.locator('.state.error'));
      try {
        await shown.first().waitFor({ timeout: 30_000 });
      } catch {
        looks.push(`${secs(at - t0)}: still loading after ${secs(Date.now() - at)}`);
        return false;
      }
      const error = first.locator('.state.error');
      if ((await error.count()) > 0) {
        looks.push(
          `${secs(at - t0)}: error "${(await error.first().textContent())?.slice(0, 120)}"`,
        );
        await new Promise((r) => setTimeout(r, 1000));
        return false;
      }
      const views = await pageViews(first);
      looks.push(`${secs(at - t0)}: ${views} page views after ${secs(Date.now() - at)}`);
      if (views > 0) return Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      return false;
    },
    { timeoutMs: 300_000, intervalMs: 0, description: 'a non-zero page-view KPI' },
  );
  await first.close();

  // 2. Loads of the overview over 24 h of history, once the workers have caught up.
  const backfilled = await line(/24 h of history sent/, 900_000);
  await waitFor(async () => (await consumerLag(metricsUrls)) < 50, {
    timeoutMs: 600_000,
    intervalMs: 1000,
    description: 'the workers to catch up with the backfill',
  });
  const caughtUp = Date.now();

  const loadOnce = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const started = Date.now();
    await page.goto(dashboardUrl);
    await page.waitForFunction(OVERVIEW_DRAWN, undefined, { timeout: 30_000, polling: 'raf' });
    const ms = Date.now() - started;
    await page.waitForFunction(ALL_DRAWN, undefined, { timeout: 30_000, polling: 'raf' });
    const allMs = Date.now() - started;
    const views = await pageViews(page);
    await context.close();
    return { ms, allMs, views };
  };
  const nextMinute = async () => {
    const now = Date.now();
    await new Promise((r) => setTimeout(r, 60_000 - (now % 60_000) + 1500));
  };
  const cold: number[] = [];
  const coldAll: number[] = [];
  const warm: number[] = [];
  const warmAll: number[] = [];
  let views = 0;
  for (let i = 0; i < COLD; i++) {
    await nextMinute(); // the query cache keys ranges to the minute: a new minute is cold
    const r = await loadOnce();
    cold.push(r.ms);
    coldAll.push(r.allMs);
    views = r.views;
    for (let j = 0; j < Math.ceil(LOADS / Math.max(1, COLD)) && warm.length < LOADS; j++) {
      const w = await loadOnce();
      warm.push(w.ms);
      warmAll.push(w.allMs);
    }
  }

  // 3. The bundle the query service serves.
  const assets = path.join(REPO_ROOT, 'dashboard', 'dist', 'assets');
  const bundle = readdirSync(assets).map((file) => {
    const bytes = readFileSync(path.join(assets, file));
    return { file, raw: statSync(path.join(assets, file)).size, gz: gzipSync(bytes).length };
  });

  // 4. Ctrl-C.
  const stopAt = Date.now();
  const code = await npm.stop();
  const stopped = Date.now() - stopAt;
  const stillOpen = await portsOpen();

  const kb = (n: number) => `${(n / 1024).toFixed(0)} kB`;
  console.log(`\nnpm start (warm machine, fresh data directory)`);
  console.log(`  up (every service ready)        ${secs(up.at - t0)}`);
  console.log(`  Kafka ready                     ${secs(kafkaUp.at - t0)}`);
  console.log(`  first rows in web_events        ${secs((await firstRows) - t0)}`);
  console.log(`  first non-zero KPI on screen    ${secs(firstKpi - t0)}`);
  console.log(`  looks at the overview          ${looks.join('; ')}`);
  console.log(`  24 h of history sent            ${secs(backfilled.at - t0)}`);
  console.log(`  workers caught up               ${secs(caughtUp - t0)}`);
  console.log(
    `\noverview first load, 24 h of history (${views} page views), fresh browser context`,
  );
  console.log('  until the KPIs, the traffic chart and the top pages are drawn:');
  console.log(`  query cache cold  n=${cold.length}  ${cold.map((ms) => `${ms} ms`).join(', ')}`);
  console.log(
    `  query cache warm  n=${warm.length}  p50 ${quantile(warm, 0.5)} ms  p95 ${quantile(warm, 0.95)} ms  max ${Math.max(...warm)} ms`,
  );
  console.log('  until every chart of the page is drawn:');
  console.log(
    `  query cache cold  n=${coldAll.length}  ${coldAll.map((ms) => `${ms} ms`).join(', ')}`,
  );
  console.log(
    `  query cache warm  n=${warmAll.length}  p50 ${quantile(warmAll, 0.5)} ms  p95 ${quantile(warmAll, 0.95)} ms  max ${Math.max(...warmAll)} ms`,
  );
  console.log(`\nbundle`);
  for (const b of bundle) console.log(`  ${b.file.padEnd(28)} ${kb(b.raw)} (${kb(b.gz)} gzipped)`);
  console.log(
    `\nCtrl-C: exit ${code} after ${secs(stopped)}; ports still open: ${stillOpen.join(', ') || 'none'}`,
  );
} finally {
  await browser.close();
  await npm.cleanUp();
}
