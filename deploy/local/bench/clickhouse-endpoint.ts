/**
 * Benchmark: INSERT bodies and point queries through the local ClickHouse HTTP endpoint,
 * beside chDB called in-process, side by side in one run.
 *   npm run bench:clickhouse [-- --rows 400000 --batch 50000 --queries 500]
 * Starts its own endpoint on a free port and a temporary data directory; prints figures:
 * rows/s per body format (JSONCompactEachRow, RowBinary, AvroConfluent), the endpoint's CPU
 * per row, point-query p50/p99, and its resident memory afterwards.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import avro from 'avsc';
import { createClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { freePort, startClickHouseProcess, stopProcess } from '../src/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '400000' },
    batch: { type: 'string', default: '50000' },
    queries: { type: 'string', default: '500' },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const QUERIES = Number(values.queries);
const BATCHES = Math.ceil(ROWS / BATCH);

const TABLE = `(tenant LowCardinality(String), session String, at DateTime64(3, 'UTC'), ms UInt32)
  ENGINE = MergeTree ORDER BY (tenant, at)`;
const ROWS_SQL = (offset: number) =>
  `SELECT concat('t', toString(number % 7)) AS tenant, concat('s', toString(number % 5000)) AS session,
     toDateTime64(1735689600 + number * 0.037, 3, 'UTC') AS at, toUInt32((number * 7919) % 2000) AS ms
   FROM numbers(${offset}, ${BATCH})`;

/** The one Avro schema of the bench, as a registry would serve it under id 1. */
const SCHEMA = {
  type: 'record',
  name: 'Event',
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'session', type: 'string' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'ms', type: 'int' },
  ],
} as const;

/**
 * The Confluent registry contract the engine uses (GET /schemas/ids/{id}), for this bench's
 * one schema: the engine fetches a schema once and caches it, so this stand-in does not
 * enter the figures, and the bench needs no Kafka.
 */
async function schemaServer(): Promise<{ url: string; close: () => void }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    if (req.url === '/schemas/ids/1') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify({ schema: JSON.stringify(SCHEMA) }));
    } else {
      res.writeHead(404).end('{"error_code":40403,"message":"Schema not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

function avroConfluent(jsonRows: string): Buffer {
  const type = avro.Type.forSchema(SCHEMA as unknown as avro.Schema);
  const header = Buffer.from([0, 0, 0, 0, 1]);
  const parts: Buffer[] = [];
  for (const line of jsonRows.split('\n')) {
    if (!line) continue;
    const [tenant, session, at, ms] = JSON.parse(line) as [string, string, string, number];
    parts.push(header, type.toBuffer({ tenant, session, at: Date.parse(`${at}Z`), ms }));
  }
  return Buffer.concat(parts);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
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
const url = `http://127.0.0.1:${port}`;
const client = createClient({ url, password: 'bench' });
const session = new Session(path.join(dir, 'direct'));
const registry = await schemaServer();
const auth = { Authorization: `Basic ${Buffer.from('default:bench').toString('base64')}` };

async function post(query: string, body: Buffer): Promise<void> {
  const res = await fetch(`${url}/?${query}`, { method: 'POST', headers: auth, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 300)}`);
}

type Bodies = Record<'JSONCompactEachRow' | 'RowBinary' | 'AvroConfluent', Buffer[]>;

async function makeBodies(): Promise<Bodies> {
  const bodies: Bodies = { JSONCompactEachRow: [], RowBinary: [], AvroConfluent: [] };
  for (let b = 0; b < BATCHES; b++) {
    const sql = ROWS_SQL(b * BATCH);
    const json = (await session.queryAsync(sql, { format: 'JSONCompactEachRow' })).text();
    bodies.JSONCompactEachRow.push(Buffer.from(json));
    bodies.RowBinary.push(
      Buffer.from((await session.queryAsync(sql, { format: 'RowBinary' })).bytes()),
    );
    bodies.AvroConfluent.push(avroConfluent(json));
  }
  return bodies;
}

async function timed(run: () => Promise<void>, pid?: number) {
  const cpu = pid ? cpuSeconds(pid) : 0;
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  return {
    rowsPerSecond: Math.round(ROWS / seconds),
    cpuMicrosPerRow: pid ? ((cpuSeconds(pid) - cpu) * 1e6) / ROWS : undefined,
  };
}

async function insertFigures(bodies: Bodies) {
  const lines: string[] = [];
  for (const format of Object.keys(bodies) as (keyof Bodies)[]) {
    const table = `events_${format}`;
    await client.command({ query: `CREATE TABLE ${table} ${TABLE}` });
    await session.queryAsync(`CREATE TABLE ${table} ${TABLE}`);
    const settings =
      format === 'AvroConfluent'
        ? `format_avro_schema_registry_url=${encodeURIComponent(registry.url)}&`
        : '';
    const http = await timed(async () => {
      for (const body of bodies[format]) {
        await post(
          `${settings}query=${encodeURIComponent(`INSERT INTO ${table} FORMAT ${format}`)}`,
          body,
        );
      }
    }, proc.pid);
    // In-process: the engine reads the same bytes from a file, its fastest way in for them.
    const file = path.join(dir, 'body');
    const inProcess = await timed(async () => {
      for (const body of bodies[format]) {
        writeFileSync(file, body);
        await session.queryAsync(
          `INSERT INTO ${table} FROM INFILE '${file}' ${format === 'AvroConfluent' ? `SETTINGS format_avro_schema_registry_url = '${registry.url}' ` : ''}FORMAT ${format}`,
        );
      }
    });
    const count = (await session.queryAsync(`SELECT count() FROM ${table}`, { format: 'TSV' }))
      .text()
      .trim();
    if (Number(count) !== ROWS) throw new Error(`${format}: ${count} rows in-process, not ${ROWS}`);
    lines.push(
      `${format.padEnd(19)} endpoint ${String(http.rowsPerSecond).padStart(9)} rows/s (${http.cpuMicrosPerRow?.toFixed(2)} CPU µs/row in the endpoint)` +
        `   chDB in-process ${String(inProcess.rowsPerSecond).padStart(9)} rows/s   ratio ${(http.rowsPerSecond / inProcess.rowsPerSecond).toFixed(2)}`,
    );
  }
  return lines;
}

async function queryFigures() {
  const latency = async (run: (k: string) => Promise<void>) => {
    const all: number[] = [];
    for (let q = 0; q < QUERIES; q++) {
      const started = performance.now();
      await run(`s${q % 5000}`);
      all.push(performance.now() - started);
    }
    all.sort((a, b) => a - b);
    return `p50 ${percentile(all, 0.5).toFixed(2)} ms  p99 ${percentile(all, 0.99).toFixed(2)} ms`;
  };
  const sql = 'SELECT count() AS n FROM events_RowBinary WHERE session = {k:String}';
  const http = await latency(async (k) => {
    await (await client.query({ query: sql, query_params: { k }, format: 'JSONEachRow' })).json();
  });
  const inProcess = await latency(async (k) => {
    (await session.queryBindAsync(sql, { k }, { format: 'JSONEachRow' })).text();
  });
  return `point query         endpoint ${http}   chDB in-process ${inProcess}`;
}

try {
  const bodies = await makeBodies();
  console.log(
    `${ROWS} rows in ${BATCHES} INSERTs of ${BATCH} rows per format, then ${QUERIES} point queries`,
  );
  for (const line of await insertFigures(bodies)) console.log(line);
  console.log(await queryFigures());
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1];
  console.log(`endpoint process RSS after the run: ${Math.round(Number(rss) / 1024)} MiB`);
} finally {
  registry.close();
  await client.close();
  session.close();
  await stopProcess(proc.pid);
  rmSync(dir, { recursive: true, force: true });
}
