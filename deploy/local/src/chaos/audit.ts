import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { topicName, type StreamName } from '@backbone/schemas';
import { RAW_TABLES } from '@backbone/warehouse';
import type { Ledger } from './ledger.js';

/** One stream at the end of a run. */
export interface StreamAudit {
  stream: StreamName;
  /** Events the gateway accepted (202). */
  accepted: number;
  /** Distinct event ids of the run's tenant in the stream's raw table, and its rows. */
  distinct: number;
  rows: number;
  /** Accepted and not in the table; in the table more than once (ids, then their count). */
  lost: string[];
  doubled: [string, number][];
  /** Where the first copies came from: event id → the enriched topic's partition:offset each. */
  copies: Record<string, string[]>;
  /** In the table without a 202 the client saw (its answer was lost; kept once: fine). */
  unacknowledged: number;
  /** Records on the stream's dead-letter topic. */
  dlq: number;
}

/** A rollup column's total against the same total its views compute from the raw rows now. */
export interface RollupAudit {
  table: string;
  column: string;
  stored: number;
  fromRaw: number;
}

const rows = async <T>(ch: ClickHouseClient, query: string, params = {}) =>
  (await ch.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

/** Distinct accepted event ids per stream now (how far the pipeline has come). */
export async function landed(
  ch: ClickHouseClient,
  database: string,
  tenant: string,
  streams: readonly StreamName[],
): Promise<Map<StreamName, number>> {
  const out = new Map<StreamName, number>();
  for (const stream of streams) {
    const [r] = await rows<{ n: string }>(
      ch,
      `SELECT uniqExact(event_id) AS n FROM ${database}.${RAW_TABLES[stream]} WHERE tenant_id = {tenant:String}`,
      { tenant },
    );
    out.set(stream, Number(r?.n ?? 0));
  }
  return out;
}

/** Every accepted event once in its raw table: what is missing, doubled or extra, per stream. */
export async function auditStreams(o: {
  clickhouse: ClickHouseClient;
  admin: Admin;
  database: string;
  tenant: string;
  ledger: Ledger;
}): Promise<StreamAudit[]> {
  const out: StreamAudit[] = [];
  for (const [stream, accepted] of o.ledger.accepted) {
    const stored = new Map<string, number>();
    const result = await o.clickhouse.query({
      query: `SELECT toString(event_id) AS id, count() AS n FROM ${o.database}.${RAW_TABLES[stream]}
WHERE tenant_id = {tenant:String} GROUP BY id`,
      query_params: { tenant: o.tenant },
      format: 'JSONCompactEachRow',
    });
    for (const [id, n] of await result.json<[string, string]>()) stored.set(id, Number(n));
    let total = 0;
    let unacknowledged = 0;
    const doubled: [string, number][] = [];
    for (const [id, n] of stored) {
      total += n;
      if (n > 1) doubled.push([id, n]);
      if (!accepted.has(id)) unacknowledged++;
    }
    const copies: Record<string, string[]> = {};
    if (doubled.length > 0) {
      const where = await rows<{ id: string; at: string[] }>(
        o.clickhouse,
        `SELECT toString(event_id) AS id, groupArray(concat(toString(_partition), ':', toString(_offset))) AS at
FROM ${o.database}.${RAW_TABLES[stream]} WHERE event_id IN {ids:Array(String)} GROUP BY id`,
        { ids: doubled.slice(0, 20).map(([id]) => id) },
      );
      for (const w of where) copies[w.id] = w.at;
    }
    const offsets = await o.admin.fetchTopicOffsets(topicName('dlq', stream));
    out.push({
      stream,
      accepted: accepted.size,
      distinct: stored.size,
      rows: total,
      lost: [...accepted].filter((id) => !stored.has(id)),
      doubled,
      copies,
      unacknowledged,
      dlq: offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0),
    });
  }
  return out;
}

const SUMMED = /^(?:SimpleAggregateFunction\(sum,|AggregateFunction\((sum|count)\b)/;

/**
 * Every summed column of every materialized view's target (events, page views, errors,
 * durations…): its total in the table against the total of the views' own SELECTs run over
 * the raw tables now. A batch inserted twice into a rollup but once into its raw table (or
 * the other way) shows here.
 */
export async function auditRollups(ch: ClickHouseClient, database: string): Promise<RollupAudit[]> {
  const views = await rows<{ query: string; select: string }>(
    ch,
    `SELECT create_table_query AS query, as_select AS select FROM system.tables
WHERE database = {db:String} AND engine = 'MaterializedView'`,
    { db: database },
  );
  const byTarget = new Map<string, { select: string; names: Set<string> }[]>();
  for (const v of views) {
    const to = /\bTO\s+`?\w+`?\.`?(\w+)`?/.exec(v.query)?.[1];
    if (!to) continue;
    const described = await rows<{ name: string }>(ch, `DESCRIBE TABLE (${v.select})`);
    const names = new Set(described.map((d) => d.name));
    byTarget.set(to, [...(byTarget.get(to) ?? []), { select: v.select, names }]);
  }
  const out: RollupAudit[] = [];
  for (const [table, selects] of byTarget) {
    const columns = await rows<{ name: string; type: string }>(
      ch,
      `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String}`,
      { db: database, t: table },
    );
    for (const c of columns) {
      const m = SUMMED.exec(c.type);
      if (!m) continue;
      const total = m[1] ? `${m[1]}Merge(\`${c.name}\`)` : `sum(\`${c.name}\`)`;
      const [stored] = await rows<{ v: number }>(
        ch,
        `SELECT toFloat64(${total}) AS v FROM ${database}.${table}`,
      );
      let fromRaw = 0;
      for (const { select, names } of selects) {
        if (!names.has(c.name)) continue; // a view without this column leaves it at its default
        const [r] = await rows<{ v: number }>(
          ch,
          `SELECT toFloat64(${total}) AS v FROM (${select})`,
        );
        fromRaw += Number(r?.v ?? 0);
      }
      out.push({ table, column: c.name, stored: Number(stored?.v ?? 0), fromRaw });
    }
  }
  return out;
}
