import { describe, expect, it } from 'vitest';
import { clickhouseTime } from '@backbone/warehouse';
import { acme, H, range, row, token, useRollups } from './rollups-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';

const { ctx, gql } = useRollups();

describe('GraphQL speech analytics', () => {
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
});

describe('GraphQL speech performance', () => {
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

  it('filters speech by model and language, and lists the languages as facets', async () => {
    const { body } = await gql<{
      german: { model: string }[];
      languages: unknown[];
      small: unknown[];
      none: unknown[];
    }>(
      `query($r: TimeRange!) {
        german: modelPerformance(timeRange: $r, language: "de") { model }
        languages: sttLanguages(timeRange: $r) { language sessionsStarted segments }
        small: sttLanguages(timeRange: $r, model: "whisper-small") { language sessionsStarted segments }
        none: sttQuality(timeRange: $r, model: "whisper-large", language: "de") { segments }
      }`,
      { r: range },
      await acme(),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.german.map((m) => m.model)).toEqual(['whisper-small']);
    expect(body.data.languages).toEqual([
      { language: 'en', sessionsStarted: 1, segments: 3 },
      { language: 'de', sessionsStarted: 1, segments: 0 },
    ]);
    expect(body.data.small).toEqual([{ language: 'de', sessionsStarted: 1, segments: 0 }]);
    expect(body.data.none).toEqual([]);
  });

  it('answers the realtime summary: a session started now is active', async () => {
    const now = clickhouseTime(Date.now());
    await ctx.writer.insert({
      table: `${ctx.database.name}.${TABLES.sttSessionEvents}`,
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
    await ctx.writer.insert({
      table: `${ctx.database.name}.${TABLES.webEvents}`,
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
