import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { DLQ_HEADERS } from '../src/dlq.js';
import { tokenize } from '../src/enrich/mask.js';
import { eventSet } from './event-set.js';
import { KEYS, pipelineFixture, type Pipeline } from './pipeline-fixture.js';
import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';

const DISTINCT = `uniqCombinedMerge(${DISTINCT_PRECISION})`;

/**
 * The known event set through the real stack: raw topics → enrich → events topics → sink →
 * ClickHouse raw tables → materialized views → rollups. Every number below is counted by
 * hand from event-set.ts.
 */
let p: Pipeline;
let set: ReturnType<typeof eventSet>;
let enrichMetrics: Awaited<ReturnType<Pipeline['startEnrich']>>['metrics'];
let dlq: Awaited<ReturnType<Pipeline['collect']>>;
const n = async (sql: string) => Number(Object.values((await p.rows(sql))[0] ?? {})[0]);

beforeAll(async () => {
  p = await pipelineFixture();
  set = eventSet();
  const [first, ...rest] = set.web;
  await p.produce('web', [first!]);
  // A poison record between good ones: it must not hold up the partition behind it.
  await p.produceBytes('web', set.sessions.s1, Buffer.from('{"not":"avro"}'));
  await p.produce('web', [...rest, set.bot, set.retry, set.otherTenant], {
    'x-request-id': 'req-pipeline',
  });
  await p.produce('stt.transcript', set.transcript);
  await p.produce('stt.speaker', set.speaker);
  await p.produce('stt.session', set.session);
  dlq = await p.collect('dlq', 'web');
  ({ metrics: enrichMetrics } = await p.startEnrich());
  await p.startSink();
  await waitFor(
    async () =>
      (await n(`SELECT count() FROM {db}.${TABLES.webEvents}`)) === 7 &&
      (await n(`SELECT count() FROM {db}.${TABLES.sttSessionEvents}`)) === 4 &&
      (await n(`SELECT count() FROM {db}.${TABLES.sttTranscriptEvents}`)) === 5 &&
      (await n(`SELECT count() FROM {db}.${TABLES.sttSpeakerEvents}`)) === 2,
    { timeoutMs: 45_000, intervalMs: 200, description: 'all events in the raw tables' },
  );
  await p.quiet();
});
afterAll(() => p?.close());

describe('pipeline: raw events to rollups', () => {
  it('writes each accepted event once, drops the bot and the client retry', async () => {
    expect(
      await p.rows(
        `SELECT tenant_id, count() AS n, uniqExact(event_id) AS ids FROM {db}.${TABLES.webEvents} GROUP BY tenant_id ORDER BY tenant_id`,
      ),
    ).toEqual([
      { tenant_id: 'acme', n: 6, ids: 6 },
      { tenant_id: 'other-tenant', n: 1, ids: 1 },
    ]);
    const metrics = await enrichMetrics.registry.getSingleMetricAsString(
      'backbone_worker_records_total',
    );
    expect(metrics).toMatch(/outcome="dropped:bot"} 1/);
    expect(metrics).toMatch(/outcome="dropped:duplicate"} 1/);
    expect(
      await enrichMetrics.registry.getSingleMetricAsString('backbone_enrich_dedup_hits_total'),
    ).toMatch(/stream="web"} 1/);
  });

  it('sends the poison record to the DLQ with the reason and where it came from', async () => {
    await waitFor(() => dlq.length === 1, { timeoutMs: 10_000, description: 'one dead letter' });
    const letter = dlq[0]!;
    expect(letter.value?.toString()).toBe('{"not":"avro"}');
    expect(letter.key?.toString()).toBe(set.sessions.s1);
    const header = (name: string) => letter.headers?.[name]?.toString();
    expect(header(DLQ_HEADERS.code)).toBe('undecodable');
    expect(header(DLQ_HEADERS.reason)).toMatch(/Confluent wire format/);
    expect(header(DLQ_HEADERS.topic)).toBe(p.topics('raw', 'web'));
    expect(Number(header(DLQ_HEADERS.partition))).toBeGreaterThanOrEqual(0);
    expect(header(DLQ_HEADERS.offset)).toMatch(/^\d+$/);
  });

  it('keeps request ids and enrichment, masks identifiers, drops transcript text', async () => {
    const [row] = await p.rows<Record<string, unknown>>(
      `SELECT * FROM {db}.${TABLES.webEvents} WHERE event_type = 'conversion'`,
    );
    expect(row).toMatchObject({
      device_type: 'desktop',
      browser: 'Chrome',
      os: 'Windows',
      country: 'GB',
      page_path: '/pricing',
      value: 49.5,
      context_user_agent: null,
    });
    for (const masked of ['context_ip', 'anonymous_id', 'order_id'])
      expect(row?.[masked]).toMatch(/^h_[0-9a-f]{32}$/);
    expect(
      await n(`SELECT countIf(text IS NOT NULL) FROM {db}.${TABLES.sttTranscriptEvents}`),
    ).toBe(0);
    expect(
      await n(
        `SELECT countIf(speaker_label LIKE 't\\_%') FROM {db}.${TABLES.sttTranscriptEvents} WHERE speaker_label IS NOT NULL`,
      ),
    ).toBe(3);
  });

  it('fills web traffic per minute, hour and day: page views, visitors, sessions, conversions, revenue', async () => {
    // Small sets are counted exactly by the distinct-count states.
    for (const table of [TABLES.webTraffic1m, TABLES.webTraffic1h, TABLES.webTraffic1d])
      expect(
        await p.rows(`SELECT sum(events) AS all_events, sum(page_views) AS views,
  ${DISTINCT}(visitors) AS people, ${DISTINCT}(sessions) AS visits,
  sum(conversions) AS orders, sum(revenue) AS money
FROM {db}.${table} WHERE tenant_id = 'acme'`),
      ).toEqual([{ all_events: 6, views: 4, people: 2, visits: 3, orders: 1, money: 49.5 }]);
  });

  it('fills sessions: duration, page views, bounce, entry and exit page, source', async () => {
    const rows = await p.rows<Record<string, unknown>>(`SELECT session_id,
  dateDiff('second', minMerge(started_at), maxMerge(ended_at)) AS duration_s,
  sum(page_views) AS views, toBool(sum(page_views) = 1) AS bounce,
  argMinMerge(entry_page) AS entry, argMaxMerge(exit_page) AS exit,
  argMinMerge(traffic_source) AS source, sum(revenue) AS money
FROM {db}.${TABLES.webSessions} WHERE tenant_id = 'acme' GROUP BY session_id`);
    const by = Object.fromEntries(rows.map((r) => [r.session_id as string, r]));
    // Session ids leave enrich as the tenant's tokens of them.
    const token = (id: string) => tokenize(id, KEYS, 'acme');
    expect(by[token(set.sessions.s1)]).toMatchObject({
      duration_s: 60,
      views: 2,
      bounce: false,
      entry: '/home',
      exit: '/pricing',
      source: 'google',
      money: 49.5,
    });
    expect(by[token(set.sessions.s2)]).toMatchObject({
      duration_s: 0,
      bounce: true,
      source: 'news',
    });
    expect(by[token(set.sessions.s3)]).toMatchObject({
      bounce: true,
      entry: '/pricing',
      source: '(direct)',
    });
    expect(rows).toHaveLength(3);
  });
});

describe('pipeline: raw events to rollups', () => {
  it('fills pages, sources, devices and countries per hour', async () => {
    const hour = `toDateTime(${Math.floor(set.base / 1000)}, 'UTC')`;
    expect(
      await p.rows(`SELECT page_path, sum(page_views) AS views, ${DISTINCT}(visitors) AS visitors
FROM {db}.${TABLES.webPages1h} WHERE tenant_id = 'acme' AND hour = ${hour} GROUP BY page_path ORDER BY page_path`),
    ).toEqual([
      { page_path: '/home', views: 2, visitors: 2 },
      { page_path: '/pricing', views: 2, visitors: 1 },
    ]);
    expect(
      await p.rows(`SELECT traffic_source, traffic_medium, utm_campaign, sum(page_views) AS landings
FROM {db}.${TABLES.webSources1h} WHERE tenant_id = 'acme' GROUP BY ALL ORDER BY traffic_source`),
    ).toEqual([
      { traffic_source: '(direct)', traffic_medium: '(none)', utm_campaign: '', landings: 1 },
      { traffic_source: 'google', traffic_medium: 'organic', utm_campaign: '', landings: 1 },
      { traffic_source: 'news', traffic_medium: 'email', utm_campaign: 'spring', landings: 1 },
    ]);
    expect(
      await p.rows(`SELECT device_type, sum(events) AS events, ${DISTINCT}(sessions) AS sessions
FROM {db}.${TABLES.webDevices1h} WHERE tenant_id = 'acme' GROUP BY device_type ORDER BY device_type`),
    ).toEqual([
      { device_type: 'desktop', events: 5, sessions: 2 },
      { device_type: 'mobile', events: 1, sessions: 1 },
    ]);
    expect(
      await p.rows(`SELECT country, sum(events) AS events, ${DISTINCT}(visitors) AS visitors
FROM {db}.${TABLES.webGeo1h} WHERE tenant_id = 'acme' GROUP BY country ORDER BY country`),
    ).toEqual([
      { country: 'GB', events: 5, visitors: 1 },
      { country: 'US', events: 1, visitors: 1 },
    ]);
  });

  it('fills STT quality per minute, hour and day by model and language', async () => {
    const quality = (table: string) =>
      p.rows<Record<string, unknown>>(`SELECT sum(segments) AS segments,
  sum(final_segments) AS finals, sum(final_words) AS words, round(avgMerge(confidence), 3) AS confidence,
  quantilesMerge(0.5, 0.95, 0.99)(latency_ms)[1] AS latency_p50,
  round(quantilesMerge(0.5, 0.95, 0.99)(real_time_factor)[1], 3) AS rtf_p50,
  sum(sessions_started) AS started, sum(errors) AS errs
FROM {db}.${table} WHERE tenant_id = 'acme' AND model_id = 'whisper-large' AND language = 'en'`);
    const [q] = await quality(TABLES.sttQuality1m);
    // The coarser grains hold the same figures (their states merge the same values).
    expect(await quality(TABLES.sttQuality1h)).toEqual([q]);
    expect(await quality(TABLES.sttQuality1d)).toEqual([q]);
    expect(q).toEqual({
      segments: 3,
      finals: 2,
      words: 12,
      confidence: 0.85,
      latency_p50: 200,
      rtf_p50: 0.05,
      started: 1,
      errs: 1,
    });
    expect(
      await n(
        `SELECT sum(language_detections) FROM {db}.${TABLES.sttQuality1m} WHERE tenant_id = 'acme' AND language = 'en'`,
      ),
    ).toBe(1);
    expect(
      await p.rows(`SELECT model_id, code, sum(errors) AS errors, sum(retriable) AS retriable
FROM {db}.${TABLES.sttErrors1m} WHERE tenant_id = 'acme' GROUP BY model_id, code`),
    ).toEqual([{ model_id: 'whisper-large', code: 'AUDIO_DROPOUT', errors: 1, retriable: 1 }]);
  });

  it('fills STT sessions and speakers per session', async () => {
    const speaker = (id: string) => tokenize(id, KEYS, 'acme');
    expect(
      await p.rows(
        `SELECT argMaxMerge(status) AS status, argMinMerge(model_id) AS model,
  max(duration_ms) AS duration_ms, sum(reported_words) AS reported_words, sum(final_words) AS words,
  sum(segments) AS segments, uniqMerge(speakers) AS speakers, sum(speaker_changes) AS changes,
  sum(errors) AS errors, round(avgMerge(confidence), 2) AS confidence
FROM {db}.${TABLES.sttSessions} WHERE tenant_id = 'acme' AND session_id = {id:String}`.replace(
          '{id:String}',
          `'${tokenize(set.sessions.t1, KEYS, 'acme')}'`,
        ),
      ),
    ).toEqual([
      {
        status: 'completed',
        model: 'whisper-large',
        duration_ms: 60000,
        reported_words: 12,
        words: 12,
        segments: 3,
        speakers: 2,
        changes: 1,
        errors: 1,
        confidence: 0.85,
      },
    ]);
    expect(
      await p.rows(`SELECT speaker_id, sum(talk_ms) AS talk_ms, sum(words) AS words,
  sum(segments) AS segments, sum(changes_to) AS changes_to
FROM {db}.${TABLES.sttSpeakers} WHERE tenant_id = 'acme' GROUP BY speaker_id`),
    ).toEqual(
      expect.arrayContaining([
        { speaker_id: speaker('spk-a'), talk_ms: 4000, words: 5, segments: 1, changes_to: 0 },
        { speaker_id: speaker('spk-b'), talk_ms: 6000, words: 7, segments: 1, changes_to: 1 },
      ]),
    );
  });
});
