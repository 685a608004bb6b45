import type { StreamName } from '@backbone/schemas';
import { qualified, RETENTION_DAYS } from './raw-tables.js';
import { mutationTarget } from './cluster.js';
import { TABLES } from './tables.js';

/**
 * A tenant's retention per privacy class (docs/privacy.md § Retention): the tables that hold
 * rows about persons, by the stream that feeds them and the column that dates a row. Rollups
 * are counts over many persons and keep the platform's own TTLs.
 * - speech: what a person said (transcript segments, speaker changes, talk time per speaker);
 * - behaviour: what a person did (web events, web sessions);
 * - operational: STT sessions and their quality events.
 */
export const RETENTION_CLASSES = {
  speech: [
    { stream: 'stt.transcript', table: TABLES.sttTranscriptEvents, time: 'occurred_at' },
    { stream: 'stt.speaker', table: TABLES.sttSpeakerEvents, time: 'occurred_at' },
    { stream: 'stt.speaker', table: TABLES.sttSpeakers, time: 'day' },
  ],
  behaviour: [
    { stream: 'web', table: TABLES.webEvents, time: 'occurred_at' },
    { stream: 'web', table: TABLES.webSessions, time: 'day' },
  ],
  operational: [
    { stream: 'stt.session', table: TABLES.sttSessionEvents, time: 'occurred_at' },
    { stream: 'stt.session', table: TABLES.sttSessions, time: 'day' },
  ],
} as const satisfies Record<string, readonly { stream: StreamName; table: string; time: string }[]>;
export type RetentionClass = keyof typeof RETENTION_CLASSES;

/**
 * The platform's bounds of a tenant's policy, in days: a tenant may keep its rows shorter than
 * the platform does (the rows' own TTL, two years), never longer.
 */
export const RETENTION_BOUNDS = { min: 1, max: RETENTION_DAYS.low ?? 730 } as const;

/** One table's expired rows of one tenant: `DELETE FROM <target> WHERE <where>` with `params`. */
export interface RetentionDelete {
  retentionClass: RetentionClass;
  /** The table rows are counted in. */
  table: string;
  /** What the DELETE names (on a cluster, the shards' local tables). */
  target: string;
  where: string;
  params: { tenant: string; before: number };
}

/**
 * What a tenant's policy removes from the tables the given streams feed, as of `nowMs`: rows
 * dated more than the class's days ago (whole days, UTC). Classes the policy leaves out keep
 * the platform's TTLs.
 */
export function retentionDeletes(
  database: string,
  streams: readonly StreamName[],
  tenant: string,
  days: Partial<Record<RetentionClass, number>>,
  nowMs: number,
  cluster?: string,
): RetentionDelete[] {
  return (Object.keys(RETENTION_CLASSES) as RetentionClass[]).flatMap((c) => {
    const keep = days[c];
    if (keep === undefined) return [];
    const before = Math.floor(nowMs / 86_400_000) * 86_400 - keep * 86_400;
    return RETENTION_CLASSES[c]
      .filter((t) => (streams as readonly string[]).includes(t.stream))
      .map((t) => ({
        retentionClass: c,
        table: qualified({ database, suffix: '' }, t.table),
        target: mutationTarget(qualified({ database, suffix: '' }, t.table), cluster),
        where:
          t.time === 'day'
            ? `tenant_id = {tenant:String} AND day < toDate(toDateTime({before:UInt32}, 'UTC'))`
            : `tenant_id = {tenant:String} AND occurred_at < toDateTime64({before:UInt32}, 3, 'UTC')`,
        params: { tenant, before },
      }));
  });
}
