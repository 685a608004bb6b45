import type { ClickHouseClient } from '@clickhouse/client';
import {
  familyTables,
  ident,
  qualified,
  rollupViews,
  type StreamFamily,
  type TableNames,
} from '@backbone/warehouse';
import { countRows } from './count.js';
import type { Plan } from './plan.js';

/** The UUIDs of the family's live and shadow tables (a resumed swap tells by them what is done). */
export async function uuids(clickhouse: ClickHouseClient, family: StreamFamily, names: TableNames) {
  const rows = await (
    await clickhouse.query({
      query: `SELECT name, toString(uuid) AS uuid FROM system.tables WHERE database = {db:String}`,
      query_params: { db: names.database },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; uuid: string }>();
  const byName = new Map(rows.map((r) => [r.name, r.uuid]));
  return Object.fromEntries(
    familyTables(family).map((t) => [
      t,
      { live: byName.get(t) ?? '', shadow: byName.get(t + names.suffix) ?? '' },
    ]),
  );
}

/**
 * EXCHANGE TABLES per pair (RENAME where the live table does not exist yet: a table the
 * model gained). Views route by name; the rollup views are then created again from today's
 * model, so a view whose logic or state types changed feeds the rebuilt tables with its new
 * definition. Runs under the hold, when no live insert can pass a view. A pair whose live
 * name already holds the shadow's table (a resumed swap) is skipped.
 */
export async function exchange(
  clickhouse: ClickHouseClient,
  family: StreamFamily,
  names: TableNames,
  plan: Plan,
) {
  const now = await uuids(clickhouse, family, names);
  for (const t of familyTables(family)) {
    const recorded = plan.uuids?.[t];
    if (recorded && now[t]?.live === recorded.shadow) continue;
    const live = qualified({ ...names, suffix: '' }, t);
    await clickhouse.command({
      query: now[t]?.live
        ? `EXCHANGE TABLES ${live} AND ${qualified(names, t)}`
        : `RENAME TABLE ${qualified(names, t)} TO ${live}`,
    });
  }
  for (const view of rollupViews(family, { ...names, suffix: '' })) {
    await clickhouse.command({ query: `DROP VIEW IF EXISTS ${view.name} SYNC` });
    await clickhouse.command({ query: view.ddl });
  }
  // What was verified is what is live now.
  for (const t of family.raw) {
    const expected = plan.shadowRows?.[t];
    if (expected === undefined) continue;
    const n = await countRows(clickhouse, qualified({ ...names, suffix: '' }, t));
    if (n !== expected)
      throw new Error(
        `after the swap ${t} has ${n} rows, the verified shadow had ${expected}; old tables kept as ${t}${names.suffix}`,
      );
  }
}

/** Drops every shadow table and view of the suffix. */
export async function dropShadow(clickhouse: ClickHouseClient, names: TableNames) {
  const rows = await (
    await clickhouse.query({
      query: `SELECT name, engine FROM system.tables WHERE database = {db:String} AND endsWith(name, {suffix:String})`,
      query_params: { db: names.database, suffix: names.suffix },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine: string }>();
  // Views first, so no view is left pointing at a dropped table.
  rows.sort(
    (a, b) => Number(b.engine === 'MaterializedView') - Number(a.engine === 'MaterializedView'),
  );
  for (const r of rows)
    await clickhouse.command({
      query: `DROP ${r.engine === 'MaterializedView' ? 'VIEW' : 'TABLE'} IF EXISTS ${ident(names.database)}.${ident(r.name)} SYNC`,
    });
}
