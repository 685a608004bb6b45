import type { PrivacyClass, StreamName } from '@backbone/schemas';
import {
  PROVENANCE_COLUMNS,
  rawTable,
  streamColumns,
  subjectColumns,
  type Column,
} from './columns.js';

/** Retention by privacy class, in days (none: kept as long as the row); docs/privacy.md. */
export const RETENTION_DAYS: Record<PrivacyClass, number | null> = {
  none: null,
  low: 730,
  medium: 90,
  high: 30,
  critical: 7,
};

/** Keeps the last N insert tokens per table, so a batch re-sent after a crash is dropped. */
export const DEDUP_WINDOW = 10_000;

export const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** A ClickHouse string literal. */
export const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Where the migration writes: a database, and a suffix for replay's shadow tables. */
export interface TableNames {
  database: string;
  suffix: string;
}

export const qualified = (names: TableNames, table: string) =>
  `${ident(names.database)}.${ident(table + names.suffix)}`;

const ORDER_BY = ['tenant_id', 'event_type', 'occurred_at'];

/**
 * Streams whose rows are about the subject itself: a consent decision without its subject's
 * token proves nothing, so the token lives as long as the row (erasure still removes it).
 */
const SUBJECT_RECORDS: ReadonlySet<StreamName> = new Set(['consent']);

function columnDdl(stream: StreamName, c: Column): string {
  const days = RETENTION_DAYS[c.privacy];
  const kept = SUBJECT_RECORDS.has(stream) && subjectColumns(stream).includes(c.name);
  // A column kept shorter than the row is reset to its default when it expires (column TTL).
  const ttl =
    !kept && days !== null && days < (RETENTION_DAYS.low as number) && !ORDER_BY.includes(c.name)
      ? ` TTL toDateTime(occurred_at) + INTERVAL ${days} DAY`
      : '';
  return `${ident(c.name)} ${c.type}${ttl}`;
}

/**
 * A stream's raw table: one row per enriched event. Day partitions (cheap TTL drops and
 * replays of a range), ordered tenant first for the dashboard's filters, bloom filters for
 * point lookups by session and event id.
 */
export function rawTableDdl(stream: StreamName, names: TableNames): string {
  const columns = [
    ...streamColumns(stream).map((c) => columnDdl(stream, c)),
    ...PROVENANCE_COLUMNS.map((c) => `${ident(c.name)} ${c.type}`),
    "`_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3)",
    'INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4',
    'INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4',
  ];
  return `CREATE TABLE IF NOT EXISTS ${qualified(names, rawTable(stream))} (
  ${columns.join(',\n  ')}
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (${ORDER_BY.join(', ')})
TTL toDateTime(occurred_at) + INTERVAL ${RETENTION_DAYS.low} DAY
SETTINGS non_replicated_deduplication_window = ${DEDUP_WINDOW}`;
}

/**
 * Schemas evolve BACKWARD-compatibly (fields added with defaults), so a table created by an
 * older release only ever lacks columns: these statements add them, and do nothing otherwise.
 */
export function addMissingColumns(
  stream: StreamName,
  names: TableNames,
  existing: ReadonlySet<string>,
): string[] {
  return streamColumns(stream)
    .filter((c) => !existing.has(c.name))
    .map(
      (c) =>
        `ALTER TABLE ${qualified(names, rawTable(stream))} ADD COLUMN IF NOT EXISTS ${columnDdl(stream, c)}`,
    );
}
