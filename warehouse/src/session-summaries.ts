import { DEDUP_WINDOW, qualified, type TableNames } from './raw-tables.js';
import { SESSION_SUMMARY_TABLES, TABLES } from './tables.js';

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
 */
export function mergedSessions(names: TableNames, tenantFilter = ''): string {
  return `SELECT tenant_id, session_id, minMerge(started_at) AS began, maxMerge(ended_at) AS ended,
    sum(page_views) AS views, sum(conversions) AS orders, sum(revenue) AS money,
    argMinMerge(entry_page) AS entry, argMinMerge(traffic_source) AS source,
    argMinMerge(traffic_medium) AS medium
  FROM ${qualified(names, 'web_sessions')}
  WHERE ${tenantFilter}day >= {from_day:Date} AND day <= {to_day:Date}
  GROUP BY tenant_id, session_id
  HAVING views > 0`;
}
