/**
 * Benchmark: the local ClickHouse HTTP endpoint against chDB called in-process, side by
 * side in one run — what the HTTP layer and serial execution cost the services.
 *   npm run bench:clickhouse [-- --rows 200000 --batch 20000 --queries 500]
 * Starts its own endpoint on a free port and a temporary data directory; prints figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { freePort, startClickHouseProcess, stopProcess } from '../src/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '20000' },
    queries: { type: 'string', default: '500' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const QUERIES = Number(values.queries);

const DDL = [
  `CREATE TABLE events (tenant LowCardinality(String), session String, at DateTime64(3), ms UInt32)
   ENGINE = MergeTree ORDER BY (tenant, at) SETTINGS non_replicated_deduplication_window = 1000`,
  `CREATE TABLE per_tenant (tenant LowCardinality(String), n AggregateFunction(count), p95 AggregateFunction(quantile(0.95), UInt32))
   ENGINE = AggregatingMergeTree ORDER BY tenant SETTINGS non_replicated_deduplication_window = 1000`,
  `CREATE MATERIALIZED VIEW per_tenant_mv TO per_tenant AS
   SELECT tenant, countState() AS n, quantileState(0.95)(ms) AS p95 FROM events GROUP BY tenant`,
];

function batchText(offset: number): string {
  const lines: string[] = [];
  for (let i = offset; i < offset + BATCH; i++) {
    const at = new Date(1_735_689_600_000 + i * 37)
      .toISOString()
      .replace('T', ' ')
      .replace('Z', '');
    lines.push(
      JSON.stringify({ tenant: `t${i % 7}`, session: `s${i % 5000}`, at, ms: (i * 7919) % 2000 }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function measure(
  label: string,
  insert: (sql: string, token: string) => Promise<void>,
  query: (k: string) => Promise<void>,
) {
  const batches = Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, b) => batchText(b * BATCH));
  let started = performance.now();
  for (const [b, text] of batches.entries()) await insert(text, `bench:0:${b}`);
  const insertSeconds = (performance.now() - started) / 1000;
  const latencies: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    started = performance.now();
    await query(`s${q % 5000}`);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} insert ${String(Math.round(ROWS / insertSeconds)).padStart(9)} rows/s (${insertSeconds.toFixed(2)} s)` +
      `   point query p50 ${percentile(latencies, 0.5).toFixed(2)} ms  p99 ${percentile(latencies, 0.99).toFixed(2)} ms`,
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-clickhouse-'));
const port = await freePort();
const proc = await startClickHouseProcess({
  stackDir: dir,
  dataDir: path.join(dir, 'http'),
  port,
  password: 'bench',
  readerPassword: 'bench-r',
  logFile: path.join(dir, 'ch.log'),
});
const client = createClient({ url: `http://127.0.0.1:${port}`, password: 'bench' });
const session = new Session(path.join(dir, 'direct'));
try {
  console.log(
    `${ROWS} rows in batches of ${BATCH} (JSONEachRow, dedup token, one materialized view), then ${QUERIES} point queries`,
  );
  for (const ddl of DDL) await client.command({ query: ddl });
  await measure(
    'HTTP endpoint',
    async (text, token) => {
      const { stream } = await client.exec({
        query: 'INSERT INTO events FORMAT JSONEachRow',
        values: Readable.from([text]),
        clickhouse_settings: {
          insert_deduplication_token: token,
          deduplicate_blocks_in_dependent_materialized_views: 1,
        },
      });
      // An INSERT answers with an empty body; read it so the socket goes back to the pool.
      for await (const _chunk of stream as AsyncIterable<Buffer>) void _chunk;
    },
    async (k) => {
      await (
        await client.query({
          query: 'SELECT count() AS n FROM events WHERE session = {k:String}',
          query_params: { k },
          format: 'JSONEachRow',
        })
      ).json();
    },
  );
  for (const ddl of DDL) await session.queryAsync(ddl);
  await measure(
    'chDB in-process',
    async (text, token) => {
      await session.queryAsync(
        `INSERT INTO events SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1 FORMAT JSONEachRow\n${text}`,
      );
    },
    async (k) => {
      (
        await session.queryBindAsync(
          'SELECT count() AS n FROM events WHERE session = {k:String}',
          { k },
          { format: 'JSONEachRow' },
        )
      ).text();
    },
  );
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
  console.log(`endpoint process RSS after the run: ${Math.round(Number(rss) / 1024)} MiB`);
} finally {
  await client.close();
  session.close();
  await stopProcess(proc.pid);
  rmSync(dir, { recursive: true, force: true });
}
