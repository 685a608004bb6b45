import { afterAll, describe, expect, it } from 'vitest';
import { testClickHouse } from '@backbone/test';
import { modelDdl } from '../src/migrate.js';

/**
 * The cluster form cannot run here (the embedded engine has no Keeper, so no replicated
 * table or ON CLUSTER statement), so it is checked as far as the engine allows: ClickHouse's
 * own parser takes every statement, and the two sharding keys a row can meet (the landing
 * table's and the raw table's) hash a tenant and session to the same value.
 */
const clickhouse = testClickHouse();
afterAll(() => clickhouse.close());

describe('the cluster form of the model, against the engine', () => {
  it("parses, every statement, in ClickHouse's parser", async () => {
    const refused: string[] = [];
    const statements = modelDdl({ database: 'analytics', suffix: '' }, 'events');
    for (const statement of statements) {
      try {
        await (
          await clickhouse.query({ query: `EXPLAIN AST ${statement}`, format: 'TabSeparated' })
        ).text();
      } catch (err) {
        refused.push(`${statement.split('\n')[0]}: ${(err as Error).message}`);
      }
    }
    expect(statements.length).toBeGreaterThan(100);
    expect(refused).toEqual([]);
  });

  it('sends a session to one shard by either path: landing and raw keys hash alike', async () => {
    // The landing table has String columns; the raw table LowCardinality(String) and String.
    const rows = await (
      await clickhouse.query({
        query: `SELECT
  cityHash64(CAST(t AS LowCardinality(String)), s) AS raw,
  cityHash64(CAST(t AS String), CAST(s AS String)) AS landing
FROM (SELECT arrayJoin(['acme', 'globex', 'ü-tenant']) AS t, arrayJoin(['s-1', '', 'a:b']) AS s)`,
        format: 'JSONEachRow',
      })
    ).json<{ raw: string; landing: string }>();
    expect(rows).toHaveLength(9);
    for (const r of rows) expect(r.raw).toBe(r.landing);
    expect(new Set(rows.map((r) => r.raw)).size).toBe(9);
  });
});
