import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES, migrate, MIGRATIONS, rollupViews } from '@backbone/warehouse';
import { DISTINCT_PRECISION, TABLES, WEB_ROLLUP_TABLES } from '@backbone/warehouse/tables';
import { rebuildFamily } from '../src/migrate.js';
import { pageViews } from './event-set.js';
import { livePipeline, logger } from './replay-fixture.js';

const REBUILD = MIGRATIONS.find((m) => m.rebuild === 'web')!;
const STT = MIGRATIONS.find((m) => m.rebuild === 'stt')!;
const SEGMENTS = MIGRATIONS.find((m) => m.id === '0011_session_segments')!;
const DISTINCT = `uniqCombined(${DISTINCT_PRECISION})`;

/**
 * An installation from before the rebuild migration: the web rollups as they were (traffic
 * by event type, visitor and session states of `uniq`, no devices or countries by day), and
 * the migration not on record.
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
    for (const sql of m.statements(names)) {
      const grain = /`web_traffic_1([mhd])(_mv)?`/.exec(sql);
      await live.p.clickhouse.command({
        query: grain ? oldTraffic(live.p.database, grain[1]!, !!grain[2]) : before(sql),
      });
    }
  // And before 0010: no STT quality by hour or day (the STT family has no rows here, so
  // that migration only creates them).
  for (const t of [TABLES.sttQuality1h, TABLES.sttQuality1d]) {
    await live.exec(`DROP VIEW IF EXISTS {db}.${t}_mv SYNC`);
    await live.exec(`DROP VIEW IF EXISTS {db}.${t}_sessions_mv SYNC`);
    await live.exec(`DROP TABLE IF EXISTS {db}.${t} SYNC`);
  }
  // And before 0011: no session segments (a second web rebuild, done by the same one).
  for (const t of [TABLES.webSessionSegments1h, TABLES.webSessionLandings1h])
    await live.exec(`DROP TABLE IF EXISTS {db}.${t} SYNC`);
  await live.exec(
    `ALTER TABLE {db}.${TABLES.schemaMigrations} DELETE WHERE id IN ('${REBUILD.id}', '${STT.id}', '${SEGMENTS.id}') SETTINGS mutations_sync = 2`,
  );
}

/** The traffic rollups before 0009: by event type, with visitor and session states of `uniq`. */
function oldTraffic(db: string, grain: string, view: boolean): string {
  const [time, type, bucket] = (
    {
      m: ['minute', "DateTime('UTC')", 'toStartOfMinute(occurred_at)'],
      h: ['hour', "DateTime('UTC')", 'toStartOfHour(occurred_at)'],
      d: ['day', 'Date', 'toDate(occurred_at)'],
    } as const
  )[grain as 'm' | 'h' | 'd'];
  const table = `\`${db}\`.\`web_traffic_1${grain}\``;
  if (view)
    return `CREATE MATERIALIZED VIEW IF NOT EXISTS \`${db}\`.\`web_traffic_1${grain}_mv\` TO ${table} AS
SELECT e.tenant_id, ${bucket.replace('occurred_at', 'e.occurred_at')} AS ${time}, e.event_type,
  count() AS events, uniqState(coalesce(e.anonymous_id, e.session_id)) AS visitors,
  uniqState(e.session_id) AS sessions,
  sumIf(coalesce(e.value, 0), e.event_type = 'conversion') AS revenue
FROM \`${db}\`.\`web_events\` AS e
GROUP BY tenant_id, ${time}, event_type`;
  return `CREATE TABLE IF NOT EXISTS ${table} (
  tenant_id LowCardinality(String), ${time} ${type}, event_type LowCardinality(String),
  events SimpleAggregateFunction(sum, UInt64), visitors AggregateFunction(uniq, String),
  sessions AggregateFunction(uniq, String), revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(${time})
ORDER BY (tenant_id, ${time}, event_type)`;
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
    expect(await typeOf(live, TABLES.webTraffic1d, 'event_type')).toBe('LowCardinality(String)');
    expect(await typeOf(live, TABLES.webDevices1d, 'events')).toBeUndefined();
    const traffic = live.flow(1000);
    await new Promise((r) => setTimeout(r, 1000));
    const lines: string[] = [];
    const env = live.env(lines);
    const rebuilds: string[] = [];
    // Without Kafka to hold the live sinks, the migration is refused and nothing changes.
    await expect(
      migrate({ client: live.p.clickhouse, database: live.p.database, logger }),
    ).rejects.toThrow(new RegExp(`${REBUILD.id} rebuilds the web tables from their \\d+ raw rows`));
    const result = await migrate({
      client: live.p.clickhouse,
      database: live.p.database,
      logger,
      rebuild: (family) => {
        rebuilds.push(family);
        return rebuildFamily(env, family);
      },
    });
    expect(result.applied).toEqual([REBUILD.id, STT.id, SEGMENTS.id]);
    // One rebuild made today's whole web model: 0011's tables came with 0009's.
    expect(rebuilds).toEqual(['web']);
    expect(await typeOf(live, TABLES.webSessionSegments1h, 'visitors')).toBe(
      `AggregateFunction(${DISTINCT}, String)`,
    );
    expect(await typeOf(live, TABLES.sttQuality1d, 'segments')).toBe(
      'SimpleAggregateFunction(sum, UInt64)',
    );
    const report = lines.join('\n');
    // What both shapes hold alike is verified equal: the traffic's events and revenue by
    // tenant and minute (live summed over its event types), the pages' exact columns.
    expect(report).toMatch(new RegExp(`${TABLES.webTraffic1m} .* same`));
    expect(report).toMatch(new RegExp(`${TABLES.webPages1h} .* same`));
    expect(report).toMatch(new RegExp(`${TABLES.webSessions} .* same`));
    expect(report).toMatch(new RegExp(`${TABLES.webDevices1d} .* new`));
    expect(report).not.toMatch(/differs:/);
    // Events keep arriving after the swap and pass the views created again.
    await new Promise((r) => setTimeout(r, 1500));
    const produced = await traffic.stop();
    await live.settle(produced);

    expect(await typeOf(live, TABLES.webPages1h, 'visitors')).toBe(
      `AggregateFunction(${DISTINCT}, String)`,
    );
    expect(await typeOf(live, TABLES.webTraffic1m, 'event_type')).toBeUndefined();
    expect(await live.n(`SELECT sum(events) FROM {db}.${TABLES.webDevices1d}`)).toBe(produced);
    expect(await typeOf(live, TABLES.webTraffic1d, 'visitors')).toBe(
      `AggregateFunction(${DISTINCT}, String)`,
    );
    const f = await live.figures();
    expect(f).toEqual({
      ...f,
      rows: produced,
      events: produced,
      traffic: produced,
      hourly: produced,
      pages: produced,
    });
    expect(await live.n(`SELECT sum(events) FROM {db}.${TABLES.webTraffic1d}`)).toBe(produced);
    expect(await live.n(`SELECT sum(page_views) FROM {db}.${TABLES.webTraffic1d}`)).toBe(produced);
    // Small sets are counted exactly: the estimate is the raw table's exact count.
    const exact = await live.n(
      `SELECT uniqExact(coalesce(anonymous_id, session_id)) FROM {db}.${TABLES.webEvents}`,
    );
    expect(
      await live.n(
        `SELECT uniqCombinedMerge(${DISTINCT_PRECISION})(visitors) FROM {db}.${TABLES.webTraffic1d}`,
      ),
    ).toBe(exact);
    expect(await live.shadows()).toEqual([]);
    // Migrating again changes nothing.
    const again = await migrate({ client: live.p.clickhouse, database: live.p.database, logger });
    expect(again.applied).toEqual([]);
  }, 240_000);
});
