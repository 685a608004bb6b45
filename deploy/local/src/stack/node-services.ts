import path from 'node:path';
import { waitFor } from '@backbone/runtime';
import { StackError } from './errors.js';
import { REPO_ROOT, SRC_DIR } from './layout.js';
import { isAlive, spawnDetached, tail } from './processes.js';
import type { ProcessState } from './state.js';

/** Starts a Node service of the stack from its TypeScript entry point (through tsx). */
function nodeService(
  entry: string,
  stackDir: string,
  env: Record<string, string>,
  logFile: string,
) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, BACKBONE_STACK_DIR: stackDir };
  delete childEnv.NODE_OPTIONS;
  return spawnDetached(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(SRC_DIR, entry)],
    { cwd: REPO_ROOT, env: childEnv, logFile },
  );
}

/**
 * Waits until `url` answers 2xx; fails early, with the log's tail, if the process exits
 * (`alive` says whether it still runs: a pid check, or a child process's exit code).
 */
export async function waitForHttp(
  url: string,
  o: { alive: () => boolean; logFile: string; what: string; timeoutMs: number },
): Promise<void> {
  const outcome = await waitFor(
    async () => {
      if (!o.alive()) return 'exited' as const;
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return res.ok ? ('ready' as const) : undefined;
    },
    { timeoutMs: o.timeoutMs, intervalMs: 100, description: o.what },
  ).catch(() => 'timeout' as const);
  if (outcome === 'exited')
    throw new StackError(`${o.what} exited during start-up.`, tail(o.logFile));
  if (outcome === 'timeout') {
    throw new StackError(
      `${o.what} did not become ready within ${o.timeoutMs / 1000} s.`,
      tail(o.logFile),
    );
  }
}

const forProcess = (p: ProcessState, what: string, timeoutMs: number) => ({
  alive: () => isAlive(p.pid),
  logFile: p.logFile,
  what,
  timeoutMs,
});

export const waitForClickHouse = (p: ProcessState, timeoutMs = 60_000) =>
  waitForHttp(`http://127.0.0.1:${p.port}/ping`, forProcess(p, 'ClickHouse', timeoutMs));

export const waitForRegistry = (p: ProcessState, timeoutMs = 60_000) =>
  waitForHttp(`http://127.0.0.1:${p.port}/subjects`, forProcess(p, 'Schema registry', timeoutMs));

/** Starts the ClickHouse HTTP endpoint over chDB and waits until /ping answers. */
export async function startClickHouseProcess(o: {
  stackDir: string;
  dataDir: string;
  port: number;
  password: string;
  readerPassword: string;
  logFile: string;
  timeoutMs?: number;
  /** More settings of the endpoint (CLICKHOUSE_MAX_SERVER_MEMORY_USAGE, …). */
  env?: Record<string, string>;
}): Promise<ProcessState> {
  const env = {
    ...o.env,
    CLICKHOUSE_HTTP_PORT: String(o.port),
    CLICKHOUSE_DATA_DIR: o.dataDir,
    CLICKHOUSE_PASSWORD: o.password,
    CLICKHOUSE_READER_PASSWORD: o.readerPassword,
    // Statements run on libuv's pool beside the spool files' writes: more than its default 4.
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '24',
  };
  const { pid } = nodeService('clickhouse/main.ts', o.stackDir, env, o.logFile);
  const started = { pid, port: o.port, logFile: o.logFile };
  await waitForClickHouse(started, o.timeoutMs);
  return started;
}

/** Starts the schema registry on a Kafka cluster and waits until it answers. */
export async function startRegistryProcess(o: {
  stackDir: string;
  port: number;
  brokers: string;
  topic?: string;
  logFile: string;
  timeoutMs?: number;
  /** Its Kafka credentials (KAFKA_SASL_*); this process's own by default. */
  kafkaEnv?: Record<string, string>;
}): Promise<ProcessState> {
  const env = {
    ...o.kafkaEnv,
    REGISTRY_PORT: String(o.port),
    KAFKA_BROKERS: o.brokers,
    ...(o.topic ? { REGISTRY_TOPIC: o.topic } : {}),
  };
  const { pid } = nodeService('registry/main.ts', o.stackDir, env, o.logFile);
  const started = { pid, port: o.port, logFile: o.logFile };
  await waitForRegistry(started, o.timeoutMs);
  return started;
}
