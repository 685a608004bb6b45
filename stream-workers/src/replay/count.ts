import type { ClickHouseClient } from '@clickhouse/client';

/** Rows of a (qualified) table, optionally under a condition the caller built. */
export async function countRows(
  client: ClickHouseClient,
  table: string,
  where?: string,
): Promise<number> {
  const [row] = await (
    await client.query({
      query: `SELECT count() AS n FROM ${table}${where ? ` WHERE ${where}` : ''}`,
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>();
  return Number(row?.n ?? 0);
}
