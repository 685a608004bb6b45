import type { StreamName } from '@backbone/schemas';
import { rawTable } from '../clickhouse/columns.js';
import { SESSION_SUMMARY_TABLES } from '../clickhouse/session-summaries.js';
import { STT_ROLLUP_TABLES } from '../clickhouse/stt-rollups.js';
import { WEB_ROLLUP_TABLES } from '../clickhouse/web-rollups.js';

/**
 * What one replay rebuilds: streams whose views feed the same rollups are replayed, verified
 * and swapped together (an STT session's rollup row comes from three streams).
 */
export interface StreamFamily {
  name: string;
  streams: readonly StreamName[];
  /** Raw tables, in stream order. */
  raw: readonly string[];
  /** Tables filled by materialized views on the raw tables. */
  rollups: readonly string[];
  /** Tables the session finalizer writes from the rollups (rebuilt before the swap). */
  derived: readonly string[];
}

const family = (
  name: string,
  streams: StreamName[],
  rollups: readonly string[],
  derived: readonly string[] = [],
): StreamFamily => ({ name, streams, raw: streams.map(rawTable), rollups, derived });

export const FAMILIES: Readonly<Record<string, StreamFamily>> = {
  web: family('web', ['web'], WEB_ROLLUP_TABLES, Object.values(SESSION_SUMMARY_TABLES)),
  stt: family('stt', ['stt.transcript', 'stt.speaker', 'stt.session'], STT_ROLLUP_TABLES),
};

/** The family a stream belongs to. */
export function familyOf(stream: StreamName): StreamFamily {
  return Object.values(FAMILIES).find((f) => f.streams.includes(stream))!;
}

/** Every table a replay of the family builds and swaps. */
export const familyTables = (f: StreamFamily) => [...f.raw, ...f.rollups, ...f.derived];

/** Shadow tables of a family's replay carry this suffix. */
export const shadowSuffix = (f: StreamFamily) => `__replay_${f.name}`;
