import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@backbone/runtime';
import { StackError } from './errors.js';
import { KAFKA_VERSION, kafkaClasspath, startKafka, waitForKafka } from './kafka.js';
import { CACHE_DIR, LOCAL_DIR, REPO_ROOT, SRC_DIR, checkDataDirVersion } from './layout.js';
import { freePort, isPortFree } from './ports.js';
import { checkJavaAndMaven } from './prerequisites.js';
import { isAlive, isOurs, spawnDetached, stopProcess, tail } from './processes.js';
import { hasRedisServer, pingRedis, startRedis } from './redis.js';
import {
  readState,
  writeState,
  type Endpoints,
  type ProcessState,
  type StackState,
} from './state.js';

export interface StackOptions {
  dataDir: string;
  /** 'default': the well-known ports (9092, 8081, 8123); 'auto': free ports (tests); or given ones. */
  ports: 'default' | 'auto' | Partial<PortPlan>;
  /** 'auto': the machine's Redis on 6379, else a private redis-server, else none. */
  redis?: 'auto' | 'none';
  /** Redis database index the endpoints name (tests use their own). */
  redisDb?: number;
  kafkaHeap?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export const DEFAULT_PORTS = {
  kafka: 9092,
  kafkaController: 9093,
  clickhouse: 8123,
  registry: 8081,
  redis: 6379,
};

export interface PortPlan {
  kafka: number;
  kafkaController: number;
  clickhouse: number;
  registry: number;
}

/** Marker found in every process the stack starts, so `down` never stops a stranger. */
const marker = (dataDir: string) => `${dataDir}\0`;

/** redis-server rewrites its process title over its environment; its title names the port. */
function ownsRedis(redis: StackState['redis']): boolean {
  return redis.pid !== undefined && isOurs(redis.pid, `127.0.0.1:${redis.port}`);
}

function running(state: ProcessState | undefined, dataDir: string): ProcessState | undefined {
  return state && isOurs(state.pid, marker(dataDir)) ? state : undefined;
}

const PORT_NAMES: Record<keyof PortPlan, string> = {
  kafka: 'Kafka',
  kafkaController: 'Kafka controller',
  clickhouse: 'ClickHouse HTTP',
  registry: 'schema registry',
};

/**
 * Chooses a port for every component that is not already running, before anything starts,
 * so a taken port fails the whole `up` without leaving half a stack behind.
 */
async function planPorts(
  mode: StackOptions['ports'],
  reused: Partial<PortPlan>,
): Promise<PortPlan> {
  const plan: Partial<PortPlan> = {};
  for (const key of Object.keys(PORT_NAMES) as (keyof PortPlan)[]) {
    const kept = reused[key];
    if (kept !== undefined) plan[key] = kept;
    else if (mode === 'auto') {
      let port = await freePort();
      while (Object.values(plan).includes(port)) port = await freePort();
      plan[key] = port;
    } else
      plan[key] = await choosePort(
        (mode === 'default' ? undefined : mode[key]) ?? DEFAULT_PORTS[key],
        PORT_NAMES[key],
      );
  }
  return plan as PortPlan;
}

async function choosePort(preferred: number, what: string): Promise<number> {
  if (!(await isPortFree(preferred))) {
    throw new StackError(
      `Port ${preferred} (${what}) is taken by another process.`,
      `Stop whatever listens there (ss -ltnp 'sport = :${preferred}'), or run the stack on free ports with --ports auto.`,
    );
  }
  return preferred;
}

function credentials(dataDir: string): { password: string; readerPassword: string } {
  const file = path.join(dataDir, 'credentials.json');
  if (existsSync(file))
    return JSON.parse(readFileSync(file, 'utf8')) as { password: string; readerPassword: string };
  const created = {
    password: randomBytes(12).toString('base64url'),
    readerPassword: randomBytes(12).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}

/** Node processes of the stack run their TypeScript entry point through tsx. */
function nodeService(entry: string, dataDir: string, env: Record<string, string>, logFile: string) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, BACKBONE_STACK_DIR: dataDir };
  delete childEnv.NODE_OPTIONS;
  return spawnDetached(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(SRC_DIR, entry)],
    {
      cwd: REPO_ROOT,
      env: childEnv,
      logFile,
    },
  );
}

async function waitForHttp(
  url: string,
  pid: number,
  logFile: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const outcome = await waitFor(
    async () => {
      if (!isAlive(pid)) return 'exited' as const;
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      return res.ok ? ('ready' as const) : undefined;
    },
    { timeoutMs, intervalMs: 100, description: what },
  ).catch(() => 'timeout' as const);
  if (outcome === 'exited') throw new StackError(`${what} exited during start-up.`, tail(logFile));
  if (outcome === 'timeout')
    throw new StackError(
      `${what} did not become ready within ${timeoutMs / 1000} s.`,
      tail(logFile),
    );
}

/** Starts the ClickHouse HTTP endpoint over chDB and waits until /ping answers. */
export async function startClickHouseProcess(o: {
  stackDir: string;
  dataDir: string;
  port: number;
  password: string;
  readerPassword: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<ProcessState> {
  const started = nodeService(
    'clickhouse/main.ts',
    o.stackDir,
    {
      CLICKHOUSE_HTTP_PORT: String(o.port),
      CLICKHOUSE_DATA_DIR: o.dataDir,
      CLICKHOUSE_PASSWORD: o.password,
      CLICKHOUSE_READER_PASSWORD: o.readerPassword,
    },
    o.logFile,
  );
  await waitForHttp(
    `http://127.0.0.1:${o.port}/ping`,
    started.pid,
    o.logFile,
    'ClickHouse',
    o.timeoutMs ?? 60_000,
  );
  return { pid: started.pid, port: o.port, logFile: o.logFile };
}

/** Starts the schema registry on a Kafka cluster and waits until it answers. */
export async function startRegistryProcess(o: {
  stackDir: string;
  port: number;
  brokers: string;
  topic?: string;
  logFile: string;
  timeoutMs?: number;
}): Promise<ProcessState> {
  const started = nodeService(
    'registry/main.ts',
    o.stackDir,
    {
      REGISTRY_PORT: String(o.port),
      KAFKA_BROKERS: o.brokers,
      ...(o.topic ? { REGISTRY_TOPIC: o.topic } : {}),
    },
    o.logFile,
  );
  await waitForHttp(
    `http://127.0.0.1:${o.port}/subjects`,
    started.pid,
    o.logFile,
    'Schema registry',
    o.timeoutMs ?? 60_000,
  );
  return { pid: started.pid, port: o.port, logFile: o.logFile };
}

async function upKafka(
  options: StackOptions,
  previous: StackState | undefined,
  ports: PortPlan,
  log: (l: string) => void,
) {
  const dir = options.dataDir;
  const reuse = running(previous?.kafka, dir);
  if (reuse && previous) {
    await waitForKafka(
      `127.0.0.1:${reuse.port}`,
      reuse.pid,
      reuse.logFile,
      options.timeoutMs ?? 90_000,
    );
    log(`kafka       reusing pid ${reuse.pid}`);
    return previous.kafka;
  }
  await checkJavaAndMaven();
  const { kafka: port, kafkaController: controllerPort } = ports;
  const classpath = await kafkaClasspath(path.join(LOCAL_DIR, 'kafka'), CACHE_DIR);
  const started = await startKafka({
    dataDir: path.join(dir, 'kafka'),
    classpath,
    ports: { port, controllerPort },
    heap: options.kafkaHeap ?? '1g',
    cwd: dir,
    stackDir: dir,
  });
  await waitForKafka(
    `127.0.0.1:${port}`,
    started.pid,
    started.logFile,
    options.timeoutMs ?? 90_000,
  );
  log(`kafka       started pid ${started.pid} (Apache Kafka ${KAFKA_VERSION}, KRaft)`);
  return { pid: started.pid, port, controllerPort, logFile: started.logFile };
}

async function upClickHouse(
  options: StackOptions,
  previous: StackState | undefined,
  creds: { password: string; readerPassword: string },
  port: number,
  log: (l: string) => void,
): Promise<ProcessState> {
  const dir = options.dataDir;
  const reuse = running(previous?.clickhouse, dir);
  if (reuse) {
    await waitForHttp(
      `http://127.0.0.1:${reuse.port}/ping`,
      reuse.pid,
      reuse.logFile,
      'ClickHouse',
      10_000,
    );
    log(`clickhouse  reusing pid ${reuse.pid}`);
    return reuse;
  }
  const started = await startClickHouseProcess({
    stackDir: dir,
    dataDir: path.join(dir, 'clickhouse'),
    port,
    password: creds.password,
    readerPassword: creds.readerPassword,
    logFile: path.join(dir, 'clickhouse.log'),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  log(`clickhouse  started pid ${started.pid} (chDB engine behind the ClickHouse HTTP interface)`);
  return { pid: started.pid, port, logFile: started.logFile };
}

async function upRegistry(
  options: StackOptions,
  previous: StackState | undefined,
  brokers: string,
  port: number,
  log: (l: string) => void,
): Promise<ProcessState> {
  const dir = options.dataDir;
  const reuse = running(previous?.registry, dir);
  if (reuse) {
    await waitForHttp(
      `http://127.0.0.1:${reuse.port}/subjects`,
      reuse.pid,
      reuse.logFile,
      'Schema registry',
      10_000,
    );
    log(`registry    reusing pid ${reuse.pid}`);
    return reuse;
  }
  const started = await startRegistryProcess({
    stackDir: dir,
    port,
    brokers,
    logFile: path.join(dir, 'registry.log'),
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  log(`registry    started pid ${started.pid} (Confluent-compatible, persisted in _schemas)`);
  return { pid: started.pid, port, logFile: started.logFile };
}

async function upRedis(
  options: StackOptions,
  previous: StackState | undefined,
  log: (l: string) => void,
): Promise<StackState['redis']> {
  const db = options.redisDb ?? 0;
  if (options.redis === 'none') {
    log('redis       none (disabled for this stack)');
    return { source: 'none', url: null };
  }
  const machineUrl = `redis://127.0.0.1:${DEFAULT_PORTS.redis}/${db}`;
  if (previous?.redis.source === 'stack' && ownsRedis(previous.redis)) {
    log(`redis       reusing pid ${previous.redis.pid}`);
    return previous.redis;
  }
  if (await pingRedis(machineUrl)) {
    log(`redis       using the machine's Redis on port ${DEFAULT_PORTS.redis} (db ${db})`);
    return { source: 'machine', url: machineUrl };
  }
  if (hasRedisServer()) {
    const port = await freePort();
    const started = await startRedis(path.join(options.dataDir, 'redis'), port, options.dataDir);
    log(`redis       started pid ${started.pid} on port ${port}`);
    return {
      source: 'stack',
      url: `redis://127.0.0.1:${port}/${db}`,
      pid: started.pid,
      port,
      logFile: started.logFile,
    };
  }
  log(
    'redis       none (no Redis reachable and no redis-server installed); services use in-process caches',
  );
  return { source: 'none', url: null };
}

/**
 * Brings the local stack up, reusing whatever of it already runs from the same data
 * directory. Idempotent: a second `up` changes nothing and prints the same endpoints.
 */
export async function upStack(options: StackOptions): Promise<StackState> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(options.dataDir);
  const opts = { ...options, dataDir: dir };
  checkDataDirVersion(dir);
  mkdirSync(dir, { recursive: true });
  const previous = readState(dir);
  const creds = credentials(dir);

  const live = {
    kafka: running(previous?.kafka, dir),
    clickhouse: running(previous?.clickhouse, dir),
    registry: running(previous?.registry, dir),
  };
  const ports = await planPorts(options.ports, {
    ...(live.kafka && previous
      ? { kafka: previous.kafka.port, kafkaController: previous.kafka.controllerPort }
      : {}),
    ...(live.clickhouse ? { clickhouse: live.clickhouse.port } : {}),
    ...(live.registry ? { registry: live.registry.port } : {}),
  });
  // Start independent components together; if any fails, stop what this call started so a
  // failed `up` leaves nothing running that no state file records.
  const settled = await Promise.allSettled([
    upKafka(opts, previous, ports, log),
    upClickHouse(opts, previous, creds, ports.clickhouse, log),
    upRedis(opts, previous, log),
  ]);
  const [kafkaResult, clickhouseResult, redisResult] = settled;
  let registryResult: PromiseSettledResult<ProcessState> | undefined;
  if (kafkaResult.status === 'fulfilled') {
    registryResult = await upRegistry(
      opts,
      previous,
      `127.0.0.1:${kafkaResult.value.port}`,
      ports.registry,
      log,
    ).then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason }),
    );
  }
  const failure = [...settled, ...(registryResult ? [registryResult] : [])].find(
    (r) => r.status === 'rejected',
  );
  if (
    failure ||
    kafkaResult.status !== 'fulfilled' ||
    clickhouseResult.status !== 'fulfilled' ||
    redisResult.status !== 'fulfilled' ||
    registryResult?.status !== 'fulfilled'
  ) {
    const reusedPids = new Set([live.kafka?.pid, live.clickhouse?.pid, live.registry?.pid]);
    for (const result of [registryResult, clickhouseResult, kafkaResult]) {
      if (result?.status === 'fulfilled' && !reusedPids.has(result.value.pid))
        await stopProcess(result.value.pid);
    }
    if (
      redisResult.status === 'fulfilled' &&
      redisResult.value.source === 'stack' &&
      redisResult.value.pid !== undefined &&
      redisResult.value.pid !== previous?.redis.pid
    ) {
      await stopProcess(redisResult.value.pid);
    }
    throw failure?.reason ?? new StackError('the stack did not come up');
  }
  const kafka = kafkaResult.value;
  const clickhouse = clickhouseResult.value;
  const redis = redisResult.value;
  const registry = registryResult.value;
  const brokers = `127.0.0.1:${kafka.port}`;

  const endpoints: Endpoints = {
    kafkaBrokers: brokers,
    schemaRegistryUrl: `http://127.0.0.1:${registry.port}`,
    clickhouseUrl: `http://127.0.0.1:${clickhouse.port}`,
    clickhouseUser: 'default',
    clickhousePassword: creds.password,
    clickhouseReaderUser: 'reader',
    clickhouseReaderPassword: creds.readerPassword,
    redisUrl: redis.url,
  };
  const state: StackState = {
    dataDir: dir,
    kafka,
    clickhouse,
    registry,
    redis,
    endpoints,
    startedAt: previous?.startedAt ?? new Date().toISOString(),
  };
  writeState(state);
  return state;
}

/**
 * Stops what this stack started, dependants first (registry before Kafka), and only
 * processes that carry this data directory's marker. `purge` also deletes the data.
 */
export async function downStack(
  dataDir: string,
  options: { purge?: boolean; log?: (l: string) => void; keep?: ReadonlySet<number> } = {},
): Promise<void> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(dataDir);
  const state = readState(dir);
  if (state) {
    const order: [string, { pid?: number } | undefined][] = [
      ['registry', state.registry],
      ['clickhouse', state.clickhouse],
      ['kafka', state.kafka],
      ['redis', state.redis.source === 'stack' ? state.redis : undefined],
    ];
    for (const [name, component] of order) {
      const pid = component?.pid;
      if (pid === undefined) continue;
      if (options.keep?.has(pid)) {
        log(`${name.padEnd(11)} left running (it was running before)`);
        continue;
      }
      const ours = name === 'redis' ? ownsRedis(state.redis) : isOurs(pid, marker(dir));
      if (!ours) {
        log(`${name.padEnd(11)} not running`);
        continue;
      }
      const how = await stopProcess(pid, name === 'kafka' ? 30_000 : 10_000);
      log(`${name.padEnd(11)} ${how} (pid ${pid})`);
    }
    if (!options.keep || options.keep.size === 0)
      rmSync(path.join(dir, 'stack.json'), { force: true });
  } else {
    log('no stack state here; nothing to stop');
  }
  if (options.purge) {
    rmSync(dir, { recursive: true, force: true });
    log(`removed ${dir}`);
  }
}

export interface ComponentStatus {
  name: string;
  status: 'running' | 'stopped' | 'machine' | 'none';
  pid?: number;
  endpoint?: string;
}

export async function stackStatus(
  dataDir: string,
): Promise<{ components: ComponentStatus[]; state?: StackState }> {
  const dir = path.resolve(dataDir);
  const state = readState(dir);
  if (!state) return { components: [] };
  const proc = (name: string, p: ProcessState, endpoint: string): ComponentStatus => ({
    name,
    status: isOurs(p.pid, marker(dir)) ? 'running' : 'stopped',
    pid: p.pid,
    endpoint,
  });
  const redis: ComponentStatus =
    state.redis.source === 'none'
      ? { name: 'redis', status: 'none' }
      : state.redis.source === 'machine'
        ? {
            name: 'redis',
            status: (await pingRedis(state.redis.url ?? '')) ? 'machine' : 'stopped',
            endpoint: state.redis.url ?? '',
          }
        : {
            name: 'redis',
            status: ownsRedis(state.redis) ? 'running' : 'stopped',
            pid: state.redis.pid ?? 0,
            endpoint: state.redis.url ?? '',
          };
  return {
    state,
    components: [
      proc('kafka', state.kafka, state.endpoints.kafkaBrokers),
      proc('registry', state.registry, state.endpoints.schemaRegistryUrl),
      proc('clickhouse', state.clickhouse, state.endpoints.clickhouseUrl),
      redis,
    ],
  };
}
