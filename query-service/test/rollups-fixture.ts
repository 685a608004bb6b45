import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { clickhouseTime, migrate } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import { createTestDatabase, testClickHouse, testStack } from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';

export const SECRET = 'test-secret-test-secret-test-secret-0123';
const logger = createLogger({ name: 'test', level: 'silent' });
export const token = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tester')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
export const acme = () => token({ tenant_id: 'acme', role: 'viewer' });

/** The start of the previous hour: every event of the data set is within an hour of it. */
export const H = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
export const range = {
  start: new Date(H - 3_600_000).toISOString(),
  end: new Date(H + 3_600_000).toISOString(),
};

/** A raw-table row of the data set, `seconds` after H. */
export const row = (
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

/**
 * A known data set written into the raw tables (so the materialized views fill the rollups):
 *   s1 (visitor v1): /home from Google at H, /pricing 30 s later, a 49.50 conversion at H+60 s
 *   s2 (visitor v2): /home from a newsletter at H+120 s, nothing else (a bounce)
 *   s3 (visitor v1): /pricing direct at H+200 s (a bounce)
 *   another tenant: one page view of /secret
 */
async function seedWeb(writer: ClickHouseClient, database: { name: string }) {
  const page = (path: string, source: string, medium: string) => ({
    page_path: path,
    traffic_source: source,
    traffic_medium: medium,
  });
  await writer.insert({
    table: `${database.name}.${TABLES.webEvents}`,
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
}

/** Two STT sessions: t1 (whisper-large, en, two speakers, one retriable error), t2 (started). */
async function seedStt(writer: ClickHouseClient, database: { name: string }) {
  const model = { model_id: 'whisper-large', language: 'en' };
  await writer.insert({
    table: `${database.name}.${TABLES.sttSessionEvents}`,
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
    const [start, end, words, confidence, latency] = o as [number, number, number, number, number];
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
    table: `${database.name}.${TABLES.sttTranscriptEvents}`,
    format: 'JSONEachRow',
    values: [
      segment(302, 'spk-a', false, [0, 1000, 2, 0.5, 100]),
      segment(305, 'spk-a', true, [0, 4000, 5, 0.9, 200]),
      segment(311, 'spk-b', true, [4000, 10000, 7, 0.8, 300]),
    ],
  });
  await writer.insert({
    table: `${database.name}.${TABLES.sttSpeakerEvents}`,
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
}

interface GqlError {
  message: string;
  extensions: { code: string };
}

type Seed = (writer: ClickHouseClient, database: { name: string }) => Promise<void>;
const seedAll: Seed = async (writer, database) => {
  await seedWeb(writer, database);
  await seedStt(writer, database);
};

/**
 * The query service over a fresh database holding a data set (by default the one above),
 * for one test file.
 */
export function useRollups(seed: Seed = seedAll) {
  const ctx = {
    writer: testClickHouse(),
    database: { name: '', drop: () => Promise.resolve() },
    url: '',
  };
  let server: Server | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const writer = ctx.writer;
    const database = (ctx.database = await createTestDatabase(writer, 'qs'));
    await migrate({ client: writer, database: database.name, logger });
    await seed(writer, database);
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
    const http = (server = createServer(service.app));
    service.attach(http);
    http.listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
    ctx.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server!.close(r));
    await stop?.();
    await ctx.database.drop();
    await ctx.writer.close();
  });
  const gql = async <T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    bearer?: string,
  ) => {
    const res = await fetch(`${ctx.url}/graphql`, {
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
  return { ctx, gql };
}

export interface Dashboard {
  bounceRate: number;
  conversionRate: number;
  timeSeries: unknown[];
}
export const DASHBOARD = `query($r: TimeRange!) { dashboardStats(timeRange: $r, granularity: HOUR) {
    pageViews uniqueVisitors sessions bounceRate avgSessionDuration conversions conversionRate revenue
    timeSeries { timestamp pageViews uniqueVisitors sessions } } }`;
