import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dropPreparedServices,
  freePort,
  prepareServices,
  startQueryService,
  stopChild,
} from '@backbone/deploy/local';
import { testStack, waitFor } from '@backbone/test';

const dir = mkdtempSync(path.join(os.tmpdir(), 'backbone-prepared-'));
afterAll(() => {
  dropPreparedServices();
  rmSync(dir, { recursive: true, force: true });
});

/** The pids of the processes running a service's main file through launch.ts. */
function launchers(script: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.endsWith('services/launch.ts')) && cmd.includes(script)) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Prepares one service the way `npm start` does; the pid of its waiting process. */
async function prepared(name: string, script: string): Promise<number> {
  prepareServices(dir, [{ name, script }]);
  const [pid] = await waitFor(
    () => {
      const found = launchers(script);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 10_000, description: `the prepared ${name}` },
  );
  return pid!;
}

describe('services loaded ahead of their start (npm start)', () => {
  it('a prepared service is the process that starts, with the environment it is given', async () => {
    const waiting = await prepared('query', 'query-service/src/main.ts');
    const port = await freePort();
    const query = await startQueryService({ dataDir: dir, endpoints: testStack(), port });
    try {
      expect(query.child.pid).toBe(waiting);
      // Its environment came through stdin: it listens on the port it was given and reaches
      // the test stack's ClickHouse.
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(200);
    } finally {
      await stopChild(query.child);
    }
    expect(query.child.exitCode).toBe(0);
  });

  it('a prepared service nobody starts exits quietly once npm start lets it go', async () => {
    const pid = await prepared('gateway', 'ingest-gateway/src/main.ts');
    dropPreparedServices();
    await waitFor(() => launchers('ingest-gateway/src/main.ts').length === 0, {
      timeoutMs: 15_000,
      description: `pid ${pid} to exit`,
    });
    const log = readFileSync(path.join(dir, 'gateway.log'), 'utf8');
    expect(log).not.toMatch(/error|listening/i);
  });
});
