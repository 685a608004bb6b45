import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  downStack,
  freePort,
  readState,
  REPO_ROOT,
  StackError,
  upStack,
} from '@backbone/deploy/local';
import { testStack, testTempDir } from '@backbone/test';

const run = promisify(execFile);

/** Pids of live processes that carry a stack's data directory (its marker). */
function processesOf(dataDir: string): number[] {
  const marker = `${dataDir}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text =
        readFileSync(`/proc/${entry}/cmdline`, 'utf8') +
        readFileSync(`/proc/${entry}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (text.includes(marker) && !/^\d+ \(.*\) Z/.test(stat)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const tempDir = (prefix: string) => testTempDir(prefix);

describe('local stack lifecycle (npm run stack -- up | down | status)', () => {
  it('reuses every running process on a second up and reports each as running', async () => {
    const dataDir = testStack().dataDir;
    expect(
      dataDir,
      'this test needs the stack the tests started (not BACKBONE_TEST_STACK=external)',
    ).not.toBeNull();
    const before = readState(dataDir as string);
    // The same options the test run started it with (global-setup).
    const again = await upStack({
      dataDir: dataDir as string,
      ports: 'auto',
      redis: testStack().redisUrl === null ? 'none' : 'auto',
    });
    expect([again.kafka.pid, again.clickhouse.pid, again.registry.pid]).toEqual([
      before?.kafka.pid,
      before?.clickhouse.pid,
      before?.registry.pid,
    ]);
    expect(again.endpoints).toEqual(before?.endpoints);

    const { stdout } = await run(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        'deploy/local/src/cli.ts',
        'status',
        '--json',
        '--data-dir',
        dataDir as string,
      ],
      { cwd: REPO_ROOT },
    );
    const components = JSON.parse(stdout) as { name: string; status: string }[];
    expect(components.map((c) => [c.name, c.status])).toEqual([
      ['kafka', 'running'],
      ['registry', 'running'],
      ['clickhouse', 'running'],
      ['redis', testStack().redisUrl === null ? 'none' : expect.stringMatching(/running|machine/)],
    ]);
  });

  it('starts a whole second stack on free ports, then down stops all of it and leaves no orphans', async () => {
    const dataDir = tempDir('stack');
    const state = await upStack({ dataDir, ports: 'auto', kafkaHeap: '384m', redis: 'none' });
    try {
      expect(processesOf(dataDir).sort()).toEqual(
        [state.kafka.pid, state.clickhouse.pid, state.registry.pid].sort(),
      );
      const env = readFileSync(path.join(dataDir, 'endpoints.env'), 'utf8');
      expect(env).toContain(`KAFKA_BROKERS=${state.endpoints.kafkaBrokers}\n`);
      expect(env).toContain(`CLICKHOUSE_URL=${state.endpoints.clickhouseUrl}\n`);
      expect(env).toContain('REDIS_URL=\n');
    } finally {
      await downStack(dataDir, { purge: true });
    }
    expect(processesOf(dataDir)).toEqual([]);
  });

  it('refuses a data directory written by an incompatible stack, naming it, and starts nothing', async () => {
    const dataDir = tempDir('old');
    writeFileSync(
      path.join(dataDir, 'VERSION.json'),
      JSON.stringify({ layout: 0, kafka: '3.9.0', chdb: '1.0.0' }),
    );
    const attempt = upStack({ dataDir, ports: 'auto' });
    await expect(attempt).rejects.toBeInstanceOf(StackError);
    await expect(attempt).rejects.toThrow(new RegExp(`${dataDir}.*incompatible.*kafka 3\\.9\\.0`));
    expect(processesOf(dataDir)).toEqual([]);
  });

  it('refuses a port that another process holds, naming the port, before starting anything', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    const dataDir = tempDir('taken');
    try {
      const ports = {
        kafka: await freePort(),
        kafkaController: await freePort(),
        clickhouse: taken,
        registry: await freePort(),
      };
      await expect(upStack({ dataDir, ports, redis: 'none' })).rejects.toThrow(
        new RegExp(`Port ${taken} \\(ClickHouse HTTP\\) is taken`),
      );
      expect(processesOf(dataDir)).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it('says that Java is missing, and stops what it had started', async () => {
    const dataDir = tempDir('nojava');
    mkdirSync(dataDir, { recursive: true });
    await expect(
      upStack({ dataDir, ports: 'auto', redis: 'none', javaHome: '/nonexistent/jdk' }),
    ).rejects.toThrow(/Java was not found \(\/nonexistent\/jdk\/bin\/java\)/);
    expect(processesOf(dataDir)).toEqual([]);
    await downStack(dataDir, { purge: true });
  });
});
