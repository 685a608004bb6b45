import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@clickhouse/client';
import {
  freePort,
  startClickHouseProcess,
  startQueryService,
  stopChild,
  stopProcess,
} from '@backbone/deploy/local';
import { testStack, waitFor } from '@backbone/test';
import { Supervisor, watchedProcess } from '../src/supervisor.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'backbone-supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('supervision of the local stack', () => {
  it('restarts a ClickHouse endpoint that was killed, says so, and its dependant shows the gap', async () => {
    const port = await freePort();
    const options = {
      stackDir: dir,
      dataDir: path.join(dir, 'clickhouse'),
      port,
      password: 'pw',
      readerPassword: 'rpw',
      logFile: path.join(dir, 'clickhouse.log'),
    };
    let clickhouse = await startClickHouseProcess(options);
    const client = createClient({ url: `http://127.0.0.1:${port}`, password: 'pw' });
    await client.command({ query: 'CREATE TABLE kept (n UInt8) ENGINE = MergeTree ORDER BY n' });
    await client.insert({ table: 'kept', values: [{ n: 42 }], format: 'JSONEachRow' });
    const query = await startQueryService({
      dataDir: dir,
      endpoints: {
        ...testStack(),
        clickhouseUrl: `http://127.0.0.1:${port}`,
        clickhouseUser: 'default',
        clickhousePassword: 'pw',
        clickhouseReaderUser: 'reader',
        clickhouseReaderPassword: 'rpw',
      },
      port: await freePort(),
    });
    const lines: string[] = [];
    const supervisor = new Supervisor(
      () => [
        watchedProcess(
          'clickhouse',
          () => clickhouse,
          async () => {
            clickhouse = await startClickHouseProcess(options);
          },
        ),
      ],
      (line) => lines.push(line),
      1000,
    );
    try {
      supervisor.start();
      process.kill(clickhouse.pid, 'SIGKILL');
      const gap = await waitFor(
        async () => {
          const res = await fetch(`${query.url}/ready`);
          return res.status === 503 ? await res.text() : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 50, description: 'the query service not ready' },
      );
      expect(gap).toContain('clickhouse');
      await waitFor(() => lines.some((l) => l.includes('clickhouse is back')), {
        timeoutMs: 30_000,
        description: 'the restart',
      });
      expect(lines[0]).toMatch(
        /^supervisor: clickhouse died \(killed by SIGKILL; last log line: .*\); restarting it$/,
      );
      await waitFor(async () => (await fetch(`${query.url}/ready`)).status === 200, {
        timeoutMs: 15_000,
        description: 'the query service ready again',
      });
      const rows = await client.query({ query: 'SELECT n FROM kept', format: 'JSONEachRow' });
      expect(await rows.json()).toEqual([{ n: 42 }]);
    } finally {
      supervisor.stop();
      await client.close();
      await stopChild(query.child);
      await stopProcess(clickhouse.pid);
    }
  });
});
