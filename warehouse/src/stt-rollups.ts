import type { StreamName } from '@backbone/schemas';
import { BUCKETS, rollupDdl, type Grain } from './web-rollups.js';
import type { TableNames } from './raw-tables.js';
import { TABLES, viewOf } from './tables.js';

/**
 * Speech rollups, fed by views on the three STT raw tables. Several views write into one
 * table (a session's numbers come from session, transcript and speaker events); columns a view
 * does not set get the empty aggregate state, so every measure is an aggregate state or a sum.
 * Grain and questions per table: warehouse/README.md.
 */
const TIME = "DateTime64(3, 'UTC')";
const LC = 'LowCardinality(String)';
const Q = 'quantiles(0.5, 0.95, 0.99)';
const SEGMENT = "event_type IN ('stt_partial_transcript', 'stt_transcription_completed')";

const QUALITY_COLUMNS = [
  `tenant_id ${LC}`,
  "minute DateTime('UTC')",
  `model_id ${LC}`,
  `language ${LC}`,
  'segments SimpleAggregateFunction(sum, UInt64)',
  'final_segments SimpleAggregateFunction(sum, UInt64)',
  'final_words SimpleAggregateFunction(sum, UInt64)',
  'final_audio_ms SimpleAggregateFunction(sum, UInt64)',
  'confidence AggregateFunction(avg, Float64)',
  `latency_ms AggregateFunction(${Q}, Float64)`,
  `real_time_factor AggregateFunction(${Q}, Float64)`,
  'language_detections SimpleAggregateFunction(sum, UInt64)',
  'language_confidence AggregateFunction(avg, Float64)',
  'sessions_started SimpleAggregateFunction(sum, UInt64)',
  'errors SimpleAggregateFunction(sum, UInt64)',
];

const SESSION_COLUMNS = [
  `tenant_id ${LC}`,
  'day Date',
  'session_id String',
  `started_at AggregateFunction(min, ${TIME})`,
  `ended_at AggregateFunction(max, ${TIME})`,
  'events SimpleAggregateFunction(sum, UInt64)',
  `model_id AggregateFunction(argMin, String, ${TIME})`,
  `language AggregateFunction(argMin, String, ${TIME})`,
  'diarization SimpleAggregateFunction(max, UInt8)',
  'duration_ms SimpleAggregateFunction(max, Int64)',
  'reported_words SimpleAggregateFunction(sum, UInt64)',
  'reported_speakers SimpleAggregateFunction(max, Int32)',
  `status AggregateFunction(argMax, String, ${TIME})`,
  'errors SimpleAggregateFunction(sum, UInt64)',
  'segments SimpleAggregateFunction(sum, UInt64)',
  'final_words SimpleAggregateFunction(sum, UInt64)',
  'confidence AggregateFunction(avg, Float64)',
  'latency_ms AggregateFunction(avg, Float64)',
  'real_time_factor AggregateFunction(avg, Float64)',
  'speakers AggregateFunction(uniq, String)',
  'speaker_changes SimpleAggregateFunction(sum, UInt64)',
];

const SPEAKER_COLUMNS = [
  `tenant_id ${LC}`,
  'day Date',
  'session_id String',
  'speaker_id String',
  'talk_ms SimpleAggregateFunction(sum, Int64)',
  'segments SimpleAggregateFunction(sum, UInt64)',
  'words SimpleAggregateFunction(sum, UInt64)',
  'changes_to SimpleAggregateFunction(sum, UInt64)',
  `first_seen AggregateFunction(min, ${TIME})`,
];

const minute = 'toStartOfMinute(occurred_at) AS minute';
const sessionDay = 'toDate(min(occurred_at)) AS day';
const rtf = 'if(audio_duration_ms > 0, toFloat64(processing_latency_ms) / audio_duration_ms, NULL)';

/**
 * A rollup table fed by several views: the first call creates table and view, later ones
 * only a view of their own name (`<table>_<name>_mv`) into the same table.
 */
function feeds(
  names: TableNames,
  table: string,
  columns: string[],
  time: 'minute' | 'hour' | 'day',
  keys: string,
  ttl?: string,
) {
  return (name: string, source: StreamName, select: string) =>
    rollupDdl(names, {
      table,
      source,
      columns,
      partitionBy: `toYYYYMM(${time})`,
      orderBy: `tenant_id, ${time}, ${keys}`,
      ...(ttl ? { ttl } : {}),
      select,
    })
      .slice(name === 'first' ? 0 : 1)
      .map((s) => s.replace(viewOf(table), viewOf(`${table}_${name}`)));
}

/**
 * Quality by model and language at one grain (segments, words, latency, errors): by the
 * minute for short ranges, by the hour and the day (migration 0010) for long ones.
 */
function qualityTable(names: TableNames, table: string, time: Grain) {
  const bucket = BUCKETS[time];
  const columns = QUALITY_COLUMNS.map((c) =>
    c === "minute DateTime('UTC')" ? `${time} ${time === 'day' ? 'Date' : "DateTime('UTC')"}` : c,
  );
  const quality = feeds(names, table, columns, time, 'model_id, language');
  return [
    ...quality(
      'first',
      'stt.transcript',
      `SELECT tenant_id, ${bucket} AS ${time}, coalesce(model_id, '') AS model_id, coalesce(language, '') AS language,
  countIf(${SEGMENT}) AS segments,
  countIf(${SEGMENT} AND coalesce(is_final, false)) AS final_segments,
  sumIf(assumeNotNull(word_count), ${SEGMENT} AND coalesce(is_final, false)) AS final_words,
  sumIf(assumeNotNull(audio_duration_ms), ${SEGMENT} AND coalesce(is_final, false)) AS final_audio_ms,
  avgIfState(toFloat64(assumeNotNull(confidence)), ${SEGMENT} AND coalesce(is_final, false)) AS confidence,
  ${Q.replace('quantiles', 'quantilesIfState')}(toFloat64(assumeNotNull(processing_latency_ms)), ${SEGMENT}) AS latency_ms,
  ${Q.replace('quantiles', 'quantilesIfState')}(assumeNotNull(${rtf}), ${SEGMENT} AND coalesce(audio_duration_ms, 0) > 0) AS real_time_factor,
  countIf(event_type = 'stt_language_detected') AS language_detections,
  avgIfState(toFloat64(assumeNotNull(confidence)), event_type = 'stt_language_detected') AS language_confidence
FROM {SOURCE}
GROUP BY tenant_id, ${time}, model_id, language`,
    ),
    ...quality(
      'sessions',
      'stt.session',
      `SELECT tenant_id, ${bucket} AS ${time}, coalesce(model_id, '') AS model_id, coalesce(language, '') AS language,
  countIf(event_type = 'stt_session_started') AS sessions_started,
  countIf(event_type = 'stt_error') AS errors
FROM {SOURCE}
WHERE event_type IN ('stt_session_started', 'stt_error')
GROUP BY tenant_id, ${time}, model_id, language`,
    ),
  ];
}

/** Migration 0010: quality by the hour and by the day. */
export function coarseQualityRollups(names: TableNames): string[] {
  return [
    ...qualityTable(names, TABLES.sttQuality1h, 'hour'),
    ...qualityTable(names, TABLES.sttQuality1d, 'day'),
  ];
}

/** Per-minute quality by model and language, and errors by code. */
function qualityRollups(names: TableNames): string[] {
  return [
    ...qualityTable(names, TABLES.sttQuality1m, 'minute'),
    ...rollupDdl(names, {
      table: TABLES.sttErrors1m,
      source: 'stt.session',
      columns: [
        `tenant_id ${LC}`,
        "minute DateTime('UTC')",
        `model_id ${LC}`,
        `language ${LC}`,
        `code ${LC}`,
        'errors SimpleAggregateFunction(sum, UInt64)',
        'retriable SimpleAggregateFunction(sum, UInt64)',
      ],
      partitionBy: 'toYYYYMM(minute)',
      orderBy: 'tenant_id, minute, model_id, language, code',
      select: `SELECT tenant_id, ${minute}, coalesce(model_id, '') AS model_id,
  coalesce(language, '') AS language, coalesce(code, '') AS code,
  count() AS errors, countIf(retriable) AS retriable
FROM {SOURCE}
WHERE event_type = 'stt_error'
GROUP BY tenant_id, minute, model_id, language, code`,
    }),
  ];
}

/** One row per STT session and day, merged from its lifecycle, transcripts and speakers. */
function sessionRollups(names: TableNames): string[] {
  const session = feeds(names, TABLES.sttSessions, SESSION_COLUMNS, 'day', 'session_id');
  return [
    ...session(
      'first',
      'stt.session',
      `SELECT tenant_id, ${sessionDay}, session_id,
  minState(occurred_at) AS started_at, maxState(occurred_at) AS ended_at, count() AS events,
  argMinIfState(coalesce(model_id, ''), occurred_at, event_type = 'stt_session_started') AS model_id,
  argMinIfState(coalesce(language, ''), occurred_at, event_type = 'stt_session_started') AS language,
  maxIf(toUInt8(coalesce(diarization, false)), event_type = 'stt_session_started') AS diarization,
  maxIf(assumeNotNull(duration_ms), event_type = 'stt_session_completed') AS duration_ms,
  sumIf(assumeNotNull(word_count), event_type = 'stt_session_completed') AS reported_words,
  maxIf(assumeNotNull(speaker_count), event_type = 'stt_session_completed') AS reported_speakers,
  argMaxIfState(multiIf(event_type = 'stt_session_started', 'active',
    event_type = 'stt_session_completed', coalesce(toString(status), 'completed'), 'error'),
    occurred_at, event_type IN ('stt_session_started', 'stt_session_completed')
      OR (event_type = 'stt_error' AND NOT coalesce(retriable, false))) AS status,
  countIf(event_type = 'stt_error') AS errors,
  avgIfState(toFloat64(assumeNotNull(avg_confidence)), event_type = 'stt_quality_assessment') AS confidence,
  avgIfState(toFloat64(assumeNotNull(processing_latency_ms)), event_type = 'stt_quality_assessment') AS latency_ms,
  avgIfState(toFloat64(assumeNotNull(real_time_factor)), event_type = 'stt_quality_assessment') AS real_time_factor
FROM {SOURCE}
GROUP BY tenant_id, session_id`,
    ),
    ...session(
      'transcript',
      'stt.transcript',
      `SELECT tenant_id, ${sessionDay}, session_id,
  minState(occurred_at) AS started_at, maxState(occurred_at) AS ended_at, count() AS events,
  countIf(${SEGMENT}) AS segments,
  sumIf(assumeNotNull(word_count), ${SEGMENT} AND coalesce(is_final, false)) AS final_words
FROM {SOURCE}
GROUP BY tenant_id, session_id`,
    ),
    ...session(
      'speaker',
      'stt.speaker',
      `SELECT tenant_id, ${sessionDay}, session_id,
  minState(occurred_at) AS started_at, maxState(occurred_at) AS ended_at, count() AS events,
  uniqState(assumeNotNull(coalesce(speaker_id, to_speaker_id))) AS speakers,
  countIf(event_type = 'stt_speaker_changed') AS speaker_changes
FROM {SOURCE}
GROUP BY tenant_id, session_id`,
    ),
  ];
}

/** Talk time, words and turns per speaker of a session. */
function speakerRollups(names: TableNames): string[] {
  const speakers = feeds(
    names,
    TABLES.sttSpeakers,
    SPEAKER_COLUMNS,
    'day',
    'session_id, speaker_id',
    'day + INTERVAL 730 DAY',
  );
  return [
    ...speakers(
      'first',
      'stt.transcript',
      `SELECT tenant_id, ${sessionDay}, session_id, assumeNotNull(speaker_id) AS speaker_id,
  sum(assumeNotNull(end_ms) - assumeNotNull(start_ms)) AS talk_ms, count() AS segments,
  sum(assumeNotNull(word_count)) AS words, minState(occurred_at) AS first_seen
FROM {SOURCE}
WHERE ${SEGMENT} AND is_final AND speaker_id IS NOT NULL
GROUP BY tenant_id, session_id, speaker_id`,
    ),
    ...speakers(
      'events',
      'stt.speaker',
      `SELECT tenant_id, ${sessionDay}, session_id,
  assumeNotNull(coalesce(speaker_id, to_speaker_id)) AS speaker_id,
  countIf(event_type = 'stt_speaker_changed') AS changes_to, minState(occurred_at) AS first_seen
FROM {SOURCE}
GROUP BY tenant_id, session_id, speaker_id`,
    ),
  ];
}

export function sttRollups(names: TableNames): string[] {
  return [...qualityRollups(names), ...sessionRollups(names), ...speakerRollups(names)];
}
