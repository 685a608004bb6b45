import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import { badInput } from '../errors.js';
import { queryTracer } from '../tracing.js';
import { chTime, type Granularity, type TimeRange } from '../time-range.js';

/** Time-bucket expressions by granularity (over a `minute` column): fixed text, never input. */
export const BUCKET: Record<Granularity, string> = {
  HOUR: 'toStartOfHour(minute)',
  DAY: 'toStartOfDay(minute)',
  WEEK: "toDateTime(toMonday(minute), 'UTC')",
  MONTH: "toDateTime(toStartOfMonth(minute), 'UTC')",
};

/** What every repository shares: JSON rows of a query with bound parameters, in one database. */
export abstract class ClickHouseReader {
  constructor(
    protected readonly clickhouse: ClickHouseClient,
    protected readonly database: string,
  ) {}

  /** A table of this database (an arrow, so that SQL builders can take it as it is). */
  protected readonly t = (table: string): string => `${this.database}.${table}`;

  protected async rows<T = Record<string, unknown>>(
    query: string,
    params: Record<string, unknown>,
  ): Promise<T[]> {
    return queryTracer.startActiveSpan(
      'SELECT',
      {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system.name': 'clickhouse', 'db.namespace': this.database },
      },
      async (span) => {
        try {
          const result = await this.clickhouse.query({
            query,
            query_params: params,
            format: 'JSONEachRow',
          });
          const rows = await result.json<T>();
          span.setAttribute('db.response.returned_rows', rows.length);
          return rows;
        } catch (err) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * A rollup kept at three grains (`tables`) over a range at the coarsest grain that fits it
   * (the bounds come from trafficGrains, as parameters named `prefix` + bound): whole days
   * from the daily table, whole hours around them from the hourly one, the minutes at either
   * edge from the minute one. Rows: (minute = start of the row's bucket, `columns`…), of
   * `{tenant:String}` and `where` (every table), `hourWhere` (the hourly one).
   */
  protected byGrain(
    tables: Record<'minute' | 'hour' | 'day', string>,
    columns: string,
    options: { prefix?: string; where?: string; hourWhere?: string } = {},
  ): string {
    const { prefix = '', where = '1', hourWhere = '1' } = options;
    const at = (bound: string, type = "DateTime('UTC')") => `{${prefix}${bound}:${type}}`;
    return `SELECT minute, ${columns} FROM ${this.t(tables.minute)}
  WHERE tenant_id = {tenant:String} AND ${where}
    AND ((minute >= ${at('m1')} AND minute < ${at('h1')})
      OR (minute >= ${at('h2')} AND minute < ${at('end', "DateTime64(3, 'UTC')")}))
  UNION ALL
  SELECT hour AS minute, ${columns} FROM ${this.t(tables.hour)}
  WHERE tenant_id = {tenant:String} AND ${where} AND ${hourWhere}
    AND ((hour >= ${at('h1')} AND hour < ${at('d1')}) OR (hour >= ${at('d2')} AND hour < ${at('h2')}))
  UNION ALL
  SELECT toDateTime(day, 'UTC') AS minute, ${columns} FROM ${this.t(tables.day)}
  WHERE tenant_id = {tenant:String} AND ${where}
    AND day >= toDate(${at('d1')}) AND day < toDate(${at('d2')})`;
  }

  /**
   * A page of sessions that started in the range, newest first, `first` at a time after the
   * cursor. `select` reads one row a session (`began` in ms, `id`), grouped by session_id.
   */
  protected async sessionsPage<R, N extends { id: string; startedAt: Date }>(
    select: string,
    request: { tenant: string; range: TimeRange; first: number; after?: string | null },
    toNode: (row: R) => N,
  ) {
    const rows = await this.rows<R>(
      `${select}
WHERE tenant_id = {tenant:String}
  AND day >= toDate({start:DateTime64(3, 'UTC')}) - 1 AND day <= toDate({end:DateTime64(3, 'UTC')})
GROUP BY session_id
HAVING began >= toUnixTimestamp64Milli({start:DateTime64(3, 'UTC')})
  AND began < toUnixTimestamp64Milli({end:DateTime64(3, 'UTC')})
  AND ({cursor_at:Nullable(Int64)} IS NULL OR (began, id) < ({cursor_at:Nullable(Int64)}, {cursor_id:String}))
ORDER BY began DESC, id DESC
LIMIT {limit:UInt32}`,
      {
        tenant: request.tenant,
        start: chTime(request.range.start),
        end: chTime(request.range.end),
        ...cursorParams(request.after),
        limit: request.first + 1,
      },
    );
    return page(rows, request.first, toNode, (n) => ({ at: n.startedAt.getTime(), id: n.id }));
  }
}

/** Opaque cursors: (time in ms, id) of the last item, base64url JSON. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string): { at: number; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'number' && typeof id === 'string') return { at, id };
  } catch {
    // fall through
  }
  throw badInput('after is not a cursor this service issued');
}

/** Bound parameters of a cursor for `(time, id) < (cursor_at, cursor_id)` (null: first page). */
export function cursorParams(after?: string | null) {
  const cursor = after ? decodeCursor(after) : null;
  return { cursor_at: cursor?.at ?? null, cursor_id: cursor?.id ?? '' };
}

/** A page from `first + 1` rows: the extra row only says that there is a next page. */
export function page<R, N>(
  rows: R[],
  first: number,
  toNode: (row: R) => N,
  key: (node: N) => { at: number; id: string },
) {
  const nodes = rows.slice(0, first).map(toNode);
  const last = nodes.at(-1);
  const k = last === undefined ? null : key(last);
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > first, endCursor: k ? encodeCursor(k.at, k.id) : null },
  };
}
