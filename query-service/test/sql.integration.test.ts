import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { migrate } from '@backbone/warehouse';
import {
  createTestDatabase,
  testClickHouse,
  testStack,
  waitFor,
  webEventRow,
} from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';
import { TABLES } from '@backbone/warehouse/tables';

const SECRET = 'sql-test-secret-sql-test-secret-0123456';
const logger = createLogger({ name: 'test', level: 'silent' });
const token = (tenant: string, role: 'viewer' | 'admin') =>
  new SignJWT({ tenant_id: tenant, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${tenant}-${role}`)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

/** acme has three page views and a conversion; other has two page views. */
const writer = testClickHouse();
let database: { name: string; drop: () => Promise<void> };
let clients: ClickHouseClient[] = [];
let servers: Server[] = [];
let url: string;
let brokenAuditUrl: string;
const stops: (() => Promise<void>)[] = [];
const at = Date.now() - 3_600_000;

const event = (tenant: string, id: string, type: string, path: string) =>
  webEventRow(at, {
    event_id: id,
    event_type: type,
    tenant_id: tenant,
    session_id: `${tenant}-s`,
    anonymous_id: `${tenant}-v`,
    page_path: path,
  });

async function serve(auditPassword: string): Promise<string> {
  const stack = testStack();
  const reader = (db?: string) =>
    createClient({
      url: stack.clickhouseUrl,
      username: stack.clickhouseReaderUser,
      password: stack.clickhouseReaderPassword,
      ...(db ? { database: db } : {}),
    });
  const auditWriter = createClient({
    url: stack.clickhouseUrl,
    username: stack.clickhouseUser,
    password: auditPassword,
  });
  const base = reader();
  const sqlReader = reader(database.name);
  clients.push(base, sqlReader, auditWriter);
  const service = await buildQueryService({
    clickhouse: base,
    database: database.name,
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger,
    sql: {
      reader: sqlReader,
      auditWriter,
      limits: { maxRows: 100, maxResultBytes: 1 << 20, maxExecutionSeconds: 10 },
    },
  });
  stops.push(service.stop);
  const server = createServer(service.app).listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  database = await createTestDatabase(writer, 'sql');
  await migrate({ client: writer, database: database.name, logger });
  await writer.insert({
    table: `${database.name}.${TABLES.webEvents}`,
    format: 'JSONEachRow',
    values: [
      event('acme', 'a1', 'page_view', '/home'),
      event('acme', 'a2', 'page_view', '/pricing'),
      event('acme', 'a3', 'page_view', '/home'),
      event('acme', 'a4', 'conversion', '/pricing'),
      event('other', 'o1', 'page_view', '/secret'),
      event('other', 'o2', 'page_view', '/secret'),
    ],
  });
  url = await serve(testStack().clickhousePassword);
  brokenAuditUrl = await serve('not-the-password');
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const stop of stops) await stop();
  for (const c of clients) await c.close();
  await database?.drop();
  await writer.close();
  servers = [];
  clients = [];
});

const sql = async (
  body: unknown,
  bearer: string | undefined,
  base = url,
): Promise<{ status: number; text: string; json: () => Record<string, unknown> }> => {
  const res = await fetch(`${base}/api/v1/sql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
};
const admin = () => token('acme', 'admin');
const audit = async (hash: string) => {
  const rows = await writer.query({
    query: `SELECT subject, role, status, error_code, result_rows, tables
FROM ${database.name}.${TABLES.sqlAudit} FINAL WHERE sql_sha256 = {h:String} ORDER BY started_at`,
    query_params: { h: hash },
    format: 'JSONEachRow',
  });
  return rows.json<Record<string, unknown>>();
};
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('POST /api/v1/sql', () => {
  it("runs an admin's SELECT over the tenant's rows only, with column names and types", async () => {
    const query = `SELECT page_path, count() AS views FROM ${TABLES.webEvents} GROUP BY page_path ORDER BY page_path`;
    const res = await sql({ sql: query }, await admin());
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      meta: [
        { name: 'page_path', type: 'Nullable(String)' },
        { name: 'views', type: 'UInt64' },
      ],
      data: [
        ['/home', expect.anything()],
        ['/pricing', expect.anything()],
      ],
      rows: 2,
    });
    // 64-bit integers are JSON strings from a server, numbers from the local engine.
    expect((res.json().data as unknown[][]).map((r) => String(r[1]))).toEqual(['2', '2']);
  });

  it.each([
    ['a qualified name', (db: string) => `SELECT count() FROM ${db}.${TABLES.webEvents}`],
    ['a CTE', () => `WITH e AS (SELECT * FROM ${TABLES.webEvents}) SELECT count() FROM e`],
    [
      'a subquery in IN',
      () =>
        `SELECT count() FROM ${TABLES.webEvents} WHERE session_id IN (SELECT session_id FROM ${TABLES.webEvents})`,
    ],
    [
      'a self-join',
      () =>
        `SELECT count() FROM ${TABLES.webEvents} AS a JOIN ${TABLES.webEvents} AS b USING event_id`,
    ],
    ['a scalar subquery', () => `SELECT (SELECT count() FROM ${TABLES.webEvents})`],
    [
      'a UNION',
      () =>
        `SELECT sum(n) FROM (SELECT count() AS n FROM ${TABLES.webEvents} UNION ALL SELECT count() FROM ${TABLES.webEvents} WHERE 0)`,
    ],
  ])('scopes %s to the caller tenant', async (_what, make) => {
    const res = await sql({ sql: make(database.name) }, await admin());
    expect(res.status).toBe(200);
    expect(String((res.json().data as unknown[][])[0]?.[0])).toBe('4');
    const other = await sql({ sql: make(database.name) }, await token('other', 'admin'));
    expect(String((other.json().data as unknown[][])[0]?.[0])).toBe('2');
  });

  it('streams CSV with a header line', async () => {
    const res = await sql(
      {
        sql: `SELECT event_id, event_type FROM ${TABLES.webEvents} WHERE event_type = 'conversion'`,
        format: 'csv',
      },
      await admin(),
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('"event_id","event_type"\n"a4","conversion"\n');
  });

  it('records every statement in the audit table: who, the hash, rows and the outcome', async () => {
    const query = `SELECT event_id FROM ${TABLES.webEvents} ORDER BY event_id`;
    expect((await sql({ sql: query }, await admin())).status).toBe(200);
    const drop = `DROP TABLE ${database.name}.${TABLES.webEvents}`;
    expect((await sql({ sql: drop }, await admin())).status).toBe(403);
    await waitFor(async () => (await audit(sha(query))).length === 1, { timeoutMs: 5000 });
    const [entry, ...more] = await audit(sha(query));
    expect(more).toEqual([]);
    expect({ ...entry, result_rows: Number(entry?.result_rows) }).toEqual({
      subject: 'acme-admin',
      role: 'admin',
      status: 'ok',
      error_code: '',
      result_rows: 4,
      tables: [`${database.name}.${TABLES.webEvents}`],
    });
    expect(await audit(sha(drop))).toMatchObject([{ status: 'refused', error_code: 'FORBIDDEN' }]);
  });

  it('refuses viewers (403) and callers without a token (401)', async () => {
    const viewer = await sql({ sql: 'SELECT 1' }, await token('acme', 'viewer'));
    expect(viewer.status).toBe(403);
    expect(viewer.json()).toMatchObject({ code: 'FORBIDDEN', message: /admin role/ });
    expect((await sql({ sql: 'SELECT 1' }, undefined)).status).toBe(401);
  });
});

describe('POST /api/v1/sql', () => {
  it.each([
    [
      'INSERT',
      (db: string) => `INSERT INTO ${db}.${TABLES.webEvents} (event_id) VALUES ('x')`,
      403,
    ],
    [
      'INSERT … SELECT',
      (db: string) =>
        `INSERT INTO ${db}.${TABLES.webEvents} SELECT * FROM ${db}.${TABLES.webEvents}`,
      403,
    ],
    ['ALTER', (db: string) => `ALTER TABLE ${db}.${TABLES.webEvents} DELETE WHERE 1`, 403],
    ['DROP', (db: string) => `DROP TABLE ${db}.${TABLES.webEvents}`, 403],
    ['TRUNCATE', (db: string) => `TRUNCATE TABLE ${db}.${TABLES.webEvents}`, 403],
    ['CREATE', (db: string) => `CREATE TABLE ${db}.x (a UInt8) ENGINE = Memory`, 403],
    ['SET', () => 'SET readonly = 0', 403],
    ['two statements', (db: string) => `SELECT 1; DROP TABLE ${db}.${TABLES.webEvents}`, 400],
    [
      'a SETTINGS clause',
      () => `SELECT count() FROM ${TABLES.webEvents} SETTINGS additional_table_filters = {}`,
      400,
    ],
    ['a system table', () => 'SELECT query FROM system.query_log', 403],
    ['a table function', () => "SELECT * FROM url('http://127.0.0.1:1/', CSV)", 403],
    ['merge()', (db: string) => `SELECT count() FROM merge('${db}', '^${TABLES.webEvents}$')`, 403],
    ['a file read', () => "SELECT file('/etc/passwd')", 403],
    ['INTO OUTFILE', () => "SELECT 1 INTO OUTFILE '/tmp/x'", 400],
    ['a syntax error', () => 'SELEC 1', 400],
  ])('refuses %s even from an admin, and nothing changes', async (_what, make, status) => {
    const res = await sql({ sql: make(database.name) }, await admin());
    expect(res.status).toBe(status);
    expect(res.json()).toMatchObject({
      status: 'error',
      code: expect.stringMatching(/FORBIDDEN|BAD_USER_INPUT/) as unknown,
    });
    const count = await writer.query({
      query: `SELECT count() AS n FROM ${database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
    });
    expect((await count.json<{ n: string }>()).map((r) => Number(r.n))).toEqual([6]);
  });

  it('refuses a result over max_rows with the limit in the message', async () => {
    const res = await sql({ sql: `SELECT * FROM ${TABLES.webEvents}`, max_rows: 3 }, await admin());
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(/Limit for result exceeded, max rows: 3/);
  });

  it.each([
    ['no sql field', { query: 'SELECT 1' }, /sql is required/],
    ['an unknown format', { sql: 'SELECT 1', format: 'xml' }, /format must be json or csv/],
    ['max_rows over the limit', { sql: 'SELECT 1', max_rows: 101 }, /max_rows must be .* 1 to 100/],
    ['a body that is not JSON', '{"sql":', /not valid JSON/],
    ['an unknown column', { sql: `SELECT nope FROM ${TABLES.webEvents}` }, /nope/],
  ])('answers 400 to %s, naming the problem', async (_what, body, message) => {
    const res = await sql(body, await admin());
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(message);
  });

  it('runs nothing when the audit table cannot be written (503)', async () => {
    const res = await sql(
      { sql: `SELECT count() FROM ${TABLES.webEvents}` },
      await admin(),
      brokenAuditUrl,
    );
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ code: 'UNAVAILABLE', message: /audit log/ });
  });
});
