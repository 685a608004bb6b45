import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDashboardBuilt,
  ensureDemoKey,
  freePort,
  REPO_ROOT,
  Simulator,
  startGateway,
  startQueryService,
  startWorkers,
  stopChild,
} from '@backbone/deploy/local';
import { testStack, waitFor } from '@backbone/test';
import { describeSubjectRights } from './subject-rights.js';
import { describeSettings } from './settings.js';
import { describeObservability } from './observability.js';
import { describeOpenApi } from './openapi.js';

/** Screenshots of every page, kept after the run for a person to look at. */
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
/** Debian's Chromium; README § Quick start lists it among the prerequisites. */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The whole backbone as `npm start` runs it — workers, query service serving the built
 * dashboard, gateway — on the test stack, fed by the simulator, and looked at in Debian's
 * Chromium through playwright-core.
 */
const children: ChildProcess[] = [];
let simulator: Simulator;
let browser: Browser;
let page: Page;
let base: string;
let tokens: { viewer: string; admin: string };
let dataDir: string;
let gatewayUrl: string;
let apiKey: string;
let metricsUrls: Record<string, string>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'backbone-e2e-'));
  const { dataDir: _stackDir, ...endpoints } = testStack();
  const dashboardDir = ensureDashboardBuilt();
  const workers = await startWorkers({ dataDir, endpoints });
  children.push(...workers.children);
  const gatewayPort = await freePort();
  const query = await startQueryService({
    dataDir,
    endpoints,
    port: await freePort(),
    dashboardDir,
    components: { gateway: `http://127.0.0.1:${gatewayPort}`, ...workers.urls },
  });
  children.push(query.child);
  base = query.url;
  tokens = query.tokens;
  const { key, keysFile } = ensureDemoKey(dataDir);
  apiKey = key;
  gatewayUrl = `http://127.0.0.1:${gatewayPort}/v1/events`;
  children.push(await startGateway({ dataDir, endpoints, port: gatewayPort, keysFile }));
  metricsUrls = {
    gateway: `http://127.0.0.1:${gatewayPort}/metrics`,
    enrich: `${workers.urls.enrich}/metrics`,
    sink: `${workers.urls.sink}/metrics`,
    query: `${base}/metrics`,
  };
  simulator = new Simulator({
    url: `http://127.0.0.1:${gatewayPort}/v1/events`,
    apiKey: key,
    rate: 60,
    seed: 7,
  });
  // Two hours of history, then live traffic for the rest of the file.
  await simulator.backfill(2, 3);
  simulator.start();
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install chromium\` (the browser tests never download one)`,
    );
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await simulator?.stop();
  for (const child of children.reverse()) await stopChild(child);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const shot = (name: string) =>
  page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const kpi = async (testId: string) =>
  Number(
    ((await page.getByTestId(testId).locator('.kpi-value').textContent()) ?? '').replace(
      /[^\d.]/g,
      '',
    ),
  );

describe('the dashboard in a real browser', () => {
  it('refuses a visit without credentials: a sign-in screen, and 401 from the API', async () => {
    await page.goto(base);
    await expect(page.getByTestId('signin').isVisible()).resolves.toBe(true);
    expect(await page.getByTestId('kpis').count()).toBe(0);
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ realtimeSummary { activeSessions } }' }),
    });
    expect(res.status).toBe(401);
    await shot('signin');
  });

  it("serves React's production build, whatever NODE_ENV the build ran under", async () => {
    // vitest sets NODE_ENV=test, which once made Vite bundle React's development build.
    const html = await (await fetch(base)).text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const js = await (await fetch(`${base}${script}`)).text();
    expect(js).not.toContain('Download the React DevTools');
    expect(js.length).toBeLessThan(850_000);
  });

  it('shows non-zero KPIs on the overview after simulated traffic', async () => {
    const started = Date.now();
    await page.goto(`${base}/#token=${tokens.admin}`);
    await waitFor(
      async () => {
        if ((await page.getByTestId('kpi-page-views').count()) === 0) return false;
        if ((await kpi('kpi-page-views')) > 0) return true;
        await page.reload(); // the pipeline may still be catching up with the backfill
        return false;
      },
      { timeoutMs: 90_000, intervalMs: 2000 },
    );
    console.log(`overview: first non-zero KPI ${Date.now() - started} ms after navigation`);
    expect(await kpi('kpi-visitors')).toBeGreaterThan(0);
    expect(await kpi('kpi-sessions')).toBeGreaterThan(0);
    expect(await page.getByTestId('top-pages').locator('tbody tr').count()).toBeGreaterThan(0);
    // The charts below the fold are drawn just after the numbers above them.
    await page.getByTestId('sources').locator('.recharts-pie-sector').first().waitFor();
    for (const chart of ['devices', 'countries'])
      await page.getByTestId(chart).locator('.recharts-bar-rectangle').first().waitFor();
    await shot('overview');
  });

  it('changes the traffic chart when the date range changes', async () => {
    // The chart's drawing as a whole: an hour at hourly grain may be a single bucket, drawn as
    // dots rather than an area.
    const chart = () =>
      page
        .getByTestId('traffic-chart')
        .locator('.recharts-wrapper > svg.recharts-surface')
        .innerHTML();
    const chart24 = await chart();
    await page.getByLabel('Time range').selectOption('1h');
    await waitFor(async () => (await chart()) !== chart24, { timeoutMs: 20_000 });
    // Each of the three series is drawn: as an area, or as dots when it has one bucket.
    const drawn = page
      .getByTestId('traffic-chart')
      .locator('path.recharts-area-area, .recharts-area-dots');
    expect(await drawn.count()).toBeGreaterThanOrEqual(3);
    // The hour's count is below the day's. Compared with the day read afterwards: a day read
    // earlier may predate backfilled events that the hour already counts.
    const views1 = await kpi('kpi-page-views');
    await page.getByLabel('Time range').selectOption('24h');
    await waitFor(async () => (await kpi('kpi-page-views')) > views1, { timeoutMs: 60_000 });
  });

  it('shows the live counter rising while events flow', async () => {
    await page.goto(`${base}/#/live`);
    await waitFor(async () => (await kpi('live-events')) > 0, { timeoutMs: 30_000 });
    const first = await kpi('live-events');
    await waitFor(async () => (await kpi('live-events')) > first, { timeoutMs: 30_000 });
    // The page re-reads every component's health each 5 s: a worker slowed by a busy
    // machine may read "down" for a look, so wait for a look where all are up.
    const components = () => page.getByTestId('components').locator('tbody tr').allTextContents();
    await waitFor(
      async () => (await components()).filter((row) => /^\S+ up/.test(row)).length >= 4,
      { timeoutMs: 30_000 },
    );
    const rows = (await components()).join('\n');
    for (const name of ['query-service', 'gateway', 'enrich', 'sink'])
      expect(rows).toMatch(new RegExp(`^${name} up`, 'm'));
    await shot('live');
  });

  it('runs a query in the SQL console and shows its rows', async () => {
    await page.goto(`${base}/#/sql`);
    await page.getByRole('button', { name: 'Run' }).click();
    await waitFor(
      async () => (await page.getByTestId('sql-result').locator('tbody tr').count()) > 0,
      {
        timeoutMs: 20_000,
      },
    );
    expect(await page.getByTestId('sql-rows').textContent()).toMatch(/^[1-9]\d* rows$/);
    await shot('sql');
  });
});

describe('the overview filtered in a real browser', () => {
  it('filters the overview by a device and a landing page, and clears the filters', async () => {
    await page.goto(`${base}/#/overview`);
    await page.getByTestId('kpi-sessions').waitFor();
    const devices = page.getByTestId('devices').locator('.recharts-bar-rectangle');
    await devices.first().click();
    const chip = page.getByTestId('filter-deviceType');
    await chip.waitFor();
    // Only the chosen device type is left, and only its sessions are counted.
    await page.getByTestId('landing-pages').locator('tbody tr').first().waitFor();
    await waitFor(async () => (await devices.count()) === 1, { timeoutMs: 20_000 });
    const device = await kpi('kpi-sessions');
    expect(device).toBeGreaterThan(0);
    expect(await chip.textContent()).toMatch(/^Device: \w+/);
    // A landing page narrows the segment further.
    const landing = page.getByTestId('landing-pages').locator('tbody tr').first();
    const url = (await landing.locator('td').first().textContent()) ?? '';
    // Its sessions, from the same answer as the device's count: a part of them.
    const landed = Number(
      ((await landing.locator('td').nth(1).textContent()) ?? '').replace(/\D/g, ''),
    );
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThanOrEqual(device);
    await landing.click();
    await page.getByTestId('filter-landingPage').waitFor();
    expect(await page.getByTestId('filter-landingPage').textContent()).toContain(url);
    await waitFor(
      async () => (await page.getByTestId('landing-pages').locator('tbody tr').count()) === 1,
      {
        timeoutMs: 20_000,
      },
    );
    // The KPI is now that page's sessions (as many or, with new traffic, more).
    expect(await kpi('kpi-sessions')).toBeGreaterThanOrEqual(landed);
    await shot('overview-filtered');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByTestId('top-pages').waitFor();
    expect(await page.getByTestId('filter-deviceType').count()).toBe(0);
    // Every device type again (its numbers may be the service's cached unfiltered answer from
    // the first look, taken while the history was still arriving: not compared).
    await waitFor(async () => (await devices.count()) > 1, { timeoutMs: 20_000 });
  });
});

describe('the dashboard in a real browser', () => {
  it('renders the STT quality, speakers and sessions pages with data', async () => {
    await page.goto(`${base}/#/quality`);
    await page.getByTestId('latency-chart').waitFor({ timeout: 20_000 });
    await shot('stt-quality');
    await page.goto(`${base}/#/speakers`);
    await page.getByTestId('talk-split').waitFor({ timeout: 20_000 });
    await shot('speakers');
    await page.goto(`${base}/#/sessions`);
    await page
      .getByTestId('sessions-list')
      .locator('tbody tr')
      .first()
      .waitFor({ timeout: 20_000 });
    await shot('sessions');
    await page.getByTestId('sessions-list').locator('tbody tr').first().click();
    await page
      .getByTestId('session-timeline')
      .locator('.timeline li')
      .first()
      .waitFor({ timeout: 20_000 });
    await shot('session-timeline');
  });

  it('filters the STT quality page by language, and lists the models that spoke it', async () => {
    await page.goto(`${base}/#/quality`);
    await page.getByTestId('latency-chart').waitFor({ timeout: 20_000 });
    const language = page.getByLabel('Filter by language');
    // "Any language", then each language with its sessions.
    await waitFor(async () => (await language.locator('option').count()) > 2, {
      timeoutMs: 20_000,
    });
    await language.selectOption({ index: 1 });
    const chosen = await language.inputValue();
    const languages = page.getByTestId('errors-by-language').locator('tbody tr td:nth-child(2)');
    await waitFor(
      async () => {
        const shown = await languages.allTextContents();
        return shown.length > 0 && shown.every((l) => l === chosen);
      },
      { timeoutMs: 20_000 },
    );
    const model = page.getByLabel('Filter by model');
    await model.selectOption({ index: 1 });
    const picked = await model.inputValue();
    const models = page.getByTestId('errors-by-language').locator('tbody tr td:nth-child(1)');
    await waitFor(async () => (await models.allTextContents()).every((m) => m === picked), {
      timeoutMs: 20_000,
    });
    await shot('stt-quality-filtered');
  });
});

describeSubjectRights(() => ({ base, tokens, gatewayUrl, apiKey }));
describeSettings(() => ({ page, base, tokens, gatewayUrl, shot }));
describeObservability(() => metricsUrls);
describeOpenApi(() => ({
  base,
  gateway: gatewayUrl.replace(/\/v1\/events$/, ''),
  apiKey,
  tokens,
  dataDir,
}));
