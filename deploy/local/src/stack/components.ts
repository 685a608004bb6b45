import path from 'node:path';
import { KAFKA_VERSION, kafkaClasspath, startKafka, waitForKafka } from './kafka.js';
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
import type { ProcessState, StackState } from './state.js';

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

export function upKafka(
  ctx: ComponentContext,
  ports: { port: number; controllerPort: number },
  heap: string,
  java: string,
) {
  return reuseOrStart(
    ctx,
    'kafka',
    ctx.previous?.kafka,
    (p) => waitForKafka(`127.0.0.1:${p.port}`, p.pid, p.logFile, ctx.timeoutMs, ctx.dataDir),
    async () => {
      await checkJavaAndMaven(java);
      const started = await startKafka({
        dataDir: path.join(ctx.dataDir, 'kafka'),
        classpath: await kafkaClasspath(path.join(LOCAL_DIR, 'kafka'), CACHE_DIR),
        ports,
        heap,
        java,
        cacheDir: CACHE_DIR,
        cwd: ctx.dataDir,
        stackDir: ctx.dataDir,
      });
      await waitForKafka(
        `127.0.0.1:${ports.port}`,
        started.pid,
        started.logFile,
        ctx.timeoutMs,
        ctx.dataDir,
      );
      return { pid: started.pid, logFile: started.logFile, ...ports };
    },
    `Apache Kafka ${KAFKA_VERSION}, KRaft`,
  );
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
