import type { ClickHouseClient } from '@clickhouse/client';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { clickhouseTime } from './columns.js';
import { qualified, type TableNames } from './raw-tables.js';
import { mergedSessions, SEGMENT_FIGURES, segmentDimensions } from './session-summaries.js';
import { DISTINCT_PRECISION, SESSION_SUMMARY_TABLES, TABLES } from './tables.js';

const HOUR = 3_600_000;
/** The hours countHours looks at. */
const WINDOW = "hour >= {since:DateTime64(3, 'UTC')} AND hour < {closed:DateTime64(3, 'UTC')}";

export interface SessionFinalizerOptions {
  client: ClickHouseClient;
  names: TableNames;
  logger: Logger;
  /** A session with no event for this long is over (the usual web-analytics rule). */
  idleMinutes?: number;
  /** Hours finalized per tick at most, so catching up never holds ClickHouse for long. */
  maxHoursPerTick?: number;
  /** Called with each hour written, e.g. for metrics. */
  onHour?: (endHour: Date, seconds: number) => void;
}

/**
 * Writes the sessions that have ended into the session summaries, one hour of session ends
 * at a time, in order: both summaries (each insert with a deduplication token of its hour,
 * so a retry after a crash is dropped by ClickHouse), then the hour's mark in
 * web_sessions_finalized. Readers trust a summary row only when its hour is marked, so a
 * crash between the two leaves nothing counted twice. Several instances may run it: they
 * compute the same hours with the same tokens.
 */
export class SessionFinalizer {
  private readonly idleMs: number;
  private readonly maxHours: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  private readonly options: SessionFinalizerOptions;

  constructor(options: SessionFinalizerOptions) {
    this.options = { ...options, logger: moduleLogger(options.logger, 'session-finalizer') };
    this.idleMs = (options.idleMinutes ?? 30) * 60_000;
    this.maxHours = options.maxHoursPerTick ?? 24;
  }

  private t(table: string) {
    return qualified(this.options.names, table);
  }

  /** The first hour not yet finalized, or null when there are no sessions at all. */
  async nextHour(): Promise<Date | null> {
    const result = await this.options.client.query({
      query: `SELECT
  (SELECT toUnixTimestamp(max(end_hour)) FROM ${this.t(SESSION_SUMMARY_TABLES.finalized)}) AS last,
  (SELECT toUnixTimestamp(toDateTime(min(day), 'UTC')) FROM ${this.t(TABLES.webSessions)}) AS first,
  (SELECT count() FROM ${this.t(TABLES.webSessions)}) AS sessions`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ last: number; first: number; sessions: string | number }>();
    if (!row) return null;
    if (Number(row.last) > 0) return new Date(Number(row.last) * 1000 + HOUR);
    return Number(row.sessions) > 0 ? new Date(Number(row.first) * 1000) : null;
  }

  /**
   * Finalizes every complete hour of session ends up to `now - idle`; returns them. Then
   * counts the closed hours not counted yet, or whose events changed since (countHours).
   */
  async tick(now = new Date()): Promise<Date[]> {
    const done = await this.finalizeSessions(now);
    await this.countHours(now);
    return done;
  }

  private async finalizeSessions(now: Date): Promise<Date[]> {
    const done: Date[] = [];
    let hour = await this.nextHour();
    const cutoff = Math.floor((now.getTime() - this.idleMs) / HOUR) * HOUR;
    while (hour && hour.getTime() + HOUR <= cutoff && done.length < this.maxHours) {
      await this.finalizeHour(hour);
      done.push(hour);
      hour = new Date(hour.getTime() + HOUR);
    }
    return done;
  }

  /** The sessions whose last event fell in [hour, hour + 1 h), summarized and marked. */
  async finalizeHour(hour: Date): Promise<void> {
    const started = performance.now();
    const { client } = this.options;
    const at = clickhouseTime(hour.getTime()).slice(0, 19);
    // A session that ended in the hour has its rows on that day and, if it started before
    // midnight, the day before (longer sessions are read only in part, as by every reader).
    const params = {
      hour: at,
      from_day: clickhouseTime(hour.getTime() - 24 * HOUR).slice(0, 10),
      to_day: at.slice(0, 10),
    };
    const sessions = `SELECT * FROM (${mergedSessions(this.options.names)})
  WHERE ended >= {hour:DateTime('UTC')} AND ended < {hour:DateTime('UTC')} + INTERVAL 1 HOUR`;
    await client.command({
      query: `INSERT INTO ${this.t(SESSION_SUMMARY_TABLES.starts)}
SELECT tenant_id, toStartOfMinute(began) AS minute, {hour:DateTime('UTC')}, count(),
  countIf(views = 1), sum(dateDiff('millisecond', began, ended)), sum(views), sum(orders), sum(money)
FROM (${sessions}) GROUP BY tenant_id, minute`,
      query_params: params,
      clickhouse_settings: { insert_deduplication_token: `session-starts:${at}` },
    });
    await client.command({
      query: `INSERT INTO ${this.t(SESSION_SUMMARY_TABLES.entries)}
SELECT tenant_id, toStartOfHour(began) AS start_hour, {hour:DateTime('UTC')}, entry, source, medium,
  count(), countIf(views = 1)
FROM (${sessions}) GROUP BY tenant_id, start_hour, entry, source, medium`,
      query_params: params,
      clickhouse_settings: { insert_deduplication_token: `session-entries:${at}` },
    });
    for (const table of [SESSION_SUMMARY_TABLES.segments, SESSION_SUMMARY_TABLES.landings]) {
      const dims = segmentDimensions(table);
      await client.command({
        query: `INSERT INTO ${this.t(table)} (tenant_id, hour, end_hour, ${dims.map(([d]) => d).join(', ')},
  ${SEGMENT_FIGURES.map(([f]) => f).join(', ')})
SELECT tenant_id, toStartOfHour(began) AS start_hour, {hour:DateTime('UTC')}, ${dims.map(([, s]) => s).join(', ')},
  ${SEGMENT_FIGURES.map(([, a]) => a).join(', ')}
FROM (${sessions}) GROUP BY tenant_id, start_hour, ${dims.map(([, s]) => s).join(', ')}`,
        query_params: params,
        clickhouse_settings: { insert_deduplication_token: `${table}:${at}` },
      });
    }
    await client.insert({
      table: this.t(SESSION_SUMMARY_TABLES.finalized),
      values: [{ end_hour: at }],
      format: 'JSONEachRow',
    });
    this.options.onHour?.(hour, (performance.now() - started) / 1000);
  }

  /**
   * Writes the distinct visitors and sessions of every hour of the last 35 days that ended
   * 10 minutes ago or more and has no count, or a count made at another number of events (a
   * late event came in): one INSERT of the hours that need it, merged from web_traffic_1h.
   * Comparing event counts reads no state, so a tick with nothing to do is a small GROUP BY
   * over 35 days of hours. Older hours without a count are read from their states.
   */
  async countHours(now = new Date()): Promise<void> {
    const end = Math.floor((now.getTime() - 10 * 60_000) / HOUR) * HOUR;
    const closed = clickhouseTime(end);
    const since = clickhouseTime(end - 35 * 24 * HOUR);
    const traffic = this.t(TABLES.webTraffic1h);
    await this.options.client.command({
      query: `INSERT INTO ${this.t(TABLES.webHourCounts)} (tenant_id, hour, events, visitors, sessions, counted_at)
SELECT tenant_id, hour, sum(events), uniqCombinedMerge(${DISTINCT_PRECISION})(visitors),
  uniqCombinedMerge(${DISTINCT_PRECISION})(sessions), now64(3)
FROM ${traffic}
WHERE ${WINDOW} AND (tenant_id, hour) IN (
  SELECT tenant_id, hour FROM (
    SELECT tenant_id, hour, sum(events) AS n FROM ${traffic} WHERE ${WINDOW}
    GROUP BY tenant_id, hour) AS now_
  LEFT ANTI JOIN (
    SELECT tenant_id, hour, events AS n FROM ${this.t(TABLES.webHourCounts)} FINAL
    WHERE ${WINDOW}) AS counted
  USING (tenant_id, hour, n))
GROUP BY tenant_id, hour`,
      query_params: { closed, since },
    });
  }

  /** Ticks every `intervalMs` until stop(); a failed tick is logged and retried next time. */
  start(intervalMs = 60_000): void {
    const loop = () => {
      this.running = this.tick()
        .then((hours) => {
          if (hours.length > 0)
            this.options.logger.info(
              { hours: hours.length, last: hours.at(-1)?.toISOString() },
              'sessions finalized',
            );
        })
        .catch((err: unknown) =>
          this.options.logger.warn({ err }, 'session finalizing failed; retrying next tick'),
        )
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops ticking and waits for a tick under way (an hour is never left half-written). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
