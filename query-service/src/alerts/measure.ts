import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from '@backbone/warehouse/tables';
import type { AlertMetric } from './rules.js';

/** Dead letters per tenant over a time span (DeadLetterCounter). */
export interface DeadLetters {
  count(tenant: string, fromMs: number, toMs: number): number;
}

/** A window of whole minutes, [from, to): the minute in progress is not complete yet. */
export function windowOf(nowMs: number, minutes: number): { from: number; to: number } {
  const to = Math.floor(nowMs / 60_000) * 60_000;
  return { from: to - minutes * 60_000, to };
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * A metric's value for a tenant over a window, from the minute rollups (and the dead
 * letters); null when there is nothing to judge (no segments for latency or confidence, no
 * events in the window before for a volume drop), which leaves an alert's state as it is.
 */
export async function measure(
  o: { clickhouse: ClickHouseClient; database: string; deadLetters?: DeadLetters },
  tenant: string,
  metric: AlertMetric,
  window: { from: number; to: number },
): Promise<number | null> {
  const t = (table: string) => `${o.database}.${table}`;
  const one = async (query: string, extra: Record<string, unknown> = {}) => {
    const result = await o.clickhouse.query({
      query,
      query_params: { tenant, from: seconds(window.from), to: seconds(window.to), ...extra },
      format: 'JSONEachRow',
    });
    return (await result.json<Record<string, unknown>>())[0] ?? {};
  };
  const span = `tenant_id = {tenant:String} AND minute >= toDateTime({from:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`;
  const n = (v: unknown) => Number(v ?? 0);
  switch (metric) {
    case 'stt_error_rate': {
      const r = await one(
        `SELECT sum(errors) AS e, sum(sessions_started) AS s FROM ${t(TABLES.sttQuality1m)} WHERE ${span}`,
      );
      // Errors with no session started in the window count as all sessions failing.
      return n(r.s) > 0 ? n(r.e) / n(r.s) : n(r.e) > 0 ? 1 : 0;
    }
    case 'stt_latency_p95_ms': {
      const r = await one(
        `SELECT sum(segments) AS n, quantilesMerge(0.5, 0.95, 0.99)(latency_ms)[2] AS v FROM ${t(TABLES.sttQuality1m)} WHERE ${span}`,
      );
      return n(r.n) > 0 ? n(r.v) : null;
    }
    case 'stt_confidence': {
      const r = await one(
        `SELECT sum(final_segments) AS n, avgMerge(confidence) AS v FROM ${t(TABLES.sttQuality1m)} WHERE ${span}`,
      );
      return n(r.n) > 0 ? n(r.v) : null;
    }
    case 'ingest_volume_drop': {
      // Events: web events and speech segments, in the window and in the window before it.
      const before = `tenant_id = {tenant:String} AND minute >= toDateTime({prev:UInt32}, 'UTC') AND minute < toDateTime({to:UInt32}, 'UTC')`;
      const r = await one(
        `SELECT sumIf(c, minute >= toDateTime({from:UInt32}, 'UTC')) AS now, sumIf(c, minute < toDateTime({from:UInt32}, 'UTC')) AS prev FROM (
  SELECT minute, events AS c FROM ${t(TABLES.webTraffic1m)} WHERE ${before}
  UNION ALL
  SELECT minute, segments + sessions_started AS c FROM ${t(TABLES.sttQuality1m)} WHERE ${before})`,
        { prev: seconds(window.from - (window.to - window.from)) },
      );
      return n(r.prev) > 0 ? Math.max(0, ((n(r.prev) - n(r.now)) / n(r.prev)) * 100) : null;
    }
    case 'dlq_rate':
      return o.deadLetters
        ? o.deadLetters.count(tenant, window.from, window.to) / ((window.to - window.from) / 60_000)
        : null;
  }
}
