import { ClickHouseError } from '@clickhouse/client';
import type { Logger } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import { rawTable } from '@backbone/warehouse';
import type { WorkerMetrics } from '../metrics.js';
import { SubjectTextError } from './texts.js';

/**
 * What the sink does when ClickHouse does not take a batch. Network trouble, timeouts, too many
 * parts, memory pressure or a restarting server pass: the partition retries with backoff.
 * A refusal does not pass by itself: the table lacks a column the schema has, a value does not
 * fit its column, or the credentials are wrong. Retrying those every few hundred milliseconds
 * only fills the logs, so a refused partition waits for an operator instead: /ready turns 503
 * naming the table and the ClickHouse error, the log says what to do, and the partition tries
 * again at a slow pace, going on by itself once an insert succeeds. docs/operations.md.
 */
export type InsertFailure =
  | { kind: 'transient'; reason: string }
  | { kind: 'refused'; code: string; type: string; action: string; reason: string };

/** ClickHouse error codes (src/Common/ErrorCodes.cpp) that retrying the same batch cannot fix. */
const SCHEMA = 'the table is behind the event schema: run `npm run migrate`';
const DATA = 'a value does not fit its column: run `npm run migrate`, then check the column types';
const ACCESS =
  'ClickHouse refused the sink user: check CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and its grants';
const REFUSALS: Readonly<Record<string, string>> = {
  '8': SCHEMA, // THERE_IS_NO_COLUMN
  '10': SCHEMA, // NOT_FOUND_COLUMN_IN_BLOCK
  '16': SCHEMA, // NO_SUCH_COLUMN_IN_TABLE
  '20': SCHEMA, // NUMBER_OF_COLUMNS_DOESNT_MATCH
  '47': SCHEMA, // UNKNOWN_IDENTIFIER
  '60': SCHEMA, // UNKNOWN_TABLE
  '81': SCHEMA, // UNKNOWN_DATABASE
  '6': DATA, // CANNOT_PARSE_TEXT
  '26': DATA, // CANNOT_PARSE_QUOTED_STRING
  '27': DATA, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '38': DATA, // CANNOT_PARSE_DATE
  '41': DATA, // CANNOT_PARSE_DATETIME
  '53': DATA, // TYPE_MISMATCH
  '69': DATA, // ARGUMENT_OUT_OF_BOUND
  '70': DATA, // CANNOT_CONVERT_TYPE
  '72': DATA, // CANNOT_PARSE_NUMBER
  '117': DATA, // INCORRECT_DATA
  '349': DATA, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  '164': ACCESS, // READONLY
  '192': ACCESS, // UNKNOWN_USER
  '193': ACCESS, // WRONG_PASSWORD
  '497': ACCESS, // ACCESS_DENIED
  '516': ACCESS, // AUTHENTICATION_FAILED
};

/** Sorts a failed insert: a ClickHouse refusal by its code, everything else is transient. */
export function classifyInsertError(err: unknown): InsertFailure {
  if (err instanceof SubjectTextError)
    return {
      kind: 'refused',
      code: 'SUBJECT_KEYS',
      type: 'encrypted text unreadable',
      action: err.action,
      reason: err.message,
    };
  if (err instanceof ClickHouseError) {
    const action = REFUSALS[err.code];
    // The first line only: ClickHouse's message can quote a row of the batch further on.
    const reason = `ClickHouse error ${err.code} (${err.type ?? 'unknown'})`;
    if (action) return { kind: 'refused', code: err.code, type: err.type ?? '', action, reason };
    return { kind: 'transient', reason };
  }
  const e = err as NodeJS.ErrnoException | undefined;
  return { kind: 'transient', reason: e?.code ?? e?.name ?? 'unknown error' };
}

/** A partition whose batch ClickHouse refuses, as /ready reports it. */
export interface Refusal {
  table: string;
  topic: string;
  partition: number;
  code: string;
  type: string;
  action: string;
}

/** The refusals among partitions waiting to be retried, each with its table's name. */
export function refusalsOf(
  partitions: Iterable<{
    topic: string;
    partition: number;
    stream: StreamName;
    retrying: unknown;
    failure: InsertFailure | undefined;
  }>,
  table: (stream: StreamName) => string,
): Refusal[] {
  const out: Refusal[] = [];
  for (const p of partitions)
    if (p.retrying && p.failure?.kind === 'refused') {
      const { code, type, action } = p.failure;
      out.push({
        table: table(p.stream),
        topic: p.topic,
        partition: p.partition,
        code,
        type,
        action,
      });
    }
  return out;
}

export interface RetryTiming {
  /** First wait after a transient failure; doubles up to max. */
  min: number;
  max: number;
  /** How often a refused partition tries again (it goes on by itself once one succeeds). */
  refusedMs: number;
}

export const DEFAULT_RETRY: RetryTiming = { min: 250, max: 15_000, refusedMs: 30_000 };

/** The wait before the next attempt of a partition whose insert failed `failures` times. */
export function nextDelay(timing: RetryTiming, failure: InsertFailure, failures: number): number {
  if (failure.kind === 'refused') return timing.refusedMs;
  return Math.min(timing.max, timing.min * 2 ** Math.max(0, failures - 1));
}

/**
 * Counts one failed attempt of a partition's batch and logs it: a refusal once per reason,
 * with what to do; a passing failure at its 1st, 2nd, 4th, 8th… attempt.
 */
export function reportFailure(
  err: unknown,
  failures: number,
  p: { topic: string; partition: number; stream: StreamName; failure: InsertFailure | undefined },
  ctx: { table: string; metrics: WorkerMetrics; logger: Logger },
): InsertFailure {
  const failure = classifyInsertError(err);
  ctx.metrics.insertErrors.inc({ table: rawTable(p.stream), kind: failure.kind });
  const where = {
    table: ctx.table,
    topic: p.topic,
    partition: p.partition,
    reason: failure.reason,
  };
  const known = p.failure?.kind === 'refused' && p.failure.reason === failure.reason;
  if (failure.kind === 'refused' && !known)
    ctx.logger.error(
      { ...where, action: failure.action },
      `ClickHouse refuses the batch; the partition waits: ${failure.action}`,
    );
  // The first failure, then the 2nd, 4th, 8th…: a partition that keeps failing stays visible.
  else if (failure.kind === 'transient' && (failures & (failures - 1)) === 0)
    ctx.logger.warn(
      {
        ...where,
        attempt: failures,
        // A ClickHouse message can quote a row: its code (in reason) is what is logged.
        ...(err instanceof Error && !(err instanceof ClickHouseError) ? { err: err.message } : {}),
      },
      'the batch was not made durable; retrying with backoff',
    );
  return failure;
}
