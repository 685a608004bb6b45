import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { upClickHouse, upKafka, upRedis, upRegistry, type ComponentContext } from './components.js';
import { StackError } from './errors.js';
import { checkDataDirVersion } from './layout.js';
import { marker, ownsRedis, running } from './ownership.js';
import { planPeerPorts, planPorts, type PortChoice, type PortPlan } from './port-plan.js';
import { kafkaCluster, type KafkaNode } from './kafka.js';
import { applyStackAcls, provisionStreams } from './provision.js';
import { kafkaPasswords } from './kafka-users.js';
import { isOurs, stopProcess } from './processes.js';
import { pingRedis } from './redis.js';
import {
  readState,
  writeState,
  type KafkaNodeState,
  type ProcessState,
  type StackState,
} from './state.js';
import { javaCommand } from './prerequisites.js';

export interface StackOptions {
  dataDir: string;
  /** 'default': the well-known ports (9092, 8081, 8123); 'auto': free ports (tests); or given ones. */
  ports: PortChoice;
  /** 'auto': the machine's Redis on 6379, else a private redis-server, else none. */
  redis?: 'auto' | 'none';
  /** Redis database index the endpoints name. */
  redisDb?: number;
  kafkaHeap?: string;
  /**
   * Kafka brokers to run (1 to 5; default 1). Three or more: every topic has three replicas
   * and a write is acknowledged by two, so one broker can fail (docs/operations.md).
   */
  kafkaNodes?: number;
  /** The JDK that runs Kafka (the commands pass JAVA_HOME); none: `java` on PATH. */
  javaHome?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
  /**
   * Runs as soon as ClickHouse answers, while Kafka and the registry are still starting
   * (`npm start` applies the migrations there); the stack is up only once it has finished.
   * `coming` says where Kafka and the registry will answer, for a hook that waits for them.
   */
  afterClickHouse?: (
    clickhouse: ClickHouseEndpoint,
    coming: { kafkaBrokers: string; schemaRegistryUrl: string },
  ) => Promise<void>;
  /** Called once Kafka answers, while the registry starts (`npm start` loads its services). */
  afterKafka?: () => void;
}

/** Where ClickHouse answers, as its admin user. */
export interface ClickHouseEndpoint {
  url: string;
  user: string;
  password: string;
}

/** ClickHouse passwords, generated once per data directory and kept there (mode 0600). */
function credentials(dataDir: string): { password: string; readerPassword: string } {
  const file = path.join(dataDir, 'credentials.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as { password: string; readerPassword: string };
  }
  const created = {
    password: randomBytes(12).toString('base64url'),
    readerPassword: randomBytes(12).toString('base64url'),
  };
  writeFileSync(file, `${JSON.stringify(created, null, 2)}\n`, { mode: 0o600 });
  return created;
}

const value = <T>(r: PromiseSettledResult<T> | undefined): T | undefined =>
  r?.status === 'fulfilled' ? r.value : undefined;

/**
 * Brings the local stack up, reusing whatever of it already runs from the same data
 * directory. Idempotent: a second `up` changes nothing and prints the same endpoints.
 * If any component fails, whatever this call started is stopped again.
 */
export async function upStack(options: StackOptions): Promise<StackState> {
  const dataDir = path.resolve(options.dataDir);
  checkDataDirVersion(dataDir);
  mkdirSync(dataDir, { recursive: true });
  const previous = readState(dataDir);
  const ctx: ComponentContext = {
    dataDir,
    previous,
    timeoutMs: options.timeoutMs ?? 90_000,
    log: options.log ?? (() => undefined),
  };
  const creds = credentials(dataDir);

  const live = {
    kafka: running(previous?.kafka, dataDir),
    clickhouse: running(previous?.clickhouse, dataDir),
    registry: running(previous?.registry, dataDir),
  };
  const cluster = kafkaCluster(dataDir, options.kafkaNodes ?? 1);
  // A cluster's nodes keep their ports even when stopped: the quorum's voters are fixed.
  const kafkaKept = live.kafka ?? (cluster.nodes > 1 ? previous?.kafka : undefined);
  const ports = await planPorts(options.ports, {
    ...(kafkaKept ? { kafka: kafkaKept.port, kafkaController: kafkaKept.controllerPort } : {}),
    ...(live.clickhouse ? { clickhouse: live.clickhouse.port } : {}),
    ...(live.registry ? { registry: live.registry.port } : {}),
  });
  const nodes = await planKafkaNodes(options.ports, cluster.nodes, ports, previous);
  const brokers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');

  const clickhouseUp = upClickHouse(ctx, ports.clickhouse, creds);
  const { afterClickHouse } = options;
  const hook = clickhouseUp.then((c) =>
    afterClickHouse?.(
      { url: `http://127.0.0.1:${c.port}`, user: 'default', password: creds.password },
      { kafkaBrokers: brokers, schemaRegistryUrl: `http://127.0.0.1:${ports.registry}` },
    ),
  );
  const kafkaUp = upKafka(
    ctx,
    nodes,
    options.kafkaHeap ?? (nodes.length > 1 ? '512m' : '1g'),
    javaCommand(options.javaHome),
    cluster.clusterId,
  );
  // The registry as soon as Kafka answers, beside the hook (which may wait for both).
  const registryUp = kafkaUp.then(async () => {
    // Who may do what, before any other client connects (idempotent on a reused broker).
    await applyStackAcls(brokers, dataDir);
    options.afterKafka?.();
    return upRegistry(ctx, ports.registry, brokers);
  });
  const [kafkaResult, clickhouseResult, redisResult, hookResult, registryResult] =
    await Promise.allSettled([
      kafkaUp,
      clickhouseUp,
      upRedis(ctx, options.redis ?? 'auto', options.redisDb ?? 0),
      hook,
      registryUp,
    ]);
  const kafkaNodes = value(kafkaResult);
  const kafka = kafkaNodes?.[0];
  const clickhouse = value(clickhouseResult);
  const registry = value(registryResult);
  const redis = value(redisResult);

  if (!kafka || !clickhouse || !registry || !redis || hookResult.status === 'rejected') {
    const reused = new Set([
      ...(previous?.kafkaNodes ?? []).filter((n) => running(n, dataDir)).map((n) => n.pid),
      live.kafka?.pid,
      live.clickhouse?.pid,
      live.registry?.pid,
      previous?.redis.pid,
    ]);
    for (const started of [
      registry,
      clickhouse,
      ...(kafkaNodes ?? []),
      redis?.source === 'stack' ? redis : undefined,
    ]) {
      if (started?.pid !== undefined && !reused.has(started.pid)) await stopProcess(started.pid);
    }
    const failure = [kafkaResult, clickhouseResult, redisResult, registryResult, hookResult].find(
      (r) => r?.status === 'rejected',
    );
    throw failure?.reason ?? new StackError('The stack did not come up.');
  }

  const state: StackState = {
    dataDir,
    kafka: {
      pid: kafka.pid,
      port: kafka.port,
      controllerPort: kafka.controllerPort,
      logFile: kafka.logFile,
    },
    kafkaNodes,
    clickhouse,
    registry,
    redis,
    endpoints: {
      kafkaBrokers: brokers,
      schemaRegistryUrl: `http://127.0.0.1:${registry.port}`,
      clickhouseUrl: `http://127.0.0.1:${clickhouse.port}`,
      clickhouseUser: 'default',
      clickhousePassword: creds.password,
      clickhouseReaderUser: 'reader',
      clickhouseReaderPassword: creds.readerPassword,
      redisUrl: redis.url,
      kafkaUser: 'admin',
      kafkaPassword: kafkaPasswords(dataDir).admin,
      kafkaUsers: kafkaPasswords(dataDir),
    },
    startedAt: previous?.startedAt ?? new Date().toISOString(),
  };
  writeState(state);
  await provisionStreams(state.endpoints, ctx.log, nodes.length);
  return state;
}

/**
 * Stops what this stack started, dependants first (registry before Kafka), and only
 * processes that carry this data directory's marker. `keep` leaves the given pids running;
 * `purge` also deletes the data.
 */
export async function downStack(
  dataDir: string,
  options: { purge?: boolean; log?: (l: string) => void; keep?: ReadonlySet<number> } = {},
): Promise<void> {
  const log = options.log ?? (() => undefined);
  const dir = path.resolve(dataDir);
  const state = readState(dir);
  if (!state) log('no stack state here; nothing to stop');
  const components: [string, { pid?: number } | undefined, boolean][] = state
    ? [
        ['registry', state.registry, isOurs(state.registry.pid, marker(dir))],
        ['clickhouse', state.clickhouse, isOurs(state.clickhouse.pid, marker(dir))],
        ...kafkaNodesOf(state).map((n, i, all): [string, { pid?: number }, boolean] => [
          all.length > 1 ? `kafka-${n.nodeId}` : 'kafka',
          n,
          isOurs(n.pid, marker(dir)),
        ]),
        ['redis', state.redis.source === 'stack' ? state.redis : undefined, ownsRedis(state.redis)],
      ]
    : [];
  for (const [name, component, ours] of components) {
    const pid = component?.pid;
    if (pid === undefined) continue;
    if (options.keep?.has(pid)) log(`${name.padEnd(11)} left running (it was running before)`);
    else if (!ours) log(`${name.padEnd(11)} not running`);
    else
      log(
        `${name.padEnd(11)} ${await stopProcess(pid, name.startsWith('kafka') ? 30_000 : 10_000)} (pid ${pid})`,
      );
  }
  if (state && !options.keep?.size) rmSync(path.join(dir, 'stack.json'), { force: true });
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
    status: running(p, dir) ? 'running' : 'stopped',
    pid: p.pid,
    endpoint,
  });
  const { redis, endpoints } = state;
  const redisStatus: ComponentStatus =
    redis.source === 'none'
      ? { name: 'redis', status: 'none' }
      : {
          name: 'redis',
          status:
            redis.source === 'machine'
              ? (await pingRedis(redis.url ?? ''))
                ? 'machine'
                : 'stopped'
              : ownsRedis(redis)
                ? 'running'
                : 'stopped',
          ...(redis.pid !== undefined ? { pid: redis.pid } : {}),
          endpoint: redis.url ?? '',
        };
  return {
    state,
    components: [
      ...kafkaNodesOf(state).map((n, _, all) =>
        all.length > 1
          ? proc(`kafka-${n.nodeId}`, n, `127.0.0.1:${n.port}`)
          : proc('kafka', n, endpoints.kafkaBrokers),
      ),
      proc('registry', state.registry, endpoints.schemaRegistryUrl),
      proc('clickhouse', state.clickhouse, endpoints.clickhouseUrl),
      redisStatus,
    ],
  };
}

/** Node 1 on the planned ports, nodes 2…N on theirs (kept from before: the voters are fixed). */
async function planKafkaNodes(
  choice: PortChoice,
  count: number,
  ports: PortPlan,
  previous: StackState | undefined,
): Promise<KafkaNode[]> {
  const peers = await planPeerPorts(
    choice,
    count,
    new Map((previous?.kafkaNodes ?? []).filter((n) => n.nodeId > 1).map((n) => [n.nodeId, n])),
    Object.values(ports),
  );
  return [{ nodeId: 1, port: ports.kafka, controllerPort: ports.kafkaController }, ...peers];
}

/** The Kafka nodes a state records (a state from before clusters: its one node). */
export const kafkaNodesOf = (state: StackState): KafkaNodeState[] =>
  state.kafkaNodes ?? [{ ...state.kafka, nodeId: 1 }];

/**
 * A command's private stack (a bench's) goes down with it when it is interrupted (Ctrl-C, kill):
 * its `finally` does not run on a signal, and the stack would be left running.
 */
export function downOnSignal(dataDir: string): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the private stack in ${dataDir}…`);
      void downStack(dataDir, { purge: true }).finally(() => process.exit(130));
    });
}
