import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Endpoints {
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  clickhouseUrl: string;
  clickhouseUser: string;
  clickhousePassword: string;
  clickhouseReaderUser: string;
  clickhouseReaderPassword: string;
  /** Null when no Redis is reachable: services fall back to in-process caches and limits. */
  redisUrl: string | null;
  /** The broker's super user (SCRAM-SHA-512), for tools and shells; services have their own. */
  kafkaUser: string;
  kafkaPassword: string;
  /** Each service's own user's password (stack/kafka-users.ts), where the stack made them. */
  kafkaUsers?: Record<string, string>;
}

export interface ProcessState {
  pid: number;
  port: number;
  logFile: string;
}

/** One Kafka node the stack runs. */
export type KafkaNodeState = ProcessState & { controllerPort: number; nodeId: number };

export interface StackState {
  dataDir: string;
  /** The first Kafka node (the only one, unless the stack runs a cluster). */
  kafka: ProcessState & { controllerPort: number };
  /** Every Kafka node, the first included (`up --kafka-nodes N`); absent before clusters. */
  kafkaNodes?: KafkaNodeState[];
  clickhouse: ProcessState;
  registry: ProcessState;
  redis: {
    source: 'machine' | 'stack' | 'none';
    url: string | null;
    pid?: number;
    port?: number;
    logFile?: string;
  };
  endpoints: Endpoints;
  startedAt: string;
}

const STATE_FILE = 'stack.json';

export function readState(dataDir: string): StackState | undefined {
  const file = path.join(dataDir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

function writeAtomically(file: string, text: string, mode = 0o600): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, file);
}

/** The environment variables every service reads to find the stack. */
export function endpointsEnv(e: Endpoints): Record<string, string> {
  return {
    KAFKA_BROKERS: e.kafkaBrokers,
    SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
    CLICKHOUSE_URL: e.clickhouseUrl,
    CLICKHOUSE_USER: e.clickhouseUser,
    CLICKHOUSE_PASSWORD: e.clickhousePassword,
    CLICKHOUSE_READER_USER: e.clickhouseReaderUser,
    CLICKHOUSE_READER_PASSWORD: e.clickhouseReaderPassword,
    REDIS_URL: e.redisUrl ?? '',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: e.kafkaUser,
    KAFKA_SASL_PASSWORD: e.kafkaPassword,
  };
}

/**
 * The endpoints' environment for one service: its own Kafka user where the stack has one,
 * the endpoints' (super) user otherwise.
 */
export function serviceEnv(e: Endpoints, user: string): Record<string, string> {
  const password = e.kafkaUsers?.[user];
  return {
    ...endpointsEnv(e),
    ...(password ? { KAFKA_SASL_USERNAME: user, KAFKA_SASL_PASSWORD: password } : {}),
  };
}

/**
 * Writes stack.json (pids, ports) and the endpoints as endpoints.json and endpoints.env
 * (`set -a; . .backbone/local/endpoints.env` exports them to a shell). Readable by the
 * owner only: they hold the generated ClickHouse passwords.
 */
export function writeState(state: StackState): void {
  writeAtomically(path.join(state.dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  writeAtomically(
    path.join(state.dataDir, 'endpoints.json'),
    `${JSON.stringify(state.endpoints, null, 2)}\n`,
  );
  const env = Object.entries(endpointsEnv(state.endpoints))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  writeAtomically(path.join(state.dataDir, 'endpoints.env'), `${env}\n`);
}

export function readEndpoints(dataDir: string): Endpoints | undefined {
  return readState(dataDir)?.endpoints;
}
