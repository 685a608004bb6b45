import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, migrate, MIGRATIONS, rollupViews } from '@backbone/warehouse';
import { DISTINCT_PRECISION, TABLES, WEB_ROLLUP_TABLES } from '@backbone/warehouse/tables';
import { rebuildFamily } from '../src/migrate.js';
import { pageViews } from './event-set.js';
import { clickhouseRegistryUrl } from './pipeline-fixture.js';
import { livePipeline, logger } from './replay-fixture.js';

const REBUILD = MIGRATIONS.find((m) => m.rebuild)!;
const DISTINCT = `uniqCombined(${DISTINCT_PRECISION})`;

/**
 * An installation from before the rebuild migration: the web rollups as they were (visitor
 * and session states of `uniq`, no visitors rollups), and the migration not on record.
 */
async function downgrade(live: Awaited<ReturnType<typeof livePipeline>>) {
  const names = { database: live.p.database, suffix: '' };
  for (const v of rollupViews(FAMILIES.web!, names))
    await live.exec(`DROP VIEW IF EXISTS ${v.name} SYNC`);
  for (const t of WEB_ROLLUP_TABLES) await live.exec(`DROP TABLE IF EXISTS {db}.${t} SYNC`);
  const before = (sql: string) =>
    sql
      .replaceAll(`uniqCombinedState(${DISTINCT_PRECISION})`, 'uniqState')
      .replaceAll(DISTINCT, 'uniq');
  for (const m of MIGRATIONS.filter((m) =>
    ['0002_web_rollups', '0007_coarse_traffic'].includes(m.id),
  ))
    for (const sql of m.statements(names)) await live.p.clickhouse.command({ query: before(sql) });
  await live.exec(
    `ALTER TABLE {db}.${TABLES.schemaMigrations} DELETE WHERE id = '${REBUILD.id}' SETTINGS mutations_sync = 2`,
  );
}

const typeOf = async (
  live: Awaited<ReturnType<typeof livePipeline>>,
  table: string,
  column: string,
) =>
  (
    await live.p.rows<{ type: string }>(
      `SELECT type FROM system.columns WHERE database = '${live.p.database}' AND table = '${table}' AND name = '${column}'`,
    )
  )[0]?.type;

describe('a migration that changes rollup state types, on a populated warehouse', () => {
  let live: Awaited<ReturnType<typeof livePipeline>>;
  beforeAll(async () => {
    live = await livePipeline();
    await downgrade(live);
  }, 60_000);
  afterAll(async () => {
    await live?.watch.stop();
    await live?.p.close();
  });

  it('rebuilds the web tables under the live sinks’ hold while events flow: nothing lost or doubled', async () => {
    await live.p.produce('web', pageViews(1000, { sessions: 50 }));
    await live.settle(1000);
    expect(await typeOf(live, TABLES.webPages1h, 'visitors')).toBe(
      'AggregateFunction(uniq, String)',
    );
    let produced = 1000;
    let flowing = true;
    const traffic = (async () => {
      while (flowing) {
        await live.p.produce('web', pageViews(20, { sessions: 2 }));
        produced += 20;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    const lines: string[] = [];
    const env = {
      kafka: live.p.kafka,
      registry: live.p.registry,
      clickhouseRegistryUrl: clickhouseRegistryUrl(),
      clickhouse: live.p.clickhouse,
      database: live.p.database,
      logger,
      liveGroup: `${live.p.id}-sink`,
      topics: live.p.topics,
      print: (l: string) => lines.push(l),
    };
    // Without Kafka to hold the live sinks, the migration is refused and nothing changes.
    await expect(
      migrate({ client: live.p.clickhouse, database: live.p.database, logger }),
    ).rejects.toThrow(new RegExp(`${REBUILD.id} rebuilds the web tables from their \\d+ raw rows`));
    const result = await migrate({
      client: live.p.clickhouse,
      database: live.p.database,
      logger,
      rebuild: (family) => rebuildFamily(env, family),
    });
    expect(result.applied).toEqual([REBUILD.id]);
    const report = lines.join('\n');
    // Exact columns verified equal; a table the model gained is new; none differ.
    expect(report).toMatch(new RegExp(`${TABLES.webTraffic1m} .* same`));
    expect(report).toMatch(new RegExp(`${TABLES.webPages1h} .* same`));
    expect(report).toMatch(new RegExp(`${TABLES.webVisitors1d} .* new`));
    expect(report).not.toMatch(/differs:/);
    // Events keep arriving after the swap and pass the views created again.
    await new Promise((r) => setTimeout(r, 1500));
    flowing = false;
    await traffic;
    await live.settle(produced);

    expect(await typeOf(live, TABLES.webPages1h, 'visitors')).toBe(
      `AggregateFunction(${DISTINCT}, String)`,
    );
    expect(await typeOf(live, TABLES.webTraffic1m, 'visitors')).toBeUndefined();
    const f = await live.figures();
    expect(f).toEqual({
      ...f,
      rows: produced,
      events: produced,
      traffic: produced,
      hourly: produced,
      pages: produced,
    });
    for (const t of [TABLES.webVisitors1m, TABLES.webVisitors1h, TABLES.webVisitors1d])
      expect(await live.n(`SELECT sum(events) FROM {db}.${t}`)).toBe(produced);
    // Small sets are counted exactly: the estimate is the raw table's exact count.
    const exact = await live.n(
      `SELECT uniqExact(coalesce(anonymous_id, session_id)) FROM {db}.${TABLES.webEvents}`,
    );
    expect(
      await live.n(
        `SELECT uniqCombinedMerge(${DISTINCT_PRECISION})(visitors) FROM {db}.${TABLES.webVisitors1d}`,
      ),
    ).toBe(exact);
    expect(await live.shadows()).toEqual([]);
    // Migrating again changes nothing.
    const again = await migrate({ client: live.p.clickhouse, database: live.p.database, logger });
    expect(again.applied).toEqual([]);
  }, 240_000);
});
