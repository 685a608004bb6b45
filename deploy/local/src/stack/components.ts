import path from 'node:path';
import {
  KAFKA_VERSION,
  kafkaClasspath,
  startKafka,
  waitForKafka,
  type KafkaNode,
} from './kafka.js';
import { CACHE_DIR, LOCAL_DIR } from './layout.js';
import { kafkaPasswords } from './kafka-users.js';
import {
  startClickHouseProcess,
  startRegistryProcess,
  waitForClickHouse,
  waitForRegistry,
} from './node-services.js';
import { ownsRedis, running } from './ownership.js';
import { DEFAULT_PORTS } from './port-plan.js';
import { freePort } from './ports.js';
import { checkJavaAndMaven } from './prerequisites.js';
import { hasRedisServer, pingRedis, startRedis } from './redis.js';
import type { KafkaNodeState, ProcessState, StackState } from './state.js';

export interface ComponentContext {
  dataDir: string;
  previous: StackState | undefined;
  timeoutMs: number;
  log: (line: string) => void;
}

/** Reuses the recorded process when it is alive and ready, else starts a new one. */
async function reuseOrStart<T extends ProcessState>(
  ctx: ComponentContext,
  name: string,
  recorded: T | undefined,
  ready: (p: T) => Promise<void>,
  start: () => Promise<T>,
  what: string,
): Promise<T> {
  const reuse = running(recorded, ctx.dataDir);
  if (reuse) {
    await ready(reuse);
    ctx.log(`${name.padEnd(11)} reusing pid ${reuse.pid}`);
    return reuse;
  }
  const started = await start();
  ctx.log(`${name.padEnd(11)} started pid ${started.pid} (${what})`);
  return started;
}

/** Where node `nodeId`'s data lives: `kafka` for the first (as with one broker), else `kafka-<id>`. */
export const kafkaDataDir = (dataDir: string, nodeId: number) =>
  path.join(dataDir, nodeId === 1 ? 'kafka' : `kafka-${nodeId}`);

/**
 * The Kafka nodes: each reused when it runs, else started (all at once: a controller quorum
 * of three needs two voters up before any of them is ready), then the cluster is waited for
 * until every broker is registered.
 */
export async function upKafka(
  ctx: ComponentContext,
  nodes: readonly KafkaNode[],
  heap: string,
  java: string,
  clusterId: string,
): Promise<KafkaNodeState[]> {
  const recorded = new Map(
    (ctx.previous?.kafkaNodes ?? [ctx.previous?.kafka]).map((n, i) => [
      (n as KafkaNodeState | undefined)?.nodeId ?? i + 1,
      n,
    ]),
  );
  const classpath = async () => {
    await checkJavaAndMaven(java);
    return kafkaClasspath(path.join(LOCAL_DIR, 'kafka'), CACHE_DIR);
  };
  let shared: Promise<string> | undefined;
  const started = await Promise.all(
    nodes.map((node) =>
      reuseOrStart(
        ctx,
        nodes.length === 1 ? 'kafka' : `kafka-${node.nodeId}`,
        recorded.get(node.nodeId) as KafkaNodeState | undefined,
        (p) => waitForKafka(`127.0.0.1:${p.port}`, p.pid, p.logFile, ctx.timeoutMs, ctx.dataDir),
        async () => {
          const process = await startKafka({
            dataDir: kafkaDataDir(ctx.dataDir, node.nodeId),
            classpath: await (shared ??= classpath()),
            node,
            cluster: nodes,
            clusterId,
            heap,
            java,
            cacheDir: CACHE_DIR,
            cwd: ctx.dataDir,
            stackDir: ctx.dataDir,
          });
          await waitForKafka(
            `127.0.0.1:${node.port}`,
            process.pid,
            process.logFile,
            ctx.timeoutMs,
            ctx.dataDir,
          );
          return { ...node, pid: process.pid, logFile: process.logFile };
        },
        nodes.length === 1
          ? `Apache Kafka ${KAFKA_VERSION}, KRaft`
          : `Apache Kafka ${KAFKA_VERSION}, KRaft node ${node.nodeId} of ${nodes.length}`,
      ),
    ),
  );
  if (nodes.length > 1)
    await waitForKafka(
      nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
      undefined,
      started[0]!.logFile,
      ctx.timeoutMs,
      ctx.dataDir,
      nodes.length,
    );
  return started;
}

export function upClickHouse(
  ctx: ComponentContext,
  port: number,
  creds: { password: string; readerPassword: string },
) {
  return reuseOrStart(
    ctx,
    'clickhouse',
    ctx.previous?.clickhouse,
    (p) => waitForClickHouse(p, 10_000),
    () =>
      startClickHouseProcess({
        stackDir: ctx.dataDir,
        dataDir: path.join(ctx.dataDir, 'clickhouse'),
        port,
        ...creds,
        logFile: path.join(ctx.dataDir, 'clickhouse.log'),
        timeoutMs: ctx.timeoutMs,
      }),
    'chDB engine behind the ClickHouse HTTP interface',
  );
}

export function upRegistry(ctx: ComponentContext, port: number, brokers: string) {
  return reuseOrStart(
    ctx,
    'registry',
    ctx.previous?.registry,
    (p) => waitForRegistry(p, 10_000),
    () =>
      startRegistryProcess({
        stackDir: ctx.dataDir,
        port,
        brokers,
        kafkaEnv: {
          KAFKA_SASL_USERNAME: 'registry',
          KAFKA_SASL_PASSWORD: kafkaPasswords(ctx.dataDir).registry,
        },
        logFile: path.join(ctx.dataDir, 'registry.log'),
        timeoutMs: ctx.timeoutMs,
      }),
    'Confluent-compatible, persisted in _schemas',
  );
}

/** The machine's Redis if it answers, else a private redis-server if installed, else none. */
export async function upRedis(
  ctx: ComponentContext,
  mode: 'auto' | 'none',
  db: number,
): Promise<StackState['redis']> {
  if (mode === 'none') {
    ctx.log('redis       none (disabled for this stack)');
    return { source: 'none', url: null };
  }
  const previous = ctx.previous?.redis;
  if (previous?.source === 'stack' && ownsRedis(previous)) {
    ctx.log(`redis       reusing pid ${previous.pid}`);
    return previous;
  }
  const machineUrl = `redis://127.0.0.1:${DEFAULT_PORTS.redis}/${db}`;
  if (await pingRedis(machineUrl)) {
    ctx.log(`redis       using the machine's Redis on port ${DEFAULT_PORTS.redis} (db ${db})`);
    return { source: 'machine', url: machineUrl };
  }
  if (hasRedisServer()) {
    const port = await freePort();
    const started = await startRedis(path.join(ctx.dataDir, 'redis'), port, ctx.dataDir);
    ctx.log(`redis       started pid ${started.pid} on port ${port}`);
    return {
      source: 'stack',
      url: `redis://127.0.0.1:${port}/${db}`,
      pid: started.pid,
      port,
      logFile: started.logFile,
    };
  }
  ctx.log(
    'redis       none (no Redis reachable and no redis-server installed); services use in-process caches',
  );
  return { source: 'none', url: null };
}
