import { DEDUP_WINDOW, qualified, type TableNames } from './raw-tables.js';
import { DISTINCT_PRECISION, SESSION_SUMMARY_TABLES, TABLES } from './tables.js';

/**
 * Sessions that have ended, summed by when they started. A session's bounce and duration are
 * only known once it is over, so no view on web_events can roll them up; the session
 * finalizer (src/sessions) writes these once a session has been idle for 30 minutes, an hour
 * of session ends at a time (`end_hour`), and marks the hour in `web_sessions_finalized`.
 * Readers sum these for hours that are marked and merge web_sessions only for the rest.
 */
const SUMS = [
  'sessions SimpleAggregateFunction(sum, UInt64)',
  'bounces SimpleAggregateFunction(sum, UInt64)',
];
const SETTINGS = `SETTINGS non_replicated_deduplication_window = ${DEDUP_WINDOW}`;
const LC = 'LowCardinality(String)';

export function sessionSummaries(names: TableNames): string[] {
  const t = (name: string) => qualified(names, name);
  return [
    `CREATE TABLE IF NOT EXISTS ${t(SESSION_SUMMARY_TABLES.starts)} (
  tenant_id ${LC},
  minute DateTime('UTC'),
  end_hour DateTime('UTC'),
  ${SUMS.join(',\n  ')},
  duration_ms SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute, end_hour)
TTL minute + INTERVAL 730 DAY
${SETTINGS}`,
    `CREATE TABLE IF NOT EXISTS ${t(SESSION_SUMMARY_TABLES.entries)} (
  tenant_id ${LC},
  hour DateTime('UTC'),
  end_hour DateTime('UTC'),
  entry_page ${LC},
  traffic_source ${LC},
  traffic_medium ${LC},
  ${SUMS.join(',\n  ')}
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, end_hour, entry_page, traffic_source, traffic_medium)
TTL hour + INTERVAL 730 DAY
${SETTINGS}`,
    `CREATE TABLE IF NOT EXISTS ${t(SESSION_SUMMARY_TABLES.finalized)} (
  end_hour DateTime('UTC'),
  finalized_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(finalized_at)
ORDER BY end_hour`,
  ];
}

/**
 * The dimensions of a session segment: summary column, and the column of mergedSessions
 * (and of the query service's live sessions) that fills it.
 */
export const SEGMENT_DIMENSIONS = [
  ['traffic_source', 'source'],
  ['traffic_medium', 'medium'],
  ['device_type', 'device'],
  ['country', 'nation'],
] as const;
/** The landing page's summary column and merged-sessions column. */
export const LANDING_DIMENSION = ['entry_page', 'entry'] as const;
const LANDING: readonly (readonly [string, string])[] = [LANDING_DIMENSION, ...SEGMENT_DIMENSIONS];

/** The figures of a segment row, in table order, and the aggregates of sessions that fill them. */
export const SEGMENT_FIGURES = [
  ['sessions', 'count()'],
  ['bounces', 'countIf(views = 1)'],
  ['duration_ms', "toUInt64(sum(dateDiff('millisecond', began, ended)))"],
  ['events', 'sum(actions)'],
  ['page_views', 'sum(views)'],
  ['conversions', 'sum(orders)'],
  ['revenue', 'sum(money)'],
  ['visitors', `uniqCombinedState(${DISTINCT_PRECISION})(who)`],
] as const;

/** A segment table's dimensions: by segment, or by landing page and segment. */
export const segmentDimensions = (table: string) =>
  table === SESSION_SUMMARY_TABLES.landings ? LANDING : SEGMENT_DIMENSIONS;

/**
 * Migration 0011: ended sessions by the hour they started in and their segment, so that an
 * overview filtered by source, device type, country or landing page (in any combination) is
 * a sum over a few rows an hour. Every figure is the session's: a filter on mobile counts the
 * page views, conversions and revenue of sessions on mobile. Written by the session finalizer
 * with the other summaries, an hour of session ends at a time (`end_hour`).
 */
export function sessionSegments(names: TableNames): string[] {
  return [SESSION_SUMMARY_TABLES.segments, SESSION_SUMMARY_TABLES.landings].map(
    (table) => `CREATE TABLE IF NOT EXISTS ${qualified(names, table)} (
  tenant_id ${LC},
  hour DateTime('UTC'),
  end_hour DateTime('UTC'),
  ${segmentDimensions(table)
    .map(([d]) => `${d} ${LC}`)
    .join(',\n  ')},
  ${SUMS.join(',\n  ')},
  duration_ms SimpleAggregateFunction(sum, UInt64),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64),
  visitors AggregateFunction(uniqCombined(${DISTINCT_PRECISION}), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, end_hour, ${segmentDimensions(table)
      .map(([d]) => d)
      .join(', ')})
TTL hour + INTERVAL 730 DAY
${SETTINGS}`,
  );
}

/**
 * Migration 0009: the distinct visitors and sessions of each closed hour as plain numbers,
 * with the hour's event count they were computed at. An hourly series over a month reads
 * 720 numbers here instead of finalizing 720 pairs of states; the session finalizer writes
 * them and writes an hour again when its events changed (a late event).
 */
export function hourCounts(names: TableNames): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.webHourCounts)} (
  tenant_id ${LC},
  hour DateTime('UTC'),
  events UInt64,
  visitors UInt64,
  sessions UInt64,
  counted_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(counted_at)
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour)
TTL hour + INTERVAL 730 DAY`,
  ];
}

/**
 * The sessions of web_sessions merged by session_id (a session has a row per day it was
 * active on), with the fixed parameters `{from_day:Date}` and `{to_day:Date}`. Sessions
 * longer than a day before `from_day` are read only in part: the same bound every reader has.
 * The segment of a session (`source`, `medium`, `device`, `nation`, `entry`) is what its
 * first event (page view, for source and entry) carried; `who` is its visitor.
 */
export function mergedSessions(names: TableNames, tenantFilter = ''): string {
  return `SELECT tenant_id, session_id, minMerge(started_at) AS began, maxMerge(ended_at) AS ended,
    sum(events) AS actions, sum(page_views) AS views, sum(conversions) AS orders,
    sum(revenue) AS money, argMinMerge(entry_page) AS entry,
    argMinMerge(traffic_source) AS source, argMinMerge(traffic_medium) AS medium,
    argMinMerge(device_type) AS device, argMinMerge(country) AS nation, argMinMerge(visitor) AS who
  FROM ${qualified(names, 'web_sessions')}
  WHERE ${tenantFilter}day >= {from_day:Date} AND day <= {to_day:Date}
  GROUP BY tenant_id, session_id
  HAVING views > 0`;
}
