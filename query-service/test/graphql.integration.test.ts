import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { acme, DASHBOARD, H, range, token, useRollups, type Dashboard } from './rollups-fixture.js';

const { ctx, gql } = useRollups();

describe('GraphQL web numbers over the rollups', () => {
  it('answers dashboardStats with the numbers counted by hand', async () => {
    const { status, body } = await gql<{ dashboardStats: Dashboard }>(
      DASHBOARD,
      { r: range },
      await token({ tenant_id: 'acme', role: 'viewer' }),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const stats = body.data.dashboardStats;
    expect(stats).toMatchObject({
      pageViews: 4,
      uniqueVisitors: 2,
      sessions: 3,
      avgSessionDuration: 20,
      conversions: 1,
      revenue: 49.5,
    });
    expect(stats.bounceRate).toBeCloseTo(2 / 3, 6);
    expect(stats.conversionRate).toBeCloseTo(1 / 3, 6);
    expect(stats.timeSeries).toEqual([
      { timestamp: new Date(H).toISOString(), pageViews: 4, uniqueVisitors: 2, sessions: 3 },
    ]);
  });

  it('answers zeros and an empty series for a tenant without traffic, not an error', async () => {
    // A brand-new tenant's first look (the dashboard during npm start's first seconds).
    const { status, body } = await gql<{ dashboardStats: Dashboard }>(
      DASHBOARD,
      { r: range },
      await token({ tenant_id: 'newcomer', role: 'viewer' }),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.dashboardStats).toEqual({
      pageViews: 0,
      uniqueVisitors: 0,
      sessions: 0,
      bounceRate: 0,
      avgSessionDuration: 0,
      conversions: 0,
      conversionRate: 0,
      revenue: 0,
      timeSeries: [],
    });
  });

  it('answers topPages with views, visitors, entry bounce rate and time on page', async () => {
    const { body } = await gql<{ topPages: unknown[] }>(
      `query($r: TimeRange!) { topPages(timeRange: $r, limit: 5) { url pageViews uniqueVisitors avgTimeOnPage bounceRate } }`,
      { r: range },
      await token({ tenant_id: 'acme', role: 'viewer' }),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.topPages).toEqual([
      { url: '/home', pageViews: 2, uniqueVisitors: 2, avgTimeOnPage: 30, bounceRate: 0.5 },
      { url: '/pricing', pageViews: 2, uniqueVisitors: 1, avgTimeOnPage: 0, bounceRate: 1 },
    ]);
  });

  it('answers trafficSources by the source sessions arrived from', async () => {
    const { body } = await gql<{
      trafficSources: { source: string; sessions: number; percentage: number }[];
    }>(
      `query($r: TimeRange!) { trafficSources(timeRange: $r) { source medium sessions percentage } }`,
      { r: range },
      await token({ tenant_id: 'acme', role: 'viewer' }),
    );
    expect(body.data.trafficSources.map((s) => s.source)).toEqual(['(direct)', 'google', 'news']);
    for (const s of body.data.trafficSources) {
      expect(s.sessions).toBe(1);
      expect(s.percentage).toBeCloseTo(100 / 3, 6);
    }
  });

  it("shows a tenant only its own data: the other tenant's token sees one page view", async () => {
    const { body } = await gql<{ dashboardStats: Dashboard }>(
      DASHBOARD,
      { r: range },
      await token({ tenant_id: 'other', role: 'admin' }),
    );
    expect(body.data.dashboardStats).toMatchObject({ pageViews: 1, sessions: 1, conversions: 0 });
  });
});

describe('GraphQL refusals and service surface', () => {
  it.each([
    ['no token', undefined, /missing bearer token/],
    ['a malformed token', 'not.a.jwt', /invalid token/],
    ['a token signed with another secret', 'OTHER', /invalid token/],
    ['a token without tenant_id', 'NO_TENANT', /no tenant_id/],
  ])('answers 401 to %s', async (_what, bearer, message) => {
    const value =
      bearer === 'OTHER'
        ? await token({ tenant_id: 'acme', role: 'viewer' }, 'x'.repeat(40))
        : bearer === 'NO_TENANT'
          ? await token({ role: 'viewer' })
          : bearer;
    const { status, body } = await gql(DASHBOARD, { r: range }, value);
    expect(status).toBe(401);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors?.[0].message).toMatch(message);
  });

  it.each([
    ['an end before the start', { start: range.end, end: range.start }, /end must be after/],
    ['a time without a zone', { start: '2025-01-01T00:00:00', end: range.end }, /with a zone/],
    [
      'a range over the limit',
      { start: '2020-01-01T00:00:00Z', end: range.end },
      /more than 400 days/,
    ],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_what, r, message) => {
    const { status, body } = await gql(
      DASHBOARD,
      { r },
      await token({ tenant_id: 'acme', role: 'viewer' }),
    );
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].message).toMatch(message);
  });

  it('refuses a page size over 100', async () => {
    const { body } = await gql<{ topPages: unknown[] }>(
      `query($r: TimeRange!) { topPages(timeRange: $r, limit: 100000) { url } }`,
      { r: range },
      await token({ tenant_id: 'acme', role: 'viewer' }),
    );
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors?.[0].message).toMatch(/limit must be between 1 and 100/);
  });

  it('serves its schema as the committed schema.graphql, and a browser a page that loads nothing from elsewhere', async () => {
    const served = await fetch(`${ctx.url}/graphql/schema.graphql`);
    expect(served.status).toBe(200);
    expect(await served.text()).toBe(
      readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    );
    const page = await fetch(`${ctx.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/graphql/schema.graphql');
    // Apollo's landing page would load its explorer from a CDN: no script, no remote asset.
    expect(html).not.toMatch(/<script|<link|src=/i);
  });

  it('reports ready while ClickHouse answers, and exposes operation latency', async () => {
    expect((await fetch(`${ctx.url}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${ctx.url}/metrics`)).text();
    expect(metrics).toMatch(
      /query_graphql_operation_seconds_count\{operation="\(anonymous\)",outcome="ok"\} [1-9]/,
    );
  });

  it('refuses a costly request (many aliased root fields) before running it', async () => {
    const fields = Array.from(
      { length: 13 },
      (_, i) => `a${i}: topPages(timeRange: $r) { url }`,
    ).join(' ');
    const { status, body } = await gql(
      `query($r: TimeRange!) { ${fields} }`,
      { r: range },
      await acme(),
    );
    expect(status).toBe(400);
    expect(body.errors?.[0].message).toBe('query asks for 13 top-level fields; the limit is 12');
  });
});

describe('GraphQL devices, geo and the cache', () => {
  it('answers devices and geo from the hourly rollups', async () => {
    const { body } = await gql<{ devices: unknown[]; geo: unknown[] }>(
      `query($r: TimeRange!) {
        devices(timeRange: $r) { deviceType browser os events pageViews uniqueVisitors sessions }
        geo(timeRange: $r) { country region events pageViews uniqueVisitors sessions } }`,
      { r: range },
      await acme(),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.devices).toEqual([
      {
        deviceType: 'desktop',
        browser: 'Chrome',
        os: 'Windows',
        events: 4,
        pageViews: 3,
        uniqueVisitors: 1,
        sessions: 2,
      },
      {
        deviceType: 'mobile',
        browser: 'Mobile Safari',
        os: 'iOS',
        events: 1,
        pageViews: 1,
        uniqueVisitors: 1,
        sessions: 1,
      },
    ]);
    expect(body.data.geo).toEqual([
      { country: 'GB', region: null, events: 4, pageViews: 3, uniqueVisitors: 1, sessions: 2 },
      { country: 'US', region: null, events: 1, pageViews: 1, uniqueVisitors: 1, sessions: 1 },
    ]);
  });

  it('answers a repeated query from the cache, and never across tenants', async () => {
    const hits = async () =>
      Number(
        /query_cache_requests_total\{result="hit"\} (\d+)/.exec(
          await (await fetch(`${ctx.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const before = await hits();
    const first = await gql<{ dashboardStats: Dashboard }>(DASHBOARD, { r: range }, await acme());
    const second = await gql<{ dashboardStats: Dashboard }>(DASHBOARD, { r: range }, await acme());
    expect(second.body).toEqual(first.body);
    expect(await hits()).toBeGreaterThanOrEqual(before + 3); // overview, sessions, time series
    const other = await gql<{ dashboardStats: { pageViews: number } }>(
      DASHBOARD,
      { r: range },
      await token({ tenant_id: 'other', role: 'viewer' }),
    );
    expect(other.body.data.dashboardStats.pageViews).toBe(1);
  });
});
