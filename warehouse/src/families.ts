import type { StreamName } from '@backbone/schemas';
import { rawTable } from './columns.js';
import { landingDdl } from './landing.js';
import { qualified, rawTableDdl, type TableNames } from './raw-tables.js';
import { hourCounts, sessionSegments, sessionSummaries } from './session-summaries.js';
import { coarseQualityRollups, sttRollups } from './stt-rollups.js';
import {
  TABLES,
  SESSION_SUMMARY_TABLES,
  STT_ROLLUP_TABLES,
  WEB_ROLLUP_TABLES,
  type TableName,
} from './tables.js';
import { coarseBreakdownRollups, coarseTrafficRollups, webRollups } from './web-rollups.js';

/**
 * Streams whose views feed the same rollups: replayed, verified and swapped together (an STT
 * session's rollup row comes from three streams).
 */
export interface StreamFamily {
  name: string;
  streams: readonly StreamName[];
  /** Raw tables, in stream order. */
  raw: readonly string[];
  /** Tables filled by materialized views on the raw tables. */
  rollups: readonly TableName[];
  /** Tables the session finalizer writes from the rollups (rebuilt before a replay's swap). */
  derived: readonly TableName[];
  /** The family's tables and views under `names`, in the order the migrations create them. */
  ddl: (names: TableNames) => string[];
}

const family = (
  name: string,
  streams: StreamName[],
  rollups: readonly TableName[],
  derived: readonly TableName[],
  rollupDdl: (names: TableNames) => string[],
): StreamFamily => ({
  name,
  streams,
  raw: streams.map(rawTable),
  rollups,
  derived,
  ddl: (names) => [
    ...streams.map((s) => rawTableDdl(s, names)),
    ...streams.flatMap((s) => landingDdl(s, names)),
    ...rollupDdl(names),
  ],
});

export const FAMILIES: Readonly<Record<string, StreamFamily>> = {
  web: family(
    'web',
    ['web'],
    WEB_ROLLUP_TABLES,
    [...Object.values(SESSION_SUMMARY_TABLES), TABLES.webHourCounts],
    (names) => [
      ...webRollups(names),
      ...sessionSummaries(names),
      ...coarseTrafficRollups(names),
      ...coarseBreakdownRollups(names),
      ...hourCounts(names),
      ...sessionSegments(names),
    ],
  ),
  stt: family(
    'stt',
    ['stt.transcript', 'stt.speaker', 'stt.session'],
    STT_ROLLUP_TABLES,
    [],
    (names) => [...sttRollups(names), ...coarseQualityRollups(names)],
  ),
  // No rollups: consent_latest is a plain view that reads the raw table when asked.
  consent: family('consent', ['consent'], [], [], () => []),
};

/** The family a stream belongs to. */
export function familyOf(stream: StreamName): StreamFamily {
  return Object.values(FAMILIES).find((f) => f.streams.includes(stream))!;
}

/** Every table of the family. */
export const familyTables = (f: StreamFamily) => [...f.raw, ...f.rollups, ...f.derived];

/**
 * The views that fill the family's rollups, as today's model defines them: a swap creates
 * them again over the swapped-in tables, so a view whose logic or state types changed does
 * not go on feeding the old definition. (The landing views are the migration's.)
 */
export function rollupViews(f: StreamFamily, names: TableNames): { name: string; ddl: string }[] {
  const targets = new Set(f.rollups.map((t) => qualified(names, t)));
  return f.ddl(names).flatMap((ddl) => {
    const m = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\S+)\s+TO (\S+) AS/.exec(ddl);
    return m && targets.has(m[2]!) ? [{ name: m[1]!, ddl }] : [];
  });
}

/** A replay of the family builds its shadow tables under this suffix. */
export const shadowSuffix = (f: StreamFamily) => `__replay_${f.name}`;
