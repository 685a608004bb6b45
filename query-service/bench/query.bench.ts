/**
 * npm run bench:query [-- --events 100000000 --queries 30]
 * A private local stack; rollups for N synthetic web events over the last 30 days written
 * straight into ClickHouse (INSERT … SELECT from numbers(), as the views would have); then
 * dashboardStats over 24 h / 7 d / 30 d and topPages through the service, cold (no cache)
 * and cached. Prints p50/p95/p99; no pass/fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { SignJWT } from 'jose';
import { downOnSignal, downStack, upStack } from '@backbone/deploy/local';
import { createLogger } from '@backbone/runtime';
import { migrate, SessionFinalizer } from '@backbone/warehouse';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';
import type { CacheStore } from '../src/repositories/cache.js';
import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';
import { rollupData } from './rollup-data.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000000' },
    queries: { type: 'string', default: '30' },
  },
});
const N = Number(values.events);
const Q = Number(values.queries);
const DAY = 86_400;
const SECRET = 'bench-secret-bench-secret-bench-secret';
const logger = createLogger({ name: 'bench', level: 'silent' });

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-query-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'none', kafkaHeap: '512m' });
downOnSignal(dir);
const e = stack.endpoints;
const writer = createClient({
  url: e.clickhouseUrl,
  username: e.clickhouseUser,
  password: e.clickhousePassword,
  request_timeout: 3_600_000,
});
const reader = createClient({
  url: e.clickhouseUrl,
  username: e.clickhouseReaderUser,
  password: e.clickhouseReaderPassword,
});
const fmt = (n: number) => n.toFixed(1);
try {
  await migrate({ client: writer, database: 'analytics', logger });
  const { src, inserts } = rollupData(N);
  for (const [table, query] of inserts) {
    const t = performance.now();
    await writer.command({ query, clickhouse_settings: { max_memory_usage: '16000000000' } });
    console.log(
      `built ${table} from ${N.toLocaleString('en-US')} events in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }

  // What the sink's finalizer does every hour in steady state: one hour of session ends.
  const finalizer = new SessionFinalizer({
    client: writer,
    names: { database: 'analytics', suffix: '' },
    logger,
  });
  const tf = performance.now();
  const hours = await finalizer.tick();
  console.log(
    `session finalizer: ${hours.length} hour(s) of session ends in ${((performance.now() - tf) / 1000).toFixed(2)} s`,
  );

  // How far the estimates are from exact counts on the same rows (the history and the last two
  // hours through the views): the whole range, and the worst day, hour and page (every
  // bucket of a series is an estimate of its own).
  const M = `uniqCombinedMerge(${DISTINCT_PRECISION})`;
  const worst = async (label: string, estimate: string, exact: string, key: string) => {
    const [r] = await (
      await writer.query({
        query: `SELECT max(abs(e.v - x.v) / x.v) * 100 AS v, max(abs(e.s - x.s) / x.s) * 100 AS s
FROM (${estimate}) AS e INNER JOIN (${exact}) AS x USING (${key})`,
        format: 'JSONEachRow',
        clickhouse_settings: { max_memory_usage: '16000000000' },
      })
    ).json<{ v: number; s: number }>();
    return `${label} ${fmt(r!.v)}% / ${fmt(r!.s)}%`;
  };
  const exactBy = (key: string, where = '1') =>
    `SELECT ${key} AS k, uniqExact(visitor) AS v, uniqExact(session) AS s FROM (${src}) WHERE ${where} GROUP BY k`;
  console.log(
    `\nestimate error against uniqExact, visitors / sessions (uniqCombined(${DISTINCT_PRECISION})): ` +
      [
        await worst(
          '30 days',
          `SELECT 1 AS k, ${M}(visitors) AS v, ${M}(sessions) AS s FROM analytics.${TABLES.webTraffic1d}`,
          exactBy('1'),
          'k',
        ),
        await worst(
          'worst day',
          `SELECT day AS k, ${M}(visitors) AS v, ${M}(sessions) AS s FROM analytics.${TABLES.webTraffic1d} GROUP BY k`,
          exactBy('toDate(minute)'),
          'k',
        ),
        await worst(
          'worst hour',
          `SELECT hour AS k, ${M}(visitors) AS v, ${M}(sessions) AS s FROM analytics.${TABLES.webTraffic1h} GROUP BY k`,
          exactBy('toStartOfHour(minute)'),
          'k',
        ),
        await worst(
          'worst page over 30 days',
          `SELECT page_path AS k, ${M}(visitors) AS v, ${M}(sessions) AS s FROM analytics.${TABLES.webPages1d} GROUP BY k`,
          exactBy('page', "event_type = 'page_view'"),
          'k',
        ),
      ].join('; '),
  );

  const token = await new SignJWT({ tenant_id: 'bench', role: 'viewer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const noCache: CacheStore = { get: () => Promise.resolve(null), set: () => Promise.resolve() };
  // Where a cold request's time goes: each statement, named by the tables it reads, from the
  // request to its answer's last row (the endpoint streams answers, so the summary header it
  // sends first cannot carry a SELECT's time; statements of one request may wait for each
  // other, as the local engine runs a few at a time).
  const statements = new Map<string, number[]>();
  const timedReader = new Proxy(reader, {
    get(target, prop) {
      if (prop === 'query') {
        return async (params: Parameters<typeof reader.query>[0]) => {
          const started = performance.now();
          const result = await target.query(params);
          const tables = [...new Set(params.query.match(/(?<=analytics\.)\w+/g) ?? [])];
          const label = tables.join(' + ') || params.query.slice(0, 40);
          const json = result.json.bind(result);
          return Object.assign(result, {
            json: async <T>() => {
              const rows = await json<T>();
              statements.set(label, [
                ...(statements.get(label) ?? []),
                performance.now() - started,
              ]);
              return rows;
            },
          });
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  const serve = async (cache?: CacheStore) => {
    const service = await buildQueryService({
      clickhouse: cache === noCache ? timedReader : reader,
      database: 'analytics',
      authenticate: jwtAuthenticator({ secret: SECRET }),
      logger,
      ...(cache ? { cache } : {}),
    });
    const server = service.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      close: async () => {
        await new Promise((r) => server.close(r));
        await service.stop();
      },
    };
  };
  const run = async (url: string, query: string, days: number) => {
    const end = new Date();
    const start = new Date(end.getTime() - days * DAY * 1000);
    const t = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query,
        variables: { r: { start: start.toISOString(), end: end.toISOString() } },
      }),
    });
    const body = (await res.json()) as { errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return performance.now() - t;
  };
  const pct = (xs: number[], q: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
  // Points by the hour for a day; by the day for a week or a month, as a dashboard shows them.
  const dash = (
    granularity: string,
  ) => `query($r: TimeRange!) { dashboardStats(timeRange: $r, granularity: ${granularity}) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions revenue timeSeries { timestamp pageViews uniqueVisitors } } }`;
  const PAGES =
    'query($r: TimeRange!) { topPages(timeRange: $r, limit: 10) { url pageViews uniqueVisitors bounceRate } }';
  const SOURCES =
    'query($r: TimeRange!) { trafficSources(timeRange: $r) { source medium sessions } }';
  const DEVICES =
    'query($r: TimeRange!) { devices(timeRange: $r) { deviceType browser os events uniqueVisitors sessions } }';
  const GEO =
    'query($r: TimeRange!) { geo(timeRange: $r) { country events uniqueVisitors sessions } }';
  const QUALITY =
    'query($r: TimeRange!) { sttQuality(timeRange: $r, granularity: DAY) { timestamp model language segments avgConfidence latencyP95 } }';
  // The overview under a filter: every question the page asks, with the fields it shows.
  const filtered = (filter: string, granularity = 'DAY') => `query($r: TimeRange!) {
  dashboardStats(timeRange: $r, granularity: ${granularity}, filter: ${filter}) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions revenue timeSeries { timestamp pageViews uniqueVisitors } }
  landingPages(timeRange: $r, limit: 10, filter: ${filter}) { url sessions pageViews bounceRate conversions }
  trafficSources(timeRange: $r, filter: ${filter}) { source medium sessions percentage }
  devices(timeRange: $r, filter: ${filter}) { deviceType browser os pageViews sessions }
  geo(timeRange: $r, filter: ${filter}) { country region pageViews sessions } }`;
  // The breakdowns as the overview asks them: no distinct visitors (and no sessions by country).
  const DASHBOARD_DEVICES =
    'query($r: TimeRange!) { devices(timeRange: $r) { deviceType browser os pageViews sessions } }';
  const DASHBOARD_GEO = 'query($r: TimeRange!) { geo(timeRange: $r) { country region pageViews } }';
  const SPEECH_FILTERED = `query($r: TimeRange!) {
  sttQuality(timeRange: $r, granularity: DAY, model: "nova-2", language: "de") { timestamp segments avgConfidence latencyP95 }
  modelPerformance(timeRange: $r, language: "de") { model sessionsStarted latencyP95 }
  sttLanguages(timeRange: $r, model: "nova-2") { language sessionsStarted } }`;
  // A session of the middle of the range (the rollup is ordered by day, then session).
  const SPEAKERS = `query { speakerMetrics(sessionId: "stt${Math.floor(N / 1000)}") { speakerId talkMs words } }`;
  const cold = await serve(noCache);
  const warm = await serve();
  console.log(`\n${N.toLocaleString('en-US')} events in rollups; ${Q} queries each (ms):`);
  console.log('query                        cold p50 / p95 / p99        cached p50 / p95 / p99');
  for (const [name, query, days] of [
    ['dashboardStats 24 h HOUR', dash('HOUR'), 1],
    ['dashboardStats 7 d DAY', dash('DAY'), 7],
    ['dashboardStats 30 d DAY', dash('DAY'), 30],
    ['dashboardStats 30 d HOUR', dash('HOUR'), 30],
    ['topPages 24 h', PAGES, 1],
    ['topPages 30 d', PAGES, 30],
    ['trafficSources 30 d', SOURCES, 30],
    ['devices 30 d', DEVICES, 30],
    ['geo 30 d', GEO, 30],
    ['devices 30 d (overview)', DASHBOARD_DEVICES, 30],
    ['geo 30 d (overview)', DASHBOARD_GEO, 30],
    ['sttQuality 30 d DAY', QUALITY, 30],
    ['speakerMetrics', SPEAKERS, 30],
    ['overview 24 h device', filtered('{deviceType: "mobile"}', 'HOUR'), 1],
    ['overview 30 d device', filtered('{deviceType: "mobile"}'), 30],
    ['overview 30 d src+country', filtered('{source: "google", country: "DE"}'), 30],
    ['overview 30 d landing page', filtered('{landingPage: "/p/7"}'), 30],
    ['speech 30 d model+language', SPEECH_FILTERED, 30],
  ] as const) {
    const c: number[] = [];
    statements.clear();
    for (let i = 0; i < Q; i++) c.push(await run(cold.url, query, days));
    const breakdown = [...statements]
      .map(
        ([label, ms]) =>
          `${label} ${fmt(pct(ms, 0.5))}${ms.length > Q ? ` ×${ms.length / Q}` : ''}`,
      )
      .join('; ');
    await run(warm.url, query, days);
    const w: number[] = [];
    for (let i = 0; i < Q * 5; i++) w.push(await run(warm.url, query, days));
    console.log(
      `${name.padEnd(28)} ${fmt(pct(c, 0.5)).padStart(7)} / ${fmt(pct(c, 0.95)).padStart(7)} / ${fmt(pct(c, 0.99)).padStart(7)}     ${fmt(pct(w, 0.5)).padStart(6)} / ${fmt(pct(w, 0.95)).padStart(6)} / ${fmt(pct(w, 0.99)).padStart(6)}`,
    );
    console.log(`  cold p50 by statement: ${breakdown}`);
  }
  await cold.close();
  await warm.close();
} finally {
  await writer.close();
  await reader.close();
  await downStack(dir);
  rmSync(dir, { recursive: true, force: true });
}
