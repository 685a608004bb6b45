import type { ClickHouseClient } from '@clickhouse/client';
import { ident, qualified, type StreamFamily, type TableNames } from '@backbone/warehouse';
import { countRows } from './count.js';
import type { Plan } from './plan.js';
import type { TopicOffsets } from './positions.js';

/**
 * Copies the live rows the plan keeps into the shadow raw tables (their views fill the shadow
 * rollups): offsets before the start, and with an end, offsets from the end up to `until`
 * (from `after` on, when a first copy went before). Offsets are computed, never operator text.
 */
export async function copyFromLive(
  clickhouse: ClickHouseClient,
  family: StreamFamily,
  names: TableNames,
  plan: Plan,
  bounds: TopicOffsets[],
  until: Map<string, bigint>,
  after: Map<string, bigint> | undefined,
): Promise<number> {
  let copied = 0;
  for (const i of family.streams.keys()) {
    const t = bounds[i]!;
    const conditions = [...t.bounds.keys()].map((p) => {
      const key = `${t.topic}:${p}`;
      const start = BigInt(plan.start[key] ?? '0');
      const end = plan.end ? BigInt(plan.end[key] ?? '0') : undefined;
      const upTo = until.get(key) ?? 0n;
      const ranges: [bigint, bigint][] = [];
      if (!after) {
        // Everything before the start that live has; with an end, live's rows from it on.
        ranges.push([0n, start]);
        if (end !== undefined) ranges.push([end, upTo]);
      } else {
        // Under the hold: what live wrote since the first copy (live was behind, or the end).
        const since = after.get(key) ?? 0n;
        ranges.push([since, start < upTo ? start : upTo]);
        if (end !== undefined) ranges.push([end > since ? end : since, upTo]);
      }
      const parts = ranges
        .filter(([lo, hi]) => hi > lo)
        .map(([lo, hi]) => `(_offset >= ${lo} AND _offset < ${hi})`);
      return parts.length ? `(_partition = ${p} AND (${parts.join(' OR ')}))` : '';
    });
    const table = family.raw[i]!;
    const columns = await (
      await clickhouse.query({
        query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}
  AND name IN (SELECT name FROM system.columns WHERE database = {db:String} AND table = {s:String})
ORDER BY position`,
        query_params: { db: names.database, t: table, s: table + names.suffix },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    const cols = columns.map((c) => ident(c.name)).join(', ');
    const where = conditions.filter(Boolean).join(' OR ');
    if (!where) continue;
    const n = await countRows(clickhouse, qualified({ ...names, suffix: '' }, table), where);
    if (n === 0) continue;
    await clickhouse.command({
      query: `INSERT INTO ${qualified(names, table)} (${cols})
SELECT ${cols} FROM ${qualified({ ...names, suffix: '' }, table)} WHERE ${where}`,
      clickhouse_settings: { insert_deduplicate: 0, max_partitions_per_insert_block: '0' },
    });
    copied += n;
  }
  return copied;
}
