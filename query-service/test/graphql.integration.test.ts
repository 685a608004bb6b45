import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createClient } from '@clickhouse/client';
import { createClient as createWsClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { clickhouseTime, migrate } from '@backbone/warehouse';
import { createTestDatabase, testClickHouse, testStack, waitFor } from '@backbone/test';
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
    country: 'GB',
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
        row('acme', 's2', 'v2', 'page_view', 120, {
          ...page('/home', 'news', 'email'),
          device_type: 'mobile',
          browser: 'Mobile Safari',
          os: 'iOS',
          country: 'US',
        }),
        row('acme', 's3', 'v1', 'page_view', 200, page('/pricing', '(direct)', '(none)')),
        row('other', 'o1', 'v9', 'page_view', 10, page('/secret', '(direct)', '(none)')),
      ],
    });
    const model = { model_id: 'whisper-large', language: 'en' };
    await writer.insert({
      table: `${database.name}.stt_session_events`,
      format: 'JSONEachRow',
      values: [
        row('acme', 't1', '', 'stt_session_started', 300, { ...model, diarization: true }),
        row('acme', 't1', '', 'stt_error', 308, {
          ...model,
          code: 'AUDIO_DROPOUT',
          retriable: true,
        }),
        row('acme', 't1', '', 'stt_quality_assessment', 312, {
          avg_confidence: 0.85,
          processing_latency_ms: 250,
          real_time_factor: 0.05,
        }),
        row('acme', 't1', '', 'stt_session_completed', 315, {
          duration_ms: 60000,
          word_count: 12,
          speaker_count: 2,
          status: 'completed',
        }),
        row('acme', 't2', '', 'stt_session_started', 400, {
          model_id: 'whisper-small',
          language: 'de',
          diarization: false,
        }),
      ],
    });
    const segment = (at: number, speaker: string, final: boolean, o: number[]) => {
      const [start, end, words, confidence, latency] = o as [
        number,
        number,
        number,
        number,
        number,
      ];
      return row(
        'acme',
        't1',
        '',
        final ? 'stt_transcription_completed' : 'stt_partial_transcript',
        at,
        {
          ...model,
          speaker_id: speaker,
          is_final: final,
          start_ms: start,
          end_ms: end,
          word_count: words,
          confidence,
          processing_latency_ms: latency,
          audio_duration_ms: end - start,
        },
      );
    };
    await writer.insert({
      table: `${database.name}.stt_transcript_events`,
      format: 'JSONEachRow',
      values: [
        segment(302, 'spk-a', false, [0, 1000, 2, 0.5, 100]),
        segment(305, 'spk-a', true, [0, 4000, 5, 0.9, 200]),
        segment(311, 'spk-b', true, [4000, 10000, 7, 0.8, 300]),
      ],
    });
    await writer.insert({
      table: `${database.name}.stt_speaker_events`,
      format: 'JSONEachRow',
      values: [
        row('acme', 't1', '', 'stt_speaker_detected', 302, { speaker_id: 'spk-a', offset_ms: 0 }),
        row('acme', 't1', '', 'stt_speaker_changed', 306, {
          from_speaker_id: 'spk-a',
          to_speaker_id: 'spk-b',
          offset_ms: 4000,
        }),
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
    server = createServer(service.app);
    service.attach(server);
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
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

  const acme = () => token({ tenant_id: 'acme', role: 'viewer' });

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

  it('answers sttQuality per model and language, filtered when asked', async () => {
    const query = `query($r: TimeRange!, $m: String) { sttQuality(timeRange: $r, granularity: HOUR, model: $m) {
      timestamp model language segments finalWords wordsPerMinute avgConfidence latencyP50 latencyP95
      realTimeFactorP50 sessionsStarted errors errorRate } }`;
    const { body } = await gql<{ sttQuality: Record<string, unknown>[] }>(
      query,
      { r: range },
      await acme(),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.sttQuality.map((q) => `${String(q.model)}/${String(q.language)}`)).toEqual([
      'whisper-large/en',
      'whisper-small/de',
    ]);
    const [large, small] = body.data.sttQuality as [
      Record<string, number>,
      Record<string, unknown>,
    ];
    expect(large).toMatchObject({
      timestamp: new Date(H).toISOString(),
      segments: 3,
      finalWords: 12,
      wordsPerMinute: 72,
      latencyP50: 200,
      sessionsStarted: 1,
      errors: 1,
      errorRate: 1,
    });
    expect(large.avgConfidence).toBeCloseTo(0.85, 5);
    expect(large.realTimeFactorP50).toBeCloseTo(0.05, 5);
    expect(small).toMatchObject({
      segments: 0,
      sessionsStarted: 1,
      errors: 0,
      avgConfidence: null,
    });
    const filtered = await gql<{ sttQuality: unknown[] }>(
      query,
      { r: range, m: 'whisper-small' },
      await acme(),
    );
    expect(filtered.body.data.sttQuality).toHaveLength(1);
  });

  it('pages through sttSessions newest first with an opaque cursor', async () => {
    const query = `query($r: TimeRange!, $after: String) { sttSessions(timeRange: $r, first: 1, after: $after) {
      nodes { id model status } pageInfo { endCursor hasNextPage } } }`;
    type Page = {
      sttSessions: {
        nodes: { id: string }[];
        pageInfo: { endCursor: string; hasNextPage: boolean };
      };
    };
    const first = await gql<Page>(query, { r: range }, await acme());
    expect(first.body.data.sttSessions.nodes).toEqual([
      { id: 't2', model: 'whisper-small', status: 'active' },
    ]);
    expect(first.body.data.sttSessions.pageInfo.hasNextPage).toBe(true);
    const second = await gql<Page>(
      query,
      { r: range, after: first.body.data.sttSessions.pageInfo.endCursor },
      await acme(),
    );
    expect(second.body.data.sttSessions.nodes).toEqual([
      { id: 't1', model: 'whisper-large', status: 'completed' },
    ]);
    expect(second.body.data.sttSessions.pageInfo.hasNextPage).toBe(false);
    const bad = await gql(query, { r: range, after: 'garbage' }, await acme());
    expect(bad.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('answers one STT session and its speakers, and nothing to another tenant', async () => {
    const query = `query($id: ID!) {
      sttSession(id: $id) { id model language diarization durationMs words speakers speakerChanges status errors avgConfidence avgLatencyMs avgRealTimeFactor }
      speakerMetrics(sessionId: $id) { speakerId talkMs talkShare segments words changesTo } }`;
    const { body } = await gql<{ sttSession: Record<string, unknown>; speakerMetrics: unknown[] }>(
      query,
      { id: 't1' },
      await acme(),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.sttSession).toMatchObject({
      id: 't1',
      model: 'whisper-large',
      language: 'en',
      diarization: true,
      durationMs: 60000,
      words: 12,
      speakers: 2,
      speakerChanges: 1,
      status: 'completed',
      errors: 1,
      avgLatencyMs: 250,
    });
    expect(body.data.speakerMetrics).toEqual([
      { speakerId: 'spk-b', talkMs: 6000, talkShare: 0.6, segments: 1, words: 7, changesTo: 1 },
      { speakerId: 'spk-a', talkMs: 4000, talkShare: 0.4, segments: 1, words: 5, changesTo: 0 },
    ]);
    const other = await gql<{ sttSession: unknown; speakerMetrics: unknown[] }>(
      query,
      { id: 't1' },
      await token({ tenant_id: 'other', role: 'admin' }),
    );
    expect(other.body.data).toEqual({ sttSession: null, speakerMetrics: [] });
  });

  describe('REST mirror', () => {
    const get = async (path: string, bearer?: string) => {
      const res = await fetch(`${url}${path}`, {
        headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
      });
      return {
        status: res.status,
        body: (await res.json()) as { data?: unknown; code?: string; message?: string },
      };
    };
    const q = `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;

    it('answers the same numbers as GraphQL', async () => {
      const overview = await get(`/api/v1/stats/overview?${q}`, await acme());
      expect(overview.status).toBe(200);
      expect(overview.body.data).toMatchObject({
        pageViews: 4,
        uniqueVisitors: 2,
        sessions: 3,
        revenue: 49.5,
      });
      const pages = await get(`/api/v1/stats/pages?${q}&limit=1`, await acme());
      expect(pages.body.data).toEqual([
        { url: '/home', pageViews: 2, uniqueVisitors: 2, avgTimeOnPage: 30, bounceRate: 0.5 },
      ]);
      const series = await get(`/api/v1/stats/timeseries?${q}&granularity=day`, await acme());
      expect(series.body.data).toEqual([
        {
          timestamp: new Date(Math.floor(H / 86_400_000) * 86_400_000).toISOString(),
          pageViews: 4,
          uniqueVisitors: 2,
          sessions: 3,
        },
      ]);
      for (const path of ['sources', 'devices', 'geo']) {
        const r = await get(`/api/v1/stats/${path}?${q}`, await acme());
        expect(r.status, path).toBe(200);
        expect((r.body.data as unknown[]).length, path).toBeGreaterThan(0);
      }
    });

    it.each([
      ['no token', `/api/v1/stats/overview?${q}`, false, 401, 'UNAUTHENTICATED'],
      [
        'no start',
        `/api/v1/stats/overview?end=${encodeURIComponent(range.end)}`,
        true,
        400,
        'BAD_USER_INPUT',
      ],
      [
        'a bad granularity',
        `/api/v1/stats/timeseries?${q}&granularity=minute`,
        true,
        400,
        'BAD_USER_INPUT',
      ],
      ['a huge page', `/api/v1/stats/pages?${q}&limit=5000`, true, 400, 'BAD_USER_INPUT'],
    ])('answers %s with a clear error', async (_what, path, authed, status, code) => {
      const r = await get(path, authed ? await acme() : undefined);
      expect(r.status).toBe(status);
      expect(r.body).toMatchObject({ code });
      expect(r.body.message).toBeTruthy();
    });
  });

  it('answers a repeated query from the cache, and never across tenants', async () => {
    const hits = async () =>
      Number(
        /query_cache_requests_total\{result="hit"\} (\d+)/.exec(
          await (await fetch(`${url}/metrics`)).text(),
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

  describe('liveStats subscription (graphql-ws)', () => {
    const LIVE =
      'subscription { liveStats(windowMinutes: 180) { events pageViews windowMinutes } }';
    const connect = (authorization?: string) =>
      createWsClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        ...(authorization ? { connectionParams: { authorization } } : {}),
      });

    it('pushes every second, per tenant, and rises when new events land', async () => {
      const acmeClient = connect(`Bearer ${await acme()}`);
      const otherClient = connect(`Bearer ${await token({ tenant_id: 'other', role: 'viewer' })}`);
      const acmeSeen: number[] = [];
      const otherSeen: number[] = [];
      const errors: unknown[] = [];
      const sink = (seen: number[]) => ({
        next: (r: { data?: { liveStats?: { events: number } } | null }) => {
          if (r.data?.liveStats) seen.push(r.data.liveStats.events);
        },
        error: (e: unknown) => errors.push(e),
        complete: () => undefined,
      });
      const stopAcme = acmeClient.subscribe({ query: LIVE }, sink(acmeSeen));
      const stopOther = otherClient.subscribe({ query: LIVE }, sink(otherSeen));
      try {
        await waitFor(() => acmeSeen.length >= 2 && otherSeen.length >= 1, {
          timeoutMs: 10_000,
          description: 'two ticks',
        });
        expect(errors).toEqual([]);
        expect(acmeSeen[0]).toBe(5);
        expect(otherSeen[0]).toBe(1);
        await writer.insert({
          table: `${database.name}.web_events`,
          format: 'JSONEachRow',
          values: [
            {
              ...row('acme', 's-live', 'v-live', 'page_view', 0),
              occurred_at: clickhouseTime(Date.now()),
            },
          ],
        });
        await waitFor(() => acmeSeen.at(-1) === 6, {
          timeoutMs: 10_000,
          description: 'the new event',
        });
        expect(otherSeen.at(-1)).toBe(1);
      } finally {
        stopAcme();
        stopOther();
        await acmeClient.dispose();
        await otherClient.dispose();
      }
    });

    it('refuses the connection without a valid token', async () => {
      const client = connect('Bearer not-a-token');
      const closed = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: LIVE },
          { next: () => undefined, error: resolve, complete: () => resolve('completed') },
        );
      });
      expect((closed as { code?: number }).code).toBe(4403);
      await client.dispose();
    });
  });

  describe('events and sessions', () => {
    type Conn<T> = { nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
    const EVENTS = `query($f: EventFilter!, $p: PaginationInput) { events(filter: $f, pagination: $p) {
      nodes { id eventType sessionId properties url deviceType country } pageInfo { endCursor hasNextPage } } }`;

    it('pages through events newest first, filtered by type', async () => {
      const page = async (after?: string | null) =>
        (
          await gql<{ events: Conn<{ id: string }> }>(
            EVENTS,
            { f: { timeRange: range }, p: { first: 2, ...(after ? { after } : {}) } },
            await acme(),
          )
        ).body.data.events;
      const ids: string[] = [];
      let p = await page();
      ids.push(...p.nodes.map((n) => n.id));
      while (p.pageInfo.hasNextPage) {
        p = await page(p.pageInfo.endCursor);
        ids.push(...p.nodes.map((n) => n.id));
      }
      expect(ids).toEqual(['s3-200', 's2-120', 's1-60', 's1-30', 's1-0']);
      const conversions = await gql<{ events: Conn<unknown> }>(
        EVENTS,
        { f: { timeRange: range, eventType: 'conversion' } },
        await acme(),
      );
      expect(conversions.body.data.events.nodes).toEqual([
        {
          id: 's1-60',
          eventType: 'conversion',
          sessionId: 's1',
          properties: { value: 49.5 },
          url: '/pricing',
          deviceType: 'desktop',
          country: 'GB',
        },
      ]);
    });

    it('lists sessions with their events in order, and one session by id', async () => {
      const { body } = await gql<{ sessions: Conn<Record<string, unknown>> }>(
        `query($f: SessionFilter!) { sessions(filter: $f, pagination: { first: 10 }) {
          nodes { id durationSeconds pageViews isBounce entryPage exitPage source events { id } }
          pageInfo { hasNextPage } } }`,
        { f: { timeRange: range } },
        await acme(),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.sessions.nodes.map((n) => n.id)).toEqual(['s3', 's2', 's1']);
      expect(body.data.sessions.nodes[2]).toEqual({
        id: 's1',
        durationSeconds: 60,
        pageViews: 2,
        isBounce: false,
        entryPage: '/home',
        exitPage: '/pricing',
        source: 'google',
        events: [{ id: 's1-0' }, { id: 's1-30' }, { id: 's1-60' }],
      });
      const other = await gql<{ session: unknown }>(
        `query { session(id: "s1") { id } }`,
        {},
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      expect(other.body.data.session).toBeNull();
    });

    it('serves the same over REST, with 404 for what the tenant does not have', async () => {
      const get = async (path: string, bearer: string) => {
        const res = await fetch(`${url}${path}`, {
          headers: { authorization: `Bearer ${bearer}` },
        });
        return {
          status: res.status,
          body: (await res.json()) as { data?: Record<string, unknown>; code?: string },
        };
      };
      const session = await get('/api/v1/sessions/s1', await acme());
      expect(session.status).toBe(200);
      expect((session.body.data?.events as unknown[]).length).toBe(3);
      const event = await get('/api/v1/events/s1-60', await acme());
      expect(event.body.data).toMatchObject({ eventType: 'conversion', sessionId: 's1' });
      const hidden = await get(
        '/api/v1/sessions/s1',
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      expect(hidden).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
      const q = `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;
      const list = await get(`/api/v1/events?${q}&limit=2&event_type=page_view`, await acme());
      expect((list.body.data?.nodes as { id: string }[]).map((n) => n.id)).toEqual([
        's3-200',
        's2-120',
      ]);
      expect(list.body.data?.pageInfo).toMatchObject({ hasNextPage: true });
    });
  });

  describe('export', () => {
    const q = () => `start=${encodeURIComponent(range.start)}&end=${encodeURIComponent(range.end)}`;
    const get = async (path: string, bearer?: string) =>
      fetch(`${url}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

    it("streams the tenant's events of a range as CSV or NDJSON", async () => {
      const csv = await get(`/api/v1/export?${q()}&format=csv`, await acme());
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
      const lines = (await csv.text()).trim().split('\n');
      expect(lines[0]).toMatch(/^"event_id","event_type","occurred_at","session_id"/);
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([
        '"s1-0"',
        '"s1-30"',
        '"s1-60"',
        '"s2-120"',
        '"s3-200"',
      ]);
      const ndjson = await get(
        `/api/v1/export?${q()}&format=json`,
        await token({ tenant_id: 'other', role: 'viewer' }),
      );
      const rows = (await ndjson.text())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event_id: string; page_path: string });
      expect(rows).toEqual([expect.objectContaining({ event_id: 'o1-10', page_path: '/secret' })]);
    });

    it.each([
      ['no token', false, '&format=csv', 401],
      ['an unknown format', true, '&format=xml', 400],
    ])('refuses %s', async (_what, authed, extra, status) => {
      const res = await get(`/api/v1/export?${q()}${extra}`, authed ? await acme() : undefined);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { status: string }).status).toBe('error');
    });
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

  it('answers model performance over a range', async () => {
    const { body } = await gql<{ modelPerformance: Record<string, unknown>[] }>(
      `query($r: TimeRange!) { modelPerformance(timeRange: $r) {
        model sessionsStarted segments finalWords latencyP50 errors errorRate avgConfidence } }`,
      { r: range },
      await acme(),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.modelPerformance).toEqual([
      expect.objectContaining({
        model: 'whisper-large',
        sessionsStarted: 1,
        segments: 3,
        finalWords: 12,
        latencyP50: 200,
        errors: 1,
        errorRate: 1,
      }),
      {
        model: 'whisper-small',
        sessionsStarted: 1,
        segments: 0,
        finalWords: 0,
        latencyP50: null,
        errors: 0,
        errorRate: 0,
        avgConfidence: null,
      },
    ]);
  });

  it('answers the realtime summary: a session started now is active', async () => {
    const now = clickhouseTime(Date.now());
    await writer.insert({
      table: `${database.name}.stt_session_events`,
      format: 'JSONEachRow',
      values: [
        {
          ...row('acme', 't-now', '', 'stt_session_started', 0, {
            model_id: 'whisper-large',
            language: 'en',
          }),
          occurred_at: now,
        },
      ],
    });
    await writer.insert({
      table: `${database.name}.web_events`,
      format: 'JSONEachRow',
      values: [{ ...row('acme', 's-now', 'v-now', 'page_view', 0), occurred_at: now }],
    });
    const { body } = await gql<{
      realtimeSummary: {
        activeSessions: number;
        eventsPerMinute: number;
        successRate: number | null;
      };
    }>('{ realtimeSummary { activeSessions eventsPerMinute successRate } }', {}, await acme());
    expect(body.errors).toBeUndefined();
    expect(body.data.realtimeSummary.activeSessions).toBe(1);
    expect(body.data.realtimeSummary.eventsPerMinute).toBeGreaterThanOrEqual(0.2);
    // Only t1 (completed) can have ended within the hour, depending on the clock.
    expect([null, 1]).toContain(body.data.realtimeSummary.successRate);
  });
});
