import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client';
import { freePort, startClickHouseProcess, stopProcess } from '@backbone/deploy/local';
import {
  createTestDatabase,
  testClickHouse,
  testStack,
  uniqueName,
  testTempDir,
} from '@backbone/test';

const DEDUP = 'SETTINGS non_replicated_deduplication_window = 1000';

let admin: ClickHouseClient;
let db: { name: string; drop: () => Promise<void> };

beforeAll(async () => {
  admin = testClickHouse();
  db = await createTestDatabase(admin, 'conformance');
});
afterAll(async () => {
  await db.drop();
  await admin.close();
});

describe('ClickHouse engine behind the local HTTP endpoint (@clickhouse/client)', () => {
  it('creates tables and a materialized view, inserts JSONEachRow and reads JSONEachRow, JSON and CSV with bound parameters', async () => {
    const t = `${db.name}.page_views`;
    await admin.command({
      query: `CREATE TABLE ${t} (tenant LowCardinality(String), url String, at DateTime64(3, 'UTC'), ms UInt32)
              ENGINE = MergeTree PARTITION BY toDate(at) ORDER BY (tenant, at)`,
    });
    await admin.command({
      query: `CREATE TABLE ${db.name}.per_url (tenant LowCardinality(String), url String, views AggregateFunction(count), p50 AggregateFunction(quantile(0.5), UInt32))
              ENGINE = AggregatingMergeTree ORDER BY (tenant, url)`,
    });
    await admin.command({
      query: `CREATE MATERIALIZED VIEW ${db.name}.per_url_mv TO ${db.name}.per_url AS
              SELECT tenant, url, countState() AS views, quantileState(0.5)(ms) AS p50 FROM ${t} GROUP BY tenant, url`,
    });
    await admin.insert({
      table: t,
      format: 'JSONEachRow',
      values: [
        { tenant: 'acme', url: '/a', at: '2025-01-15 10:00:00.000', ms: 10 },
        { tenant: 'acme', url: '/a', at: '2025-01-15 10:00:01.500', ms: 30 },
        { tenant: 'acme', url: '/b', at: '2025-01-15 10:00:02.000', ms: 20 },
        { tenant: 'other', url: '/a', at: '2025-01-15 10:00:03.000', ms: 99 },
      ],
    });

    const rows = await admin.query({
      query: `SELECT url, countMerge(views) AS views, quantileMerge(0.5)(p50) AS p50 FROM ${db.name}.per_url
              WHERE tenant = {tenant:String} GROUP BY url ORDER BY url`,
      query_params: { tenant: 'acme' },
      format: 'JSONEachRow',
    });
    expect(await rows.json()).toEqual([
      // ClickHouse 26 writes 64-bit integers unquoted in JSON formats by default.
      { url: '/a', views: 2, p50: 20 },
      { url: '/b', views: 1, p50: 20 },
    ]);

    const json = await admin.query({
      query: `SELECT url, ms FROM ${t} WHERE at >= {from:DateTime64(3)} AND ms > {min:UInt32} ORDER BY at`,
      query_params: { from: '2025-01-15 10:00:01', min: 15 },
      format: 'JSON',
    });
    const parsed = await json.json<{ url: string; ms: number }>();
    expect(parsed.data).toEqual([
      { url: '/a', ms: 30 },
      { url: '/b', ms: 20 },
      { url: '/a', ms: 99 },
    ]);
    expect(parsed.rows).toBe(3);

    const csv = await admin.query({
      query: `SELECT tenant, count() AS n FROM ${t} WHERE url IN {urls:Array(String)} GROUP BY tenant ORDER BY tenant`,
      query_params: { urls: ['/a', "/it's"] },
      format: 'CSV',
    });
    expect(await csv.text()).toBe('"acme",2\n"other",1\n');
  });

  it('raises ClickHouseError with the server code and type for a bad query', async () => {
    const missing = admin.query({
      query: `SELECT * FROM ${db.name}.does_not_exist`,
      format: 'JSONEachRow',
    });
    await expect(missing).rejects.toBeInstanceOf(ClickHouseError);
    await expect(missing).rejects.toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });
    await expect(admin.query({ query: 'selec 1' })).rejects.toMatchObject({
      code: '62',
      type: 'SYNTAX_ERROR',
    });
    await expect(
      admin.query({ query: 'SELECT {n:UInt8}', query_params: { n: 'not-a-number' } }),
    ).rejects.toMatchObject({ code: '457', type: 'BAD_QUERY_PARAMETER' });
  });
});

describe('ClickHouse engine behind the local HTTP endpoint (@clickhouse/client)', () => {
  it('drops a retried insert with the same insert_deduplication_token, in the table and in the view target', async () => {
    const src = `${db.name}.events_dedup`;
    const agg = `${db.name}.events_dedup_rollup`;
    await admin.command({
      query: `CREATE TABLE ${src} (k String, v UInt64) ENGINE = MergeTree ORDER BY k ${DEDUP}`,
    });
    await admin.command({
      query: `CREATE TABLE ${agg} (k String, total AggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k ${DEDUP}`,
    });
    await admin.command({
      query: `CREATE MATERIALIZED VIEW ${db.name}.events_dedup_mv TO ${agg} AS SELECT k, sumState(v) AS total FROM ${src} GROUP BY k`,
    });
    const batch = [
      { k: 'a', v: 5 },
      { k: 'b', v: 7 },
    ];
    for (let attempt = 0; attempt < 3; attempt++) {
      await admin.insert({
        table: src,
        format: 'JSONEachRow',
        values: batch,
        clickhouse_settings: {
          insert_deduplication_token: 'events.web.v1:0:100-101',
          deduplicate_blocks_in_dependent_materialized_views: 1,
        },
      });
    }
    // A different token is a different batch and lands.
    await admin.insert({
      table: src,
      format: 'JSONEachRow',
      values: [{ k: 'a', v: 1 }],
      clickhouse_settings: {
        insert_deduplication_token: 'events.web.v1:0:102-102',
        deduplicate_blocks_in_dependent_materialized_views: 1,
      },
    });
    const count = await admin.query({
      query: `SELECT count() AS n, sum(v) AS s FROM ${src}`,
      format: 'JSONEachRow',
    });
    expect(await count.json()).toEqual([{ n: 3, s: 13 }]);
    const rollup = await admin.query({
      query: `SELECT k, sumMerge(total) AS t FROM ${agg} GROUP BY k ORDER BY k`,
      format: 'JSONEachRow',
    });
    expect(await rollup.json()).toEqual([
      { k: 'a', t: 6 },
      { k: 'b', t: 7 },
    ]);
  });

  it('lets the read-only user read, and refuses it INSERT, DROP, table functions and setting changes', async () => {
    await admin.command({
      query: `CREATE TABLE ${db.name}.ro (x UInt8) ENGINE = MergeTree ORDER BY x`,
    });
    await admin.insert({ table: `${db.name}.ro`, values: [{ x: 1 }], format: 'JSONEachRow' });
    const reader = testClickHouse({ reader: true });
    try {
      const rows = await reader.query({
        query: `SELECT x FROM ${db.name}.ro`,
        format: 'JSONEachRow',
      });
      expect(await rows.json()).toEqual([{ x: 1 }]);
      const refused = { code: '164', type: 'READONLY' };
      await expect(
        reader.insert({ table: `${db.name}.ro`, values: [{ x: 2 }], format: 'JSONEachRow' }),
      ).rejects.toMatchObject(refused);
      await expect(reader.command({ query: `DROP TABLE ${db.name}.ro` })).rejects.toMatchObject(
        refused,
      );
      await expect(
        reader.command({ query: `INSERT INTO ${db.name}.ro SELECT 3` }),
      ).rejects.toMatchObject(refused);
      await expect(
        reader.query({ query: "SELECT * FROM file('/etc/passwd', 'LineAsString')" }),
      ).rejects.toMatchObject(refused);
      await expect(
        reader.query({ query: 'SELECT 1 SETTINGS max_execution_time = 0' }),
      ).rejects.toMatchObject(refused);
      // Limits may be lowered for one statement (changeable_in_readonly), never lifted.
      await expect(
        reader.query({ query: 'SELECT 1', clickhouse_settings: { max_result_rows: '0' } }),
      ).rejects.toMatchObject({ type: 'SETTING_CONSTRAINT_VIOLATION' });
      await expect(
        reader.query({
          query: 'SELECT number FROM numbers(10)',
          clickhouse_settings: { max_result_rows: '5' },
        }),
      ).rejects.toMatchObject({ type: 'TOO_MANY_ROWS_OR_BYTES' });
    } finally {
      await reader.close();
    }
    const still = await admin.query({
      query: `SELECT count() AS n FROM ${db.name}.ro`,
      format: 'JSONEachRow',
    });
    expect(await still.json()).toEqual([{ n: 1 }]);
  });
});

describe('ClickHouse engine behind the local HTTP endpoint (@clickhouse/client)', () => {
  it("never puts a failed statement's partial output in front of the next answer", async () => {
    for (const format of ['JSON', 'JSONCompactEachRowWithNamesAndTypes', 'CSVWithNames'] as const) {
      await expect(
        admin.query({
          query: 'SELECT number FROM numbers(10)',
          format,
          clickhouse_settings: { max_result_rows: '5', result_overflow_mode: 'throw' },
        }),
      ).rejects.toMatchObject({ type: 'TOO_MANY_ROWS_OR_BYTES' });
      const next = await admin.query({ query: 'SELECT 7 AS n', format: 'CSV' });
      expect(await next.text()).toBe('7\n');
    }
  });

  it('applies URL settings to one request only', async () => {
    const limited = admin.query({
      query: 'SELECT number FROM numbers(10)',
      clickhouse_settings: { max_result_rows: '5', result_overflow_mode: 'throw' },
    });
    await expect(limited).rejects.toMatchObject({ type: 'TOO_MANY_ROWS_OR_BYTES' });
    const next = await admin.query({
      query: 'SELECT number FROM numbers(10)',
      format: 'JSONEachRow',
    });
    expect(await next.json()).toHaveLength(10);
    const database = createClient({
      url: testStack().clickhouseUrl,
      username: testStack().clickhouseUser,
      password: testStack().clickhousePassword,
      database: db.name,
    });
    try {
      expect(
        await (
          await database.query({ query: 'SELECT currentDatabase() AS d', format: 'JSONEachRow' })
        ).json(),
      ).toEqual([{ d: db.name }]);
    } finally {
      await database.close();
    }
    expect(
      await (
        await admin.query({ query: 'SELECT currentDatabase() AS d', format: 'JSONEachRow' })
      ).json(),
    ).toEqual([{ d: 'default' }]);
  });
});

describe('ClickHouse HTTP interface, as curl sees it', () => {
  const stack = () => testStack();
  const auth = () => ({
    Authorization: `Basic ${Buffer.from(`${stack().clickhouseUser}:${stack().clickhousePassword}`).toString('base64')}`,
  });
  const post = (query: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    fetch(`${stack().clickhouseUrl}/?${query}`, {
      method: 'POST',
      headers: { ...auth(), ...headers },
      body,
    });

  it('answers /ping without credentials', async () => {
    const res = await fetch(`${stack().clickhouseUrl}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Ok.\n');
  });

  it('sends the query id, format and a summary in headers, and honours default_format', async () => {
    const res = await post(
      'default_format=JSONCompactEachRow&query_id=q-123&wait_end_of_query=1',
      'SELECT number FROM numbers(3)',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-clickhouse-query-id')).toBe('q-123');
    expect(res.headers.get('x-clickhouse-format')).toBe('JSONCompactEachRow');
    expect(JSON.parse(res.headers.get('x-clickhouse-summary') ?? '{}')).toMatchObject({
      read_rows: '3',
      result_rows: '3',
    });
    expect(await res.text()).toBe('[0]\n[1]\n[2]\n');
  });

  it('takes the query from the URL and INSERT rows from a gzip body', async () => {
    const table = uniqueName('default.curl');
    expect(
      (
        await post(
          `query=${encodeURIComponent(`CREATE TABLE ${table} (n UInt32) ENGINE = MergeTree ORDER BY n`)}`,
          '',
        )
      ).status,
    ).toBe(200);
    const rows = gzipSync(Buffer.from('{"n":1}\n{"n":2}\n'));
    const insert = await post(
      `query=${encodeURIComponent(`INSERT INTO ${table} FORMAT JSONEachRow`)}`,
      rows,
      { 'Content-Encoding': 'gzip' },
    );
    expect(insert.status).toBe(200);
    const read = await post('', `SELECT sum(n) FROM ${table}`);
    expect(await read.text()).toBe('3\n');
    await post('', `DROP TABLE ${table}`);
  });

  it('refuses wrong credentials with 403 and AUTHENTICATION_FAILED', async () => {
    const res = await fetch(`${stack().clickhouseUrl}/?query=SELECT+1`, {
      headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': 'wrong' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('516');
    expect(await res.text()).toMatch(/^Code: 516\. DB::Exception: .*\(AUTHENTICATION_FAILED\)/);
  });

  it.each([
    ['a multi-statement', 'SELECT 1; SELECT 2', '', 62],
    ['INTO OUTFILE', "SELECT 1 INTO OUTFILE '/tmp/leak.csv'", '', 358],
    ['an unterminated string', "SELECT 'abc", '', 62],
    ['an empty query', '   ', '', 62],
    ['an unknown setting', 'SELECT 1', 'no_such_setting=1', 115],
    ['a malformed setting name', 'SELECT 1', 'bad%20name=1', 36],
    ['a missing parameter', 'SELECT {x:UInt8}', '', 456],
    ['a bad readonly value', 'SELECT 1', 'readonly=7', 36],
    ['INSERT data into no table', 'INSERT INTO nowhere FORMAT RowBinary \u0001', '', 60],
  ])('answers %s with a ClickHouse error, not a crash', async (_what, sql, params, code) => {
    const res = await post(params, sql);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe(String(code));
    expect(await res.text()).toMatch(
      new RegExp(`^Code: ${code}\\. DB::Exception: .+\\([A-Z_]+\\) \\(version [^)]+\\)\\n$`),
    );
    const ping = await fetch(`${stack().clickhouseUrl}/ping`);
    expect(ping.status).toBe(200);
  });

  it('keeps tables in its data directory across a restart', async () => {
    const dir = testTempDir('clickhouse');
    const port = await freePort();
    const start = () =>
      startClickHouseProcess({
        stackDir: stack().dataDir ?? dir,
        dataDir: path.join(dir, 'data'),
        port,
        password: 'pw',
        readerPassword: 'rpw',
        logFile: path.join(dir, 'ch.log'),
      });
    const client = createClient({ url: `http://127.0.0.1:${port}`, password: 'pw' });
    let proc = await start();
    try {
      await client.command({ query: 'CREATE TABLE kept (n UInt8) ENGINE = MergeTree ORDER BY n' });
      await client.insert({ table: 'kept', values: [{ n: 7 }], format: 'JSONEachRow' });
    } finally {
      await stopProcess(proc.pid);
    }
    proc = await start();
    try {
      expect(
        await (await client.query({ query: 'SELECT n FROM kept', format: 'JSONEachRow' })).json(),
      ).toEqual([{ n: 7 }]);
    } finally {
      await client.close();
      await stopProcess(proc.pid);
    }
  });
});
