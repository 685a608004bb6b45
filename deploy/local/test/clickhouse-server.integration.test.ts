import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { freePort, startClickHouseProcess, stopProcess } from '@backbone/deploy/local';
import { waitFor } from '@backbone/test';

/**
 * The endpoint as a server where a client could take it down: memory bounded per query and
 * per process, answers streamed and cancelled when the client leaves, settings that never
 * outlive their request. These run against an endpoint of their own, with small limits,
 * so they can watch its process.
 */

const PASSWORD = 'pw';
const SERVER_LIMIT = 768 * 1024 * 1024;
let proc: { pid: number; port: number };
let dir: string;
let url: string;
let client: ClickHouseClient;

const auth = { Authorization: `Basic ${Buffer.from(`default:${PASSWORD}`).toString('base64')}` };
const post = (query: string, body: string | Buffer = '', headers: Record<string, string> = {}) =>
  fetch(`${url}/?${query}`, { method: 'POST', headers: { ...auth, ...headers }, body });

/** Resident memory and CPU seconds of the endpoint's process, from /proc. */
function usage(pid: number): { rssBytes: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / 100 };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'backbone-clickhouse-server-'));
  const port = await freePort();
  proc = await startClickHouseProcess({
    stackDir: dir,
    dataDir: path.join(dir, 'data'),
    port,
    password: PASSWORD,
    readerPassword: 'rpw',
    logFile: path.join(dir, 'clickhouse.log'),
    env: {
      CLICKHOUSE_MAX_SERVER_MEMORY_USAGE: String(SERVER_LIMIT),
      CLICKHOUSE_MAX_MEMORY_USAGE: String(256 * 1024 * 1024),
    },
  });
  url = `http://127.0.0.1:${port}`;
  client = createClient({ url, password: PASSWORD });
});
afterAll(async () => {
  await client?.close();
  if (proc) await stopProcess(proc.pid);
  rmSync(dir, { recursive: true, force: true });
});

describe('the endpoint keeps its memory bounded', () => {
  it('refuses a statement over the per-query limit with MEMORY_LIMIT_EXCEEDED, then answers the next', async () => {
    const res = await post(
      '',
      'SELECT length(groupArray(toString(number))) FROM numbers(50000000)',
    );
    expect(res.status).toBe(500);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('241');
    expect(await res.text()).toMatch(
      /^Code: 241\. DB::Exception: .*memory limit exceeded.*\(MEMORY_LIMIT_EXCEEDED\)/i,
    );
    expect(await (await post('', 'SELECT 1')).text()).toBe('1\n');
  });

  it('refuses what would pass the process limit even when the query lifts its own', async () => {
    const res = await post(
      'max_memory_usage=0',
      'SELECT length(groupArray(toString(number))) FROM numbers(200000000)',
    );
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('241');
    expect(await res.text()).toMatch(/\(total\) memory limit exceeded/);
    expect(await (await post('', 'SELECT 2')).text()).toBe('2\n');
    // The allocator hands what the refused query took back within seconds.
    await waitFor(() => usage(proc.pid).rssBytes < SERVER_LIMIT, {
      timeoutMs: 20_000,
      intervalMs: 500,
      description: 'the endpoint back within its memory limit',
    });
  });

  it('streams an endless answer to a reader that cancels, holding little memory, and stops the query', async () => {
    const before = usage(proc.pid);
    const abort = new AbortController();
    const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT * FROM system.numbers')}`, {
      headers: auth,
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 300 * 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.length;
    }
    const during = usage(proc.pid);
    abort.abort();
    await reader.cancel().catch(() => undefined);
    expect(read).toBeGreaterThanOrEqual(300 * 1024 * 1024);
    // Three hundred megabytes went by; the endpoint held a few blocks of them at a time.
    expect(during.rssBytes - before.rssBytes).toBeLessThan(200 * 1024 * 1024);
    // Once the reader is gone the query stops: the process is all but idle a moment later.
    await new Promise((r) => setTimeout(r, 300));
    const settled = usage(proc.pid);
    await new Promise((r) => setTimeout(r, 1000));
    expect(usage(proc.pid).cpuSeconds - settled.cpuSeconds).toBeLessThan(0.25);
    expect(await (await post('', 'SELECT 3')).text()).toBe('3\n');
  });

  it('lets a slow reader hold its own query only: other requests answer meanwhile', async () => {
    const res = await fetch(`${url}/?query=${encodeURIComponent('SELECT * FROM system.numbers')}`, {
      headers: auth,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post('', `SELECT ${i}`).then((r) => r.text())),
    );
    expect(answers).toEqual(Array.from({ length: 8 }, (_, i) => `${i}\n`));
    expect(performance.now() - started).toBeLessThan(5000);
    await reader.cancel();
  });
});

describe('settings, parameters and databases belong to their request', () => {
  it('survives a request that sends every setting the engine has, then reads a MergeTree table', async () => {
    await client.command({ query: 'CREATE TABLE every (n UInt32) ENGINE = MergeTree ORDER BY n' });
    await client.insert({ table: 'every', values: [{ n: 1 }, { n: 2 }], format: 'JSONEachRow' });
    const settings = await (
      await client.query({
        query: "SELECT name, value FROM system.settings WHERE name NOT IN ('readonly', 'profile')",
        format: 'JSONEachRow',
      })
    ).json<{ name: string; value: string }>();
    expect(settings.length).toBeGreaterThan(500);
    const params = new URLSearchParams(settings.map((s): [string, string] => [s.name, s.value]));
    const all = await post(params.toString(), 'SELECT 1');
    // The engine may refuse one of them (some are not settable); the request is answered.
    expect([200, 400, 404, 500]).toContain(all.status);
    await all.text();
    for (const as of ['default']) {
      const res = await post(`user=${as}`, 'SELECT sum(n) FROM every');
      expect(await res.text()).toBe('3\n');
    }
  });

  it('forgets a URL setting, a parameter, a database and a SET after the request', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS other' });
    const set = await post(
      'max_threads=1&param_x=7&database=other',
      'SELECT {x:UInt8}, currentDatabase()',
    );
    expect(await set.text()).toBe('7\tother\n');
    const statement = await post('', 'SET max_threads = 1');
    expect(statement.status).toBe(200);
    // Sequential requests reuse pooled connections: each must find one as it was opened.
    for (let i = 0; i < 4; i++) {
      const after = await post(
        '',
        "SELECT getSetting('max_threads') = 1, (SELECT changed FROM system.settings WHERE name = 'max_threads'), currentDatabase()",
      );
      expect(await after.text()).toBe('0\t0\tdefault\n');
    }
    // A setting the endpoint starts its connections with comes back to that value, not to the
    // engine's default (which for max_memory_usage would be no limit at all).
    await post('max_memory_usage=1', 'SELECT 1').then((r) => r.text());
    const limit = await post('', "SELECT getSetting('max_memory_usage')");
    expect(await limit.text()).toBe(`${256 * 1024 * 1024}\n`);
    const param = await post('', 'SELECT {x:UInt8}');
    expect(param.headers.get('x-clickhouse-exception-code')).toBe('456');
  });

  it('keeps SET and temporary tables within an HTTP session, and only there', async () => {
    const session = `s${Date.now()}`;
    expect((await post(`session_id=${session}`, 'SET max_threads = 1')).status).toBe(200);
    await post(`session_id=${session}`, 'CREATE TEMPORARY TABLE tmp (n UInt8)');
    await post(
      `session_id=${session}&query=${encodeURIComponent('INSERT INTO tmp FORMAT CSV')}`,
      '5\n',
    );
    const inside = await post(
      `session_id=${session}&max_threads=3`,
      "SELECT getSetting('max_threads'), (SELECT sum(n) FROM tmp)",
    );
    expect(await inside.text()).toBe('3\t5\n');
    const again = await post(`session_id=${session}`, "SELECT getSetting('max_threads')");
    expect(await again.text()).toBe('1\n');
    const outside = await post('', 'SELECT count() FROM tmp');
    expect(outside.headers.get('x-clickhouse-exception-code')).toBe('60');
    const missing = await post('session_id=nope&session_check=1', 'SELECT 1');
    expect(missing.headers.get('x-clickhouse-exception-code')).toBe('372');
  });

  it('refuses a second query while a session runs one, and takes the next one after an answer', async () => {
    const session = `lock${Date.now()}`;
    const slow = post(`session_id=${session}`, 'SELECT sleep(2)');
    await new Promise((r) => setTimeout(r, 200));
    const second = await post(`session_id=${session}`, 'SELECT 1');
    expect(second.headers.get('x-clickhouse-exception-code')).toBe('373');
    // More refusals than the endpoint runs queries at once: none may keep its turn.
    const refused = await Promise.all(
      Array.from({ length: 40 }, () => post(`session_id=${session}`, 'SELECT 1')),
    );
    expect(refused.map((r) => r.headers.get('x-clickhouse-exception-code'))).toEqual(
      Array(40).fill('373'),
    );
    expect((await slow).status).toBe(200);
    expect(await (await post('', 'SELECT 2')).text()).toBe('2\n');
    // Back to back, each with a setting the session must take back: never locked.
    for (let i = 0; i < 100; i++) {
      const res = await post(`session_id=${session}&max_threads=${1 + (i % 3)}`, 'SELECT 1');
      expect(await res.text()).toBe('1\n');
    }
  });
});

describe('errors as a server sends them', () => {
  it('compresses an error body when the client asked for a compressed answer', async () => {
    const res = await post('enable_http_compression=1', 'SELEC 1', { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    // fetch decodes gzip itself; the raw bytes are checked through a decoder below.
    expect(await res.text()).toMatch(/^Code: 62\. DB::Exception: Syntax error/);
    const raw = await new Promise<Buffer>((resolve, reject) => {
      void import('node:http').then(({ request }) => {
        const r = request(`${url}/?enable_http_compression=1`, {
          method: 'POST',
          headers: { ...auth, 'Accept-Encoding': 'gzip' },
        });
        r.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => resolve(Buffer.concat(chunks)));
        });
        r.on('error', reject);
        r.end('SELEC 1');
      });
    });
    expect(gunzipSync(raw).toString()).toMatch(/^Code: 62\./);
  });

  it('frames an error that comes after the first rows, so the client tells it from data', async () => {
    const rs = await client.query({
      query: "SELECT number, throwIf(number = 300000, 'boom') FROM numbers(1000000)",
      format: 'JSONCompactEachRow',
      clickhouse_settings: { max_block_size: '10000' },
    });
    const failure = await rs.json().then(
      () => undefined,
      (err: unknown) => err as { code?: string; message?: string },
    );
    expect(failure?.code).toBe('395');
    expect(failure?.message).toContain('boom');
    expect(await (await post('', 'SELECT 4')).text()).toBe('4\n');
  });

  it("writes the engine's progress row in the WithProgress formats when it runs a query whole", async () => {
    const res = await post(
      'wait_end_of_query=1',
      'SELECT number FROM numbers(3) FORMAT JSONEachRowWithProgress',
    );
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.filter((r) => 'row' in r)).toHaveLength(3);
    expect(rows.find((r) => 'progress' in r)).toMatchObject({ progress: { read_rows: '3' } });
  });
});
