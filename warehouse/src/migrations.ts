import type { StreamName } from '@backbone/schemas';
import { qualified, rawTableDdl, type TableNames } from './raw-tables.js';
import { coarseQualityRollups, sttRollups } from './stt-rollups.js';
import { hourCounts, sessionSegments, sessionSummaries } from './session-summaries.js';
import { coarseBreakdownRollups, coarseTrafficRollups, webRollups } from './web-rollups.js';
import { TABLES } from './tables.js';
import { erasureTables } from './erasure-tables.js';
import { CONSENT_LATEST } from './consent.js';

/**
 * The ClickHouse model, in order. Statements are idempotent (IF NOT EXISTS), so a migration
 * interrupted half-way is simply run again. `names` lets replay build shadow copies from the
 * very same statements, which always make today's model: a fresh database gets it directly.
 * A change an existing table cannot take in place (a state type, a dropped column) is a
 * migration with `rebuild`: on a database whose raw tables hold rows, the family's tables
 * are rebuilt from them under the replay hand-over and swapped in (warehouse/README.md
 * § Migrations that rebuild).
 */
export interface Migration {
  id: string;
  description: string;
  statements: (names: TableNames) => string[];
  /** The stream family whose tables this migration rebuilds where rows exist. */
  rebuild?: string;
}

const FIRST_STREAMS: readonly StreamName[] = [
  'web',
  'stt.transcript',
  'stt.speaker',
  'stt.session',
];

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001_raw_tables',
    description: 'one raw table per stream, columns derived from the enriched schemas',
    // The first release's streams; a stream added later comes with a migration of its own.
    statements: (names) => FIRST_STREAMS.map((stream) => rawTableDdl(stream, names)),
  },
  {
    id: '0002_web_rollups',
    description: 'web traffic per minute; pages, sources, devices, countries per hour; sessions',
    statements: webRollups,
  },
  {
    id: '0003_stt_rollups',
    description: 'STT quality and errors per minute; STT sessions; speakers per session',
    statements: sttRollups,
  },
  {
    id: '0004_sink_inflight',
    description: "the sink's durable record of the batch it is inserting, per partition",
    statements: (names) => [
      `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.sinkInflight)} (
  consumer_group String,
  topic String,
  partition UInt32,
  first_offset UInt64,
  last_offset UInt64,
  rows UInt32,
  written_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(written_at)
ORDER BY (consumer_group, topic, partition)`,
    ],
  },
  {
    id: '0005_sql_audit',
    description: "the query service's audit of every ad-hoc SQL statement (who, when, hash, rows)",
    // Not stream data: replay's shadow copies (a suffix) have no audit table of their own.
    statements: (names) => (names.suffix ? [] : [sqlAuditDdl(qualified(names, TABLES.sqlAudit))]),
  },
  {
    id: '0006_session_summaries',
    description: 'finalized sessions by start minute and by entry page and source per hour',
    statements: sessionSummaries,
  },
  {
    id: '0007_coarse_traffic',
    description: 'the traffic rollup by hour and by day, for long ranges',
    statements: coarseTrafficRollups,
  },
  {
    id: '0008_replay',
    description: "replay's runs and its hand-over with the live sinks",
    // Coordination, not stream data: shadow copies (a suffix) have none of their own.
    statements: (names) =>
      names.suffix
        ? []
        : [
            `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.replayHandover)} (
  family LowCardinality(String),
  run_id String,
  kind Enum8('hold' = 1, 'ack' = 2, 'release' = 3),
  member String,
  partitions Array(String),
  expires_at DateTime64(3, 'UTC'),
  at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (family, run_id, at)
TTL toDateTime(at) + INTERVAL 30 DAY`,
            `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.replayRuns)} (
  family LowCardinality(String),
  run_id String,
  state LowCardinality(String),
  detail String,
  owner String,
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (family, run_id)`,
          ],
  },
  {
    id: '0009_distinct_estimates',
    description:
      'traffic rollups without event type; every web distinct count a uniqCombined state; devices and countries by day; counts of closed hours',
    // The tables of 0002 and 0007 change shape, which only a rebuild does where rows exist.
    statements: (names) => [...coarseBreakdownRollups(names), ...hourCounts(names)],
    rebuild: 'web',
  },
  {
    id: '0010_stt_coarse_quality',
    description: 'STT quality by hour and by day, for long ranges',
    statements: coarseQualityRollups,
    rebuild: 'stt',
  },
  {
    id: '0011_session_segments',
    description:
      'ended sessions by start hour and segment (source, medium, device type, country), and by landing page',
    // Where sessions exist, the history is summarized by rebuilding the web family, whose
    // session finalizer pass fills the new tables from web_sessions.
    statements: sessionSegments,
    rebuild: 'web',
  },
  {
    id: '0012_subject_erasure',
    description:
      "the tokens of erased subjects (landing views leave their rows out) and the erasure requests' audit",
    statements: erasureTables,
  },
  {
    id: '0013_consent_records',
    description:
      "consent decisions, one row each, and consent_latest: each subject's latest decision per purpose",
    statements: (names) => [rawTableDdl('consent', names), ...consentViews(names)],
  },
  {
    id: '0014_admin_audit',
    description: "platform administration's audit: every change to tenants and API keys",
    statements: (names) =>
      names.suffix
        ? []
        : [
            `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.adminAudit)} (
  at DateTime64(3, 'UTC'),
  actor String,
  action LowCardinality(String),
  tenant_id LowCardinality(String),
  target String,
  detail String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (tenant_id, at)
TTL toDateTime(at) + INTERVAL 6 YEAR`,
          ],
  },
  {
    id: '0015_alert_notifications',
    description:
      "alerts' notifications: each incident's firing and recovery, decided and then delivered",
    statements: (names) =>
      names.suffix
        ? []
        : [
            `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.alertNotifications)} (
  at DateTime64(3, 'UTC'),
  tenant_id LowCardinality(String),
  alert_id String,
  incident_id String,
  state LowCardinality(String),
  value Nullable(Float64),
  threshold Float64,
  delivered UInt8,
  attempts UInt16,
  http_status UInt16
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (tenant_id, alert_id, at)
TTL toDateTime(at) + INTERVAL 400 DAY`,
          ],
  },
];

/**
 * Each anonymous id's latest decision per purpose. A plain view: it reads consent_events
 * when asked, so an erasure's delete there is the view's too.
 */
function consentViews(names: TableNames): string[] {
  if (names.suffix) return [];
  return [
    `CREATE VIEW IF NOT EXISTS ${qualified(names, TABLES.consentLatest)} AS
SELECT
  tenant_id,
  anonymous_id,
  ${CONSENT_LATEST.join(',\n  ')}
FROM ${qualified(names, TABLES.consentEvents)} AS e
WHERE e.anonymous_id IS NOT NULL AND e.event_type = 'consent_decision'
GROUP BY tenant_id, anonymous_id`,
  ];
}

/**
 * One row when a statement starts (status 'running', version 1) and one when it ends
 * (version 2): a statement is on record before it runs, and `FINAL` shows its outcome.
 * The SQL text itself is not kept (literals in it may identify someone): its SHA-256 is.
 */
function sqlAuditDdl(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  query_id String,
  tenant_id LowCardinality(String),
  subject String,
  role LowCardinality(String),
  request_id String,
  started_at DateTime64(3, 'UTC'),
  finished_at Nullable(DateTime64(3, 'UTC')),
  sql_sha256 FixedString(64),
  sql_bytes UInt32,
  tables Array(String),
  status Enum8('running' = 1, 'ok' = 2, 'refused' = 3, 'failed' = 4),
  error_code LowCardinality(String),
  result_rows UInt64,
  result_bytes UInt64,
  duration_ms UInt32,
  version UInt8
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant_id, started_at, query_id)
TTL toDateTime(started_at) + INTERVAL 6 YEAR`;
}
