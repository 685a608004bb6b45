import { describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { SessionFinalizer } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import { webEventRow } from '@backbone/test';
import { acme, useRollups } from './rollups-fixture.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const logger = createLogger({ name: 'test', level: 'silent' });

/** Sessions that end long enough ago to be finalized: three hours back, on the hour. */
const B = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
/** Sessions still going: their events are a few minutes old. */
const NOW = Date.now();
const range = { start: new Date(B - HOUR).toISOString(), end: new Date(NOW + MIN).toISOString() };

const seg = (source: string, medium: string, device: string, country: string) => ({
  traffic_source: source,
  traffic_medium: medium,
  device_type: device,
  country,
});
const GOOGLE_DESKTOP_GB = seg('google', 'organic', 'desktop', 'GB');
const internal = { traffic_source: '(internal)', traffic_medium: '(none)' };

/**
 * a1 v1 google desktop GB: /home, /pricing 60 s later, a 49.50 conversion at 120 s (ended)
 * a2 v2 news mobile US: /home, a bounce (ended)
 * a3 v1 direct desktop GB: /pricing, a bounce (ended)
 * b1 v3 google mobile DE: /home, /pricing a minute later (live)
 * b2 v1 google desktop GB: /blog, a bounce (live)
 * o1 (another tenant) google desktop GB: /home
 */
const EVENTS = [
  webEventRow(B, {
    session_id: 'a1',
    anonymous_id: 'v1',
    page_path: '/home',
    ...GOOGLE_DESKTOP_GB,
  }),
  webEventRow(B + MIN, {
    session_id: 'a1',
    anonymous_id: 'v1',
    page_path: '/pricing',
    ...GOOGLE_DESKTOP_GB,
    ...internal,
  }),
  webEventRow(B + 2 * MIN, {
    session_id: 'a1',
    anonymous_id: 'v1',
    event_type: 'conversion',
    value: 49.5,
    ...GOOGLE_DESKTOP_GB,
    traffic_source: null,
    traffic_medium: null,
  }),
  webEventRow(B + 5 * MIN, {
    session_id: 'a2',
    anonymous_id: 'v2',
    page_path: '/home',
    ...seg('news', 'email', 'mobile', 'US'),
  }),
  webEventRow(B + 10 * MIN, {
    session_id: 'a3',
    anonymous_id: 'v1',
    page_path: '/pricing',
    ...seg('(direct)', '(none)', 'desktop', 'GB'),
  }),
  webEventRow(NOW - 5 * MIN, {
    session_id: 'b1',
    anonymous_id: 'v3',
    page_path: '/home',
    ...seg('google', 'organic', 'mobile', 'DE'),
  }),
  webEventRow(NOW - 4 * MIN, {
    session_id: 'b1',
    anonymous_id: 'v3',
    page_path: '/pricing',
    ...seg('google', 'organic', 'mobile', 'DE'),
    ...internal,
  }),
  webEventRow(NOW - 3 * MIN, {
    session_id: 'b2',
    anonymous_id: 'v1',
    page_path: '/blog',
    ...GOOGLE_DESKTOP_GB,
  }),
  webEventRow(B, {
    tenant_id: 'other',
    session_id: 'o1',
    anonymous_id: 'v9',
    page_path: '/home',
    ...GOOGLE_DESKTOP_GB,
  }),
];

const { ctx, gql } = useRollups(async (writer, database) => {
  await writer.insert({
    table: `${database.name}.${TABLES.webEvents}`,
    format: 'JSONEachRow',
    values: EVENTS,
  });
});

const OVERVIEW = `query($r: TimeRange!, $f: WebFilter, $g: Granularity) {
  dashboardStats(timeRange: $r, granularity: $g, filter: $f) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions conversionRate revenue
    timeSeries { timestamp pageViews uniqueVisitors sessions } }
  trafficSources(timeRange: $r, filter: $f) { source medium sessions percentage }
  devices(timeRange: $r, filter: $f) { deviceType browser sessions pageViews uniqueVisitors }
  geo(timeRange: $r, filter: $f) { country region sessions }
  landingPages(timeRange: $r, filter: $f) { url sessions pageViews bounceRate conversions }
}`;

interface Answer {
  dashboardStats: Record<string, unknown> & { timeSeries: Record<string, unknown>[] };
  trafficSources: Record<string, unknown>[];
  devices: Record<string, unknown>[];
  geo: Record<string, unknown>[];
  landingPages: Record<string, unknown>[];
}

async function overview(filter: Record<string, string>, granularity = 'HOUR') {
  const { body } = await gql<Answer>(
    OVERVIEW,
    { r: range, f: filter, g: granularity },
    await acme(),
  );
  expect(body.errors).toBeUndefined();
  return body.data;
}

const hourOf = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR).toISOString();

/** Each filter answered while the sessions of B are live, then once they are finalized. */
const FILTERS: Record<string, string>[] = [
  { source: 'google' },
  { deviceType: 'mobile' },
  { source: 'google', deviceType: 'desktop' },
  { country: 'GB' },
  { landingPage: '/home' },
  { landingPage: '/home', deviceType: 'mobile' },
  { country: 'FR' },
];

describe('the overview filtered by a session segment', () => {
  it('hands sessions from live to the summaries without losing or doubling one', async () => {
    const before = await Promise.all(FILTERS.map((f) => overview(f)));
    const finalizer = new SessionFinalizer({
      client: ctx.writer,
      names: { database: ctx.database.name, suffix: '' },
      logger,
    });
    while ((await finalizer.tick()).length > 0);
    const rows = await (
      await ctx.writer.query({
        query: `SELECT sum(sessions) AS n FROM ${ctx.database.name}.${TABLES.webSessionSegments1h} WHERE tenant_id = 'acme'`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string | number }>();
    // a1, a2 and a3 are in the summaries now; b1 and b2 are still live.
    expect(Number(rows[0]?.n)).toBe(3);
    const after = await Promise.all(FILTERS.map((f) => overview(f)));
    expect(after).toEqual(before);
  });

  it('counts the sessions from a source and all they did', async () => {
    const d = await overview({ source: 'google' });
    expect(d.dashboardStats).toMatchObject({
      sessions: 3, // a1, b1, b2
      pageViews: 5,
      uniqueVisitors: 2, // v1 and v3
      conversions: 1,
      revenue: 49.5,
      bounceRate: 1 / 3,
      avgSessionDuration: (120 + 60 + 0) / 3,
    });
    const series = new Map<string, number>();
    for (const [at, n] of [
      [B, 1],
      [NOW - 5 * MIN, 1],
      [NOW - 3 * MIN, 1],
    ] as const)
      series.set(hourOf(at), (series.get(hourOf(at)) ?? 0) + n);
    expect(d.dashboardStats.timeSeries.map((p) => [p.timestamp, p.sessions])).toEqual(
      [...series].sort(),
    );
    expect(d.devices).toEqual([
      { deviceType: 'desktop', browser: '', sessions: 2, pageViews: 3, uniqueVisitors: 1 },
      { deviceType: 'mobile', browser: '', sessions: 1, pageViews: 2, uniqueVisitors: 1 },
    ]);
    expect(d.geo).toEqual([
      { country: 'GB', region: null, sessions: 2 },
      { country: 'DE', region: null, sessions: 1 },
    ]);
    expect(d.landingPages).toEqual([
      { url: '/home', sessions: 2, pageViews: 4, bounceRate: 0, conversions: 1 },
      { url: '/blog', sessions: 1, pageViews: 1, bounceRate: 1, conversions: 0 },
    ]);
  });

  it('combines filters into one segment', async () => {
    const d = await overview({ source: 'google', deviceType: 'desktop' }, 'DAY');
    expect(d.dashboardStats).toMatchObject({ sessions: 2, pageViews: 3, uniqueVisitors: 1 });
    expect(d.trafficSources).toEqual([
      { source: 'google', medium: 'organic', sessions: 2, percentage: 100 },
    ]);
    const desktop = await overview({ deviceType: 'desktop' });
    expect(desktop.trafficSources).toEqual([
      { source: 'google', medium: 'organic', sessions: 2, percentage: (100 * 2) / 3 },
      { source: '(direct)', medium: '(none)', sessions: 1, percentage: 100 / 3 },
    ]);
    const landed = await overview({ landingPage: '/home', deviceType: 'mobile' });
    expect(landed.dashboardStats).toMatchObject({ sessions: 2, pageViews: 3, bounceRate: 0.5 });
    expect(landed.geo.map((g) => g.country).sort()).toEqual(['DE', 'US']);
  });

  it('answers a segment without sessions with zeros and no points', async () => {
    const d = await overview({ country: 'FR' });
    expect(d.dashboardStats).toMatchObject({ sessions: 0, pageViews: 0, uniqueVisitors: 0 });
    expect(d.dashboardStats.timeSeries).toEqual([]);
    expect(d.trafficSources).toEqual([]);
  });

  it('refuses a filter value that is too long, naming the field', async () => {
    const { body } = await gql(
      OVERVIEW,
      { r: range, f: { country: 'x'.repeat(513) } },
      await acme(),
    );
    expect(body.errors?.[0]).toMatchObject({
      message: 'filter.country must be at most 512 characters',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('filters the REST overview and breakdowns by query parameters', async () => {
    const q = new URLSearchParams({ ...range, device_type: 'mobile' });
    const get = async (path: string) => {
      const res = await fetch(`${ctx.url}/api/v1/stats/${path}?${q.toString()}`, {
        headers: { authorization: `Bearer ${await acme()}` },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: unknown }).data;
    };
    expect(await get('overview')).toMatchObject({ sessions: 2, pageViews: 3, uniqueVisitors: 2 });
    expect(await get('sources')).toEqual([
      { source: 'google', medium: 'organic', sessions: 1, percentage: 50 },
      { source: 'news', medium: 'email', sessions: 1, percentage: 50 },
    ]);
    expect(await get('landing-pages')).toMatchObject([{ url: '/home', sessions: 2 }]);
  });
});
