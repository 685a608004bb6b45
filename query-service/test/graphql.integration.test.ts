import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createClient } from '@clickhouse/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { clickhouseTime, migrate } from '@backbone/stream-workers';
import { createTestDatabase, testClickHouse, testStack } from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const logger = createLogger({ name: 'test', level: 'silent' });
const token = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tester')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));

/**
 * A known data set written into web_events (so the materialized views fill the rollups),
 * then read through GraphQL. H is the start of the previous hour.
 *   s1 (visitor v1): /home from Google at H, /pricing 30 s later, a 49.50 conversion at H+60 s
 *   s2 (visitor v2): /home from a newsletter at H+120 s, nothing else (a bounce)
 *   s3 (visitor v1): /pricing direct at H+200 s (a bounce)
 *   another tenant: one page view of /secret
 */
describe('GraphQL over the rollups', () => {
  const writer = testClickHouse();
  let database: { name: string; drop: () => Promise<void> };
  let server: Server;
  let url: string;
  let stop: () => Promise<void>;
  const H = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const range = {
    start: new Date(H - 3_600_000).toISOString(),
    end: new Date(H + 3_600_000).toISOString(),
  };

  const row = (
    tenant: string,
    session: string,
    visitor: string,
    type: string,
    seconds: number,
    extra: Record<string, unknown> = {},
  ) => ({
    event_id: `${session}-${seconds}`,
    event_type: type,
    occurred_at: clickhouseTime(H + seconds * 1000),
    received_at: clickhouseTime(H + seconds * 1000),
    enriched_at: clickhouseTime(H + seconds * 1000),
    tenant_id: tenant,
    source: 'test',
    session_id: session,
    anonymous_id: visitor,
    device_type: 'desktop',
    browser: 'Chrome',
    os: 'Windows',
    ...extra,
  });

  beforeAll(async () => {
    database = await createTestDatabase(writer, 'qs');
    await migrate({ client: writer, database: database.name, logger });
    const page = (path: string, source: string, medium: string) => ({
      page_path: path,
      traffic_source: source,
      traffic_medium: medium,
    });
    await writer.insert({
      table: `${database.name}.web_events`,
      format: 'JSONEachRow',
      values: [
        row('acme', 's1', 'v1', 'page_view', 0, page('/home', 'google', 'organic')),
        row('acme', 's1', 'v1', 'page_view', 30, page('/pricing', '(internal)', '(none)')),
        row('acme', 's1', 'v1', 'conversion', 60, { value: 49.5, page_path: '/pricing' }),
        row('acme', 's2', 'v2', 'page_view', 120, page('/home', 'news', 'email')),
        row('acme', 's3', 'v1', 'page_view', 200, page('/pricing', '(direct)', '(none)')),
        row('other', 'o1', 'v9', 'page_view', 10, page('/secret', '(direct)', '(none)')),
      ],
    });
    const stack = testStack();
    const reader = createClient({
      url: stack.clickhouseUrl,
      username: stack.clickhouseReaderUser,
      password: stack.clickhouseReaderPassword,
    });
    const service = await buildQueryService({
      clickhouse: reader,
      database: database.name,
      authenticate: jwtAuthenticator({ secret: SECRET }),
      logger,
    });
    stop = async () => {
      await service.stop();
      await reader.close();
    };
    server = service.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await stop?.();
    await database?.drop();
    await writer.close();
  });

  interface GqlError {
    message: string;
    extensions: { code: string };
  }
  const gql = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    bearer?: string,
  ) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { data: T; errors?: [GqlError, ...GqlError[]] },
    };
  };

  interface Dashboard {
    bounceRate: number;
    conversionRate: number;
    timeSeries: unknown[];
  }
  const DASHBOARD = `query($r: TimeRange!) { dashboardStats(timeRange: $r, granularity: HOUR) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions conversionRate revenue
    timeSeries { timestamp pageViews uniqueVisitors sessions } } }`;

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

  it('reports ready while ClickHouse answers, and exposes operation latency', async () => {
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /query_graphql_operation_seconds_count\{operation="\(anonymous\)",outcome="ok"\} [1-9]/,
    );
  });
});
