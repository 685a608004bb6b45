import { trafficGrains, type Granularity, type TimeRange } from '../time-range.js';
import { BUCKET, ClickHouseReader } from './reader.js';
import { TABLES } from '@backbone/warehouse/tables';

/** Quality by model and language at three grains; a range reads the coarsest that fits. */
const QUALITY = {
  minute: TABLES.sttQuality1m,
  hour: TABLES.sttQuality1h,
  day: TABLES.sttQuality1d,
};
const QUALITY_COLUMNS = `model_id, language, segments, final_words, final_audio_ms, confidence,
  latency_ms, real_time_factor, errors, sessions_started`;

const num = (v: unknown) => Number(v ?? 0);
const maybe = (v: unknown) =>
  v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v);
const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** One session of stt_sessions, merged across the views that feed it. */
const SESSION_SELECT = (db: string) => `SELECT session_id AS id,
  toUnixTimestamp64Milli(minMerge(started_at)) AS began, toUnixTimestamp64Milli(maxMerge(ended_at)) AS ended,
  argMinMerge(model_id) AS model, argMinMerge(language) AS lang, max(diarization) AS diarized,
  max(duration_ms) AS duration, greatest(sum(final_words), sum(reported_words)) AS word_total,
  greatest(uniqMerge(speakers), max(reported_speakers)) AS speaker_total,
  sum(speaker_changes) AS changes, argMaxMerge(status) AS state, sum(errors) AS error_count,
  avgMerge(confidence) AS conf, avgMerge(latency_ms) AS latency, avgMerge(real_time_factor) AS rtf,
  sum(events) AS event_count
FROM ${db}.${TABLES.sttSessions}`;

function toSession(r: Record<string, unknown>) {
  return {
    id: String(r.id),
    startedAt: new Date(num(r.began)),
    endedAt: new Date(num(r.ended)),
    model: text(r.model) || null,
    language: text(r.lang) || null,
    diarization: num(r.diarized) === 1,
    durationMs: num(r.duration) || null,
    words: num(r.word_total),
    speakers: num(r.speaker_total),
    speakerChanges: num(r.changes),
    status: text(r.state) || 'unknown',
    errors: num(r.error_count),
    avgConfidence: maybe(r.conf),
    avgLatencyMs: maybe(r.latency),
    avgRealTimeFactor: maybe(r.rtf),
    events: num(r.event_count),
  };
}

export type SttSession = ReturnType<typeof toSession>;

/** Speech analytics from the STT rollups, bound parameters only. */
export class SpeechRepository extends ClickHouseReader {
  async quality(
    tenant: string,
    range: TimeRange,
    granularity: Granularity,
    filter: { model?: string | null; language?: string | null },
  ) {
    const rows = await this.rows(
      `SELECT toUnixTimestamp(${BUCKET[granularity]}) AS bucket, model_id AS model, language AS lang,
  sum(segments) AS segs, sum(final_words) AS words, sum(final_audio_ms) AS audio_ms,
  avgMerge(confidence) AS conf, quantilesMerge(0.5, 0.95, 0.99)(latency_ms) AS latency,
  quantilesMerge(0.5, 0.95, 0.99)(real_time_factor) AS rtf,
  sum(errors) AS errs, sum(sessions_started) AS started
FROM (${this.byGrain(QUALITY, QUALITY_COLUMNS, {
        where: `model_id != '' AND ({model:Nullable(String)} IS NULL OR model_id = {model:Nullable(String)})
    AND ({language:Nullable(String)} IS NULL OR language = {language:Nullable(String)})`,
      })})
GROUP BY bucket, model, lang ORDER BY bucket, model, lang`,
      {
        tenant,
        ...trafficGrains(range, granularity === 'HOUR' ? 'hour' : 'day'),
        model: filter.model ?? null,
        language: filter.language ?? null,
      },
    );
    return rows.map((r) => {
      const latency = (r.latency as number[] | undefined) ?? [];
      const rtf = (r.rtf as number[] | undefined) ?? [];
      const segments = num(r.segs);
      const started = num(r.started);
      return {
        timestamp: new Date(num(r.bucket) * 1000),
        model: text(r.model),
        language: text(r.lang),
        segments,
        finalWords: num(r.words),
        wordsPerMinute: num(r.audio_ms) ? num(r.words) / (num(r.audio_ms) / 60_000) : null,
        avgConfidence: segments ? maybe(r.conf) : null,
        latencyP50: segments ? maybe(latency[0]) : null,
        latencyP95: segments ? maybe(latency[1]) : null,
        latencyP99: segments ? maybe(latency[2]) : null,
        realTimeFactorP50: segments ? maybe(rtf[0]) : null,
        realTimeFactorP95: segments ? maybe(rtf[1]) : null,
        realTimeFactorP99: segments ? maybe(rtf[2]) : null,
        sessionsStarted: started,
        errors: num(r.errs),
        errorRate: started ? num(r.errs) / started : 0,
      };
    });
  }

  /** Sessions that started in the range, newest first, `first` at a time after the cursor. */
  async sessions(tenant: string, range: TimeRange, first: number, after?: string | null) {
    return this.sessionsPage(
      SESSION_SELECT(this.database),
      { tenant, range, first, after },
      toSession,
    );
  }

  async session(tenant: string, id: string): Promise<SttSession | null> {
    const rows = await this.rows(
      `${SESSION_SELECT(this.database)}
WHERE tenant_id = {tenant:String} AND session_id = {id:String}
GROUP BY session_id`,
      { tenant, id },
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  async speakers(tenant: string, sessionId: string) {
    const rows = await this.rows(
      `SELECT speaker_id AS speaker, sum(talk_ms) AS talk, sum(segments) AS segs, sum(words) AS word_count,
  sum(changes_to) AS changes
FROM ${this.t(TABLES.sttSpeakers)}
WHERE tenant_id = {tenant:String} AND session_id = {id:String}
GROUP BY speaker ORDER BY talk DESC, speaker`,
      { tenant, id: sessionId },
    );
    const total = rows.reduce((sum, r) => sum + num(r.talk), 0);
    return rows.map((r) => ({
      speakerId: text(r.speaker),
      talkMs: num(r.talk),
      talkShare: total ? num(r.talk) / total : 0,
      segments: num(r.segs),
      words: num(r.word_count),
      changesTo: num(r.changes),
    }));
  }

  /** Per model over a range: volume, quality and errors ("model performance"). */
  /** The languages spoken over the range, of one model when `model` is given, by sessions. */
  async languages(tenant: string, range: TimeRange, model: string | null = null) {
    const rows = await this.rows(
      `SELECT language AS lang, sum(sessions_started) AS started, sum(segments) AS segs
FROM (${this.byGrain(QUALITY, 'model_id, language, sessions_started, segments', {
        where: `model_id != '' AND ({model:Nullable(String)} IS NULL OR model_id = {model:Nullable(String)})`,
      })})
GROUP BY lang ORDER BY started DESC, segs DESC, lang`,
      { tenant, ...trafficGrains(range, 'day'), model },
    );
    return rows.map((r) => ({
      language: text(r.lang),
      sessionsStarted: num(r.started),
      segments: num(r.segs),
    }));
  }

  /** Every model's totals over the range, of one language when `language` is given. */
  async modelPerformance(tenant: string, range: TimeRange, language: string | null = null) {
    const rows = await this.rows(
      `SELECT model_id AS model, sum(sessions_started) AS started, sum(segments) AS segs,
  sum(final_words) AS words, avgMerge(confidence) AS conf,
  quantilesMerge(0.5, 0.95, 0.99)(latency_ms) AS latency,
  quantilesMerge(0.5, 0.95, 0.99)(real_time_factor) AS rtf, sum(errors) AS errs
FROM (${this.byGrain(QUALITY, QUALITY_COLUMNS, {
        where: `model_id != '' AND ({language:Nullable(String)} IS NULL OR language = {language:Nullable(String)})`,
      })})
GROUP BY model ORDER BY started DESC, model`,
      { tenant, ...trafficGrains(range, 'day'), language },
    );
    return rows.map((r) => {
      const latency = (r.latency as number[] | undefined) ?? [];
      const rtf = (r.rtf as number[] | undefined) ?? [];
      const segments = num(r.segs);
      return {
        model: text(r.model),
        sessionsStarted: num(r.started),
        segments,
        finalWords: num(r.words),
        avgConfidence: segments ? maybe(r.conf) : null,
        latencyP50: segments ? maybe(latency[0]) : null,
        latencyP95: segments ? maybe(latency[1]) : null,
        latencyP99: segments ? maybe(latency[2]) : null,
        realTimeFactorP50: segments ? maybe(rtf[0]) : null,
        errors: num(r.errs),
        errorRate: num(r.started) ? num(r.errs) / num(r.started) : 0,
      };
    });
  }

  /**
   * Right now: STT sessions still active (last event within 10 minutes), web events and STT
   * segments per minute and median segment latency over the last 5 minutes, and the share of
   * sessions that ended in the last hour that completed.
   */
  async realtime(tenant: string) {
    const [sessions] = await this.rows(
      `SELECT countIf(state = 'active' AND last >= now64(3) - toIntervalMinute(10)) AS active,
  countIf(state != 'active' AND last >= now64(3) - toIntervalHour(1)) AS ended,
  countIf(state = 'completed' AND last >= now64(3) - toIntervalHour(1)) AS completed
FROM (
  SELECT session_id, argMaxMerge(status) AS state, maxMerge(ended_at) AS last
  FROM ${this.t(TABLES.sttSessions)}
  WHERE tenant_id = {tenant:String} AND day >= today() - 1
  GROUP BY session_id)`,
      { tenant },
    );
    const [web] = await this.rows(
      `SELECT sum(events) AS n FROM ${this.t(TABLES.webTraffic1m)}
WHERE tenant_id = {tenant:String} AND minute >= toStartOfMinute(now() - toIntervalMinute(5))`,
      { tenant },
    );
    const [stt] = await this.rows(
      `SELECT sum(segments) AS n, quantilesMerge(0.5)(latency_ms)[1] AS p50
FROM ${this.t(TABLES.sttQuality1m)}
WHERE tenant_id = {tenant:String} AND minute >= toStartOfMinute(now() - toIntervalMinute(5))`,
      { tenant },
    );
    const ended = num(sessions?.ended);
    return {
      at: new Date(),
      activeSessions: num(sessions?.active),
      eventsPerMinute: (num(web?.n) + num(stt?.n)) / 5,
      latencyP50Ms: num(stt?.n) ? maybe(stt?.p50) : null,
      successRate: ended ? num(sessions?.completed) / ended : null,
    };
  }
}
