import type { StreamName } from '@backbone/schemas';
import { subjectColumns } from './columns.js';
import { qualified, type TableNames } from './raw-tables.js';
import { TABLES } from './tables.js';

export { subjectColumns };

/**
 * Subject erasure in the warehouse (docs/privacy.md#erasure). `subject_erasures` holds every
 * token that stood for an erased subject (a copy of the erasure ledger topic): the landing
 * views and the sink's decoding path leave out rows that carry one, so no sink and no replay
 * brings them back. `subject_request_log` is the audit and progress of every erasure request,
 * one row per request and store; it holds the subject's reference, never a clear id; export
 * requests are audited there too. `subject_export_tokens` holds what an export resolved to.
 */
export function erasureTables(names: TableNames): string[] {
  // Not stream data: replay's shadow copies read the live tables.
  if (names.suffix) return [];
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.subjectErasures)} (
  token String,
  tenant_id LowCardinality(String),
  erased_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY token`,
    `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.subjectRequestLog)} (
  request_id String,
  request_kind LowCardinality(String),
  tenant_id LowCardinality(String),
  subject_ref String,
  subject_kind LowCardinality(String),
  requested_by String,
  requested_at DateTime64(3, 'UTC'),
  store LowCardinality(String),
  state Enum8('accepted' = 1, 'counted' = 2, 'done' = 3, 'failed' = 4),
  rows UInt64,
  detail String,
  at DateTime64(3, 'UTC') DEFAULT now64(3),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(requested_at)
ORDER BY (tenant_id, request_id, store)
TTL toDateTime(requested_at) + INTERVAL 6 YEAR`,
    // What an export request resolved to, for the query service to read the rows by: an hour.
    `CREATE TABLE IF NOT EXISTS ${qualified(names, TABLES.subjectExportTokens)} (
  request_id String,
  tenant_id LowCardinality(String),
  token String,
  at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (tenant_id, request_id)
TTL toDateTime(at) + INTERVAL 1 HOUR`,
  ];
}

/**
 * The condition a landing view keeps rows by: none of the row's subject tokens is erased.
 * `column` names a token column as the view reads it. Replay's shadows read the live ledger.
 */
export function notErased(stream: StreamName, names: TableNames, column: (name: string) => string) {
  const ledger = qualified({ database: names.database, suffix: '' }, TABLES.subjectErasures);
  return subjectColumns(stream)
    .map((c) => `ifNull(${column(c)}, '') NOT IN (SELECT token FROM ${ledger})`)
    .join(' AND ');
}
