import type { ClickHouseClient } from '@clickhouse/client';
import { ident } from '@backbone/warehouse';

/** One table's figures for one day. */
export interface DayFigures {
  rows: number;
  checksum: string;
}

export interface TableDiff {
  table: string;
  day: string;
  live: DayFigures | undefined;
  shadow: DayFigures | undefined;
}

export interface Verification {
  /** Per table: days compared and days that differ. */
  tables: {
    table: string;
    days: number;
    differing: number;
    liveRows: number;
    shadowRows: number;
    /** A table the model gained: the shadow's is swapped in with nothing to compare. */
    new?: boolean;
  }[];
  differences: TableDiff[];
  /** Shadow rows at one (partition, offset) more than once: the replay doubled something. */
  duplicates: { table: string; rows: number }[];
}

interface ColumnInfo {
  name: string;
  type: string;
  is_in_sorting_key: number;
}

const TIME_COLUMNS = ['occurred_at', 'minute', 'hour', 'day'];

/**
 * How a column of a rollup reads as a value: aggregate states are merged over the rows of a
 * key (a table that has not merged its parts yet holds several rows per key), and floating
 * results are rounded, since summing floats in another order changes their last bits.
 */
export function mergedValue(c: { name: string; type: string }): string {
  const col = ident(c.name);
  const simple = /^SimpleAggregateFunction\((\w+),\s*(.+)\)$/.exec(c.type);
  if (simple) {
    const v = `${simple[1]}(${col})`;
    return /Float/.test(simple[2]!) ? `round(${v}, 6)` : v;
  }
  const agg = /^AggregateFunction\((\w+)(\([^)]*\))?,\s*(.+)\)$/.exec(c.type);
  if (agg) {
    const [, fn, params = '', args] = agg;
    const v = `${fn}Merge${params}(${col})`;
    if (fn!.startsWith('quantile')) return `arrayMap(x -> round(x, 6), ${v})`;
    if (fn === 'avg' || /^Float/.test(args!)) return `round(${v}, 6)`;
    return v;
  }
  return col;
}

/** Per day: rows (keys, for a rollup) and an order-independent checksum of their content. */
export function dayFiguresQuery(
  table: string,
  columns: readonly ColumnInfo[],
  raw: boolean,
  days?: readonly string[],
): string {
  const time = TIME_COLUMNS.find((t) => columns.some((c) => c.name === t));
  if (!time) throw new Error(`${table} has none of the time columns ${TIME_COLUMNS.join(', ')}`);
  // Days are computed dates (YYYY-MM-DD), never operator text.
  const where = days
    ? ` WHERE toDate(${ident(time)}) IN (${days.map((d) => `'${d.replace(/[^0-9-]/g, '')}'`).join(', ') || "'1970-01-01'"})`
    : '';
  if (raw) {
    const cols = columns.filter((c) => c.name !== '_inserted_at').map((c) => ident(c.name));
    return `SELECT toString(toDate(${ident(time)})) AS day, count() AS rows,
  toString(sum(cityHash64(tuple(${cols.join(', ')})))) AS checksum
FROM ${table}${where} GROUP BY day ORDER BY day`;
  }
  const keys = columns.filter((c) => c.is_in_sorting_key);
  const values = columns.filter((c) => !c.is_in_sorting_key);
  const keyList = keys.map((c) => ident(c.name)).join(', ');
  const all = [...keys.map((c) => ident(c.name)), ...values.map((c) => `v_${c.name}`)];
  return `SELECT toString(toDate(${ident(time)})) AS day, count() AS rows,
  toString(sum(cityHash64(tuple(${all.join(', ')})))) AS checksum
FROM (SELECT ${keyList}${values.map((c) => `, ${mergedValue(c)} AS v_${c.name}`).join('')}
  FROM ${table}${where} GROUP BY ${keyList})
GROUP BY day ORDER BY day`;
}

async function columnsOf(client: ClickHouseClient, database: string, table: string) {
  return (
    await client.query({
      query: `SELECT name, type, is_in_sorting_key FROM system.columns
WHERE database = {db:String} AND table = {t:String} ORDER BY position`,
      query_params: { db: database, t: table },
      format: 'JSONEachRow',
    })
  ).json<ColumnInfo>();
}

export async function dayFigures(
  client: ClickHouseClient,
  database: string,
  table: string,
  raw: boolean,
  days?: readonly string[],
  only?: readonly ColumnInfo[],
): Promise<Map<string, DayFigures>> {
  const columns = only ?? (await columnsOf(client, database, table));
  const rows = await (
    await client.query({
      query: dayFiguresQuery(`${ident(database)}.${ident(table)}`, columns, raw, days),
      format: 'JSONEachRow',
    })
  ).json<{ day: string; rows: string | number; checksum: string }>();
  return new Map(rows.map((r) => [r.day, { rows: Number(r.rows), checksum: r.checksum }]));
}

/** Per table, per day, live's and the shadow's figures. */
export type Figures = Map<
  string,
  { live: Map<string, DayFigures>; shadow: Map<string, DayFigures> }
>;

/**
 * Live against shadow, table by table and day by day, over every day either has; and the
 * shadow's raw tables against doubling (each Kafka record is one row). With `since`, only the
 * days with raw rows from those offsets on (`_partition` → offset) are read again, and the
 * figures of `before` are kept for the others: what changed since a first verification.
 */
export async function verify(
  client: ClickHouseClient,
  database: string,
  tables: { raw: readonly string[]; rollups: readonly string[] },
  suffix: string,
  incremental?: { before: Figures; since: Map<number, bigint>[] },
): Promise<Verification & { figures: Figures }> {
  const result: Verification & { figures: Figures } = {
    tables: [],
    differences: [],
    duplicates: [],
    figures: new Map(),
  };
  const recent = (i: number) => {
    const since = incremental?.since[i] ?? new Map<number, bigint>();
    const parts = [...since].map(([p, o]) => `(_partition = ${p} AND _offset >= ${o})`);
    return parts.length ? parts.join(' OR ') : '0';
  };
  let days: string[] | undefined;
  if (incremental) {
    const found = new Set<string>();
    for (const [i, table] of tables.raw.entries())
      for (const t of [table, table + suffix]) {
        const rows = await (
          await client.query({
            query: `SELECT DISTINCT toString(toDate(occurred_at)) AS day FROM ${ident(database)}.${ident(t)} WHERE ${recent(i)}`,
            format: 'JSONEachRow',
          })
        ).json<{ day: string }>();
        for (const r of rows) found.add(r.day);
      }
    days = [...found];
  }
  for (const [list, raw] of [
    [tables.raw, true],
    [tables.rollups, false],
  ] as const) {
    for (const table of list) {
      const [liveColumns, shadowColumns] = await Promise.all([
        columnsOf(client, database, table),
        columnsOf(client, database, table + suffix),
      ]);
      if (liveColumns.length === 0) {
        // A table the model gained: nothing live to compare with.
        const shadow = await dayFigures(client, database, table + suffix, raw, undefined);
        result.figures.set(table, { live: new Map(), shadow });
        result.tables.push({ ...tally(table, new Map(), shadow, 0), new: true });
        continue;
      }
      // What both sides hold alike: a column whose type changed (a state of another
      // function, say) cannot be compared, and one only a side has is not compared.
      const common = shadowColumns.filter((c) =>
        liveColumns.some((l) => l.name === c.name && l.type === c.type),
      );
      const read = async (name: string, side: 'live' | 'shadow') => {
        const fresh = await dayFigures(client, database, name, raw, days, common);
        if (!incremental) return fresh;
        const kept = new Map(incremental.before.get(table)?.[side] ?? []);
        for (const d of days ?? []) kept.delete(d);
        for (const [d, f] of fresh) kept.set(d, f);
        return kept;
      };
      const live = await read(table, 'live');
      const shadow = await read(table + suffix, 'shadow');
      result.figures.set(table, { live, shadow });
      const all = [...new Set([...live.keys(), ...shadow.keys()])].sort();
      let differing = 0;
      for (const day of all) {
        const l = live.get(day);
        const s = shadow.get(day);
        if (l?.rows === s?.rows && l?.checksum === s?.checksum) continue;
        differing++;
        result.differences.push({ table, day, live: l, shadow: s });
      }
      result.tables.push(tally(table, live, shadow, differing));
    }
  }
  // A record twice is twice at one offset: both copies are on the same side of `since`.
  for (const [i, table] of tables.raw.entries()) {
    const [row] = await (
      await client.query({
        query: `SELECT count() - uniqExact(_partition, _offset) AS doubled
FROM ${ident(database)}.${ident(table + suffix)}${incremental ? ` WHERE ${recent(i)}` : ''}`,
        format: 'JSONEachRow',
      })
    ).json<{ doubled: string | number }>();
    if (Number(row?.doubled ?? 0) > 0)
      result.duplicates.push({ table, rows: Number(row!.doubled) });
  }
  return result;
}

function tally(
  table: string,
  live: Map<string, DayFigures>,
  shadow: Map<string, DayFigures>,
  differing: number,
) {
  const sum = (m: Map<string, DayFigures>) => [...m.values()].reduce((a, f) => a + f.rows, 0);
  const days = new Set([...live.keys(), ...shadow.keys()]).size;
  return { table, days, differing, liveRows: sum(live), shadowRows: sum(shadow) };
}

/** The verification as a person reads it. */
export function formatVerification(v: Verification): string[] {
  const lines = v.tables.map(
    (t) =>
      `  ${t.table.padEnd(24)} ${String(t.days).padStart(4)} days  live ${t.liveRows} rows  shadow ${t.shadowRows} rows  ${t.new ? 'new' : t.differing === 0 ? 'same' : `${t.differing} days differ`}`,
  );
  const fig = (f: DayFigures | undefined) =>
    f ? `${f.rows} rows #${f.checksum.slice(-8)}` : 'none';
  for (const d of v.differences.slice(0, 50))
    lines.push(`  differs: ${d.table} ${d.day}  live ${fig(d.live)}  shadow ${fig(d.shadow)}`);
  if (v.differences.length > 50) lines.push(`  … and ${v.differences.length - 50} more`);
  for (const d of v.duplicates)
    lines.push(`  DOUBLED: ${d.table}__shadow has ${d.rows} rows at an offset already present`);
  return lines;
}
