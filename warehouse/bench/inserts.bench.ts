/**
 * npm run bench:inserts [-- --inserts 30 --rows 600]
 * What one INSERT costs the ClickHouse endpoint of a private local stack, by what it writes:
 * a request that does nothing (SELECT 1), rows into a plain MergeTree copy of web_events (no
 * views), and the same rows into web_events, whose materialized views fill the web rollups,
 * with the sink's deduplication settings. Small inserts (one partition's second of traffic)
 * beside large ones give the fixed cost per insert and the cost per row. CPU from /proc, by
 * thread pool; merges run behind inserts, so some of one step's merging is charged to the
 * next. The rows are random (generateRandom), every one its own group in every rollup: the
 * cost per row is a worst case, the fixed cost is not. Prints figures; no pass/fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { downOnSignal, downStack, upStack } from '@backbone/deploy/local';
import { createLogger } from '@backbone/runtime';
import { cpuSeconds, ThreadMeter } from '@backbone/test';
import { migrate } from '../src/migrate.js';
import { TABLES } from '../src/tables.js';

const { values } = parseArgs({
  options: {
    inserts: { type: 'string', default: '30' },
    rows: { type: 'string', default: '600' },
    large: { type: 'string', default: '50000' },
  },
});
const INSERTS = Number(values.inserts);
const SMALL = Number(values.rows);
const LARGE = Number(values.large);

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-inserts-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '512m' });
downOnSignal(dir);
const ch = createClient({
  url: stack.endpoints.clickhouseUrl,
  username: stack.endpoints.clickhouseUser,
  password: stack.endpoints.clickhousePassword,
});
const pid = stack.clickhouse.pid;
const db = 'analytics';

/** Rows like the sink's: today's timestamps (TTL keeps them), random everything else. */
async function source(name: string, rows: number) {
  const columns = await (
    await ch.query({
      query: `SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {t:String}
        AND default_kind NOT IN ('MATERIALIZED', 'ALIAS') ORDER BY position`,
      query_params: { db, t: TABLES.webEvents },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; type: string }>();
  const structure = columns.map((c) => `${c.name} ${c.type}`).join(', ');
  await ch.command({
    query: `CREATE TABLE ${db}.${name} ENGINE = MergeTree ORDER BY tuple() AS
      SELECT * REPLACE (now64(3) AS occurred_at, now64(3) AS received_at, 'acme' AS tenant_id,
        'page_view' AS event_type)
      FROM generateRandom({structure:String}, 1, 16, 2) LIMIT ${rows}`,
    query_params: { structure },
  });
}

interface Cost {
  label: string;
  rows: number;
  msPerInsert: number;
  pools: [string, number][];
}

async function measure(label: string, sql: string, rows: number, dedup: boolean): Promise<Cost> {
  const meter = new ThreadMeter(pid);
  const cpu0 = cpuSeconds(pid);
  const n = rows >= LARGE ? Math.max(3, Math.round(INSERTS / 10)) : INSERTS;
  for (let i = 0; i < n; i++)
    await ch.command({
      query: sql,
      clickhouse_settings: dedup
        ? {
            insert_deduplication_token: `${label}-${i}`,
            deduplicate_blocks_in_dependent_materialized_views: 1,
          }
        : {},
    });
  return {
    label,
    rows,
    msPerInsert: ((cpuSeconds(pid) - cpu0) * 1000) / n,
    pools: meter.perEvent(n).slice(0, 4),
  };
}

try {
  await migrate({
    client: ch,
    database: db,
    logger: createLogger({ name: 'bench', level: 'warn' }),
  });
  await ch.command({
    query: `CREATE TABLE ${db}.plain AS ${db}.${TABLES.webEvents} ENGINE = MergeTree ORDER BY tuple()`,
  });
  await source('small', SMALL);
  await source('large', LARGE);
  const costs: Cost[] = [
    await measure('a request that does nothing (SELECT 1)', 'SELECT 1', 0, false),
  ];
  for (const [size, rows] of [
    ['small', SMALL],
    ['large', LARGE],
  ] as const) {
    costs.push(
      await measure(
        `${rows} rows, plain MergeTree`,
        `INSERT INTO ${db}.plain SELECT * FROM ${db}.${size}`,
        rows,
        false,
      ),
      await measure(
        `${rows} rows, ${TABLES.webEvents} + views`,
        `INSERT INTO ${db}.${TABLES.webEvents} SELECT * FROM ${db}.${size}`,
        rows,
        true,
      ),
    );
  }
  console.log(`\nClickHouse endpoint CPU per INSERT (${INSERTS} small, fewer large; 2 cores):`);
  for (const c of costs)
    console.log(
      `  ${c.label.padEnd(40)} ${c.msPerInsert.toFixed(1).padStart(8)} ms${c.rows ? `  (${((c.msPerInsert * 1000) / c.rows).toFixed(1)} µs/row)` : ''}  ${c.pools.map(([t, us]) => `${t} ${(us / 1000).toFixed(1)}`).join(', ')}`,
    );
  const fixed = (small: Cost, large: Cost) => {
    const perRow = (large.msPerInsert - small.msPerInsert) / (large.rows - small.rows);
    return { perRowUs: perRow * 1000, fixedMs: small.msPerInsert - perRow * small.rows };
  };
  for (const [name, i] of [
    ['plain MergeTree', 1],
    [`${TABLES.webEvents} + views`, 2],
  ] as const) {
    const f = fixed(costs[i]!, costs[i + 2]!);
    console.log(
      `  ${name}: ~${f.fixedMs.toFixed(1)} ms fixed per insert + ${f.perRowUs.toFixed(1)} µs per row`,
    );
  }
} finally {
  await ch.close();
  await downStack(dir);
  rmSync(dir, { recursive: true, force: true });
}
