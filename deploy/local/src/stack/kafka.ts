import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaAuth, waitFor } from '@backbone/runtime';
import { replicationFor } from '@backbone/schemas';
import { KAFKA_USERS, kafkaPasswords } from './kafka-users.js';
import { StackError } from './errors.js';
import { classArchiveFlags, useClassArchive } from './class-archive.js';
import { isAlive, spawnDetached, tail, type SpawnedProcess } from './processes.js';

export const KAFKA_VERSION = '4.3.1';

const run = promisify(execFile);

/** Runs a command; resolves with its exit status and output instead of throwing. */
async function capture(
  command: string,
  args: string[],
): Promise<{ status: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { maxBuffer: 16 * 1024 * 1024 });
    return { status: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      status: typeof e.code === 'number' ? e.code : 1,
      output: `${e.stdout ?? ''}${e.stderr ?? e.message}`,
    };
  }
}

export interface KafkaPorts {
  port: number;
  controllerPort: number;
}

/** One node of the local cluster: its id (1, 2, …) and ports. */
export interface KafkaNode extends KafkaPorts {
  nodeId: number;
}

/**
 * Resolves the broker's classpath from deploy/local/kafka/pom.xml with Maven (jars land in
 * ~/.m2, nothing else is downloaded). Cached by the pom's hash; re-resolved if a jar is gone.
 */
export async function kafkaClasspath(pomDir: string, cacheDir: string): Promise<string> {
  const pom = readFileSync(path.join(pomDir, 'pom.xml'));
  const key = createHash('sha256').update(pom).digest('hex').slice(0, 16);
  const cacheFile = path.join(cacheDir, `kafka-classpath-${key}.txt`);
  if (existsSync(cacheFile)) {
    const cached = readFileSync(cacheFile, 'utf8').trim();
    if (cached.split(':').every((jar) => existsSync(jar))) return cached;
  }
  mkdirSync(cacheDir, { recursive: true });
  const result = await capture('mvn', [
    '-B',
    '-q',
    '-f',
    path.join(pomDir, 'pom.xml'),
    'dependency:build-classpath',
    `-Dmdep.outputFile=${cacheFile}`,
  ]);
  if (result.status !== 0 || !existsSync(cacheFile)) {
    throw new StackError(
      `Maven could not resolve the Kafka ${KAFKA_VERSION} jars from Maven Central.`,
      `${result.output.trim().split('\n').slice(-5).join('\n')}\nCheck that Maven Central is reachable, then run the command again.`,
    );
  }
  return readFileSync(cacheFile, 'utf8').trim();
}

/**
 * One combined KRaft node (broker and controller); in a cluster every node is a voter of the
 * controller quorum. Clients authenticate with SCRAM-SHA-512 on the only client
 * listener, and the StandardAuthorizer allows each user what kafka-users.ts grants (admin is
 * the super user); there is no unauthenticated listener. The controller listener, which
 * only the node itself uses, takes PLAIN: SCRAM credentials live in the metadata the
 * controller serves, so they cannot authenticate the controller's own listener.
 */
export function serverProperties(
  dataDir: string,
  node: KafkaNode,
  cluster: readonly KafkaNode[],
  adminPassword: string,
): string {
  const { replicationFactor: rf, minInsync } = replicationFor(cluster.length);
  const voters = cluster.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const ports = node;
  const scram = `org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${adminPassword}";`;
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${adminPassword}" user_admin="${adminPassword}";`;
  return `# Written by the local stack on every start; edit deploy/local/src/stack/kafka.ts instead.
process.roles=broker,controller
node.id=${node.nodeId}
controller.quorum.voters=${voters}
listeners=SASL_PLAINTEXT://127.0.0.1:${ports.port},CONTROLLER://127.0.0.1:${ports.controllerPort}
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${ports.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${scram}
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=${plain}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin
allow.everyone.if.no.acl.found=false
log.dirs=${path.join(dataDir, 'logs')}
num.partitions=1
default.replication.factor=${rf}
min.insync.replicas=${minInsync}
offsets.topic.replication.factor=${rf}
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=${rf}
transaction.state.log.min.isr=${minInsync}
transaction.state.log.num.partitions=8
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
`;
}

const LOG4J2 = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;

/**
 * Kafka's Uuid text form: 16 random bytes, URL-safe base64 without padding. Like Kafka's own
 * Uuid.randomUuid, never one starting with '-': the storage tool's argument parser would
 * take it for an option (about one format in 64 failed before this).
 */
export function clusterId(random = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * The cluster a data directory holds: its node count and id, fixed at the first format (the
 * controller quorum's voters cannot change afterwards here). A directory made before
 * clusters holds one node. Asking for another count is refused with what to do.
 */
export function kafkaCluster(
  stackDir: string,
  nodes: number,
): { nodes: number; clusterId: string } {
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 5)
    throw new StackError(`--kafka-nodes must be a whole number from 1 to 5, not ${nodes}`);
  const file = path.join(stackDir, 'kafka-cluster.json');
  const formatted = existsSync(path.join(stackDir, 'kafka', 'logs', 'meta.properties'));
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { nodes: number; clusterId: string })
    : formatted
      ? { nodes: 1, clusterId: '' }
      : undefined;
  if (kept && kept.nodes !== nodes)
    throw new StackError(
      `The data directory ${stackDir} holds a Kafka cluster of ${kept.nodes} node(s); this start asks for ${nodes}.`,
      `Start it as it was made (--kafka-nodes ${kept.nodes}), or remove it with \`npm run stack -- down --purge\` (its data is lost) or use another --data-dir.`,
    );
  if (kept) return kept;
  const made = { nodes, clusterId: clusterId() };
  writeFileSync(file, `${JSON.stringify(made)}\n`);
  return made;
}

export async function startKafka(options: {
  dataDir: string;
  classpath: string;
  node: KafkaNode;
  /** Every node of the cluster (this one included); one for a single broker. */
  cluster: readonly KafkaNode[];
  /** The cluster's id, the same for every node's first format. */
  clusterId: string;
  heap: string;
  /** The java executable that runs the broker. */
  java: string;
  /** Where the broker's class archive is kept (class-archive.ts). */
  cacheDir: string;
  cwd: string;
  /** The stack's data directory, recorded in the process so `down` can recognise it. */
  stackDir: string;
}): Promise<SpawnedProcess> {
  const dir = options.dataDir;
  mkdirSync(dir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  const passwords = kafkaPasswords(options.stackDir);
  // It holds the admin's password: the owner's only.
  writeFileSync(props, serverProperties(dir, options.node, options.cluster, passwords.admin), {
    mode: 0o600,
  });
  writeFileSync(path.join(dir, 'log4j2.properties'), LOG4J2);
  const base = [
    `-Xms256m`,
    `-Xmx${options.heap}`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${path.join(dir, 'log4j2.properties')}`,
    `-Dbackbone.stack=${options.stackDir}`,
    '-cp',
    options.classpath,
  ];
  if (!existsSync(path.join(dir, 'logs', 'meta.properties'))) {
    const format = await capture(options.java, [
      ...base,
      ...useClassArchive(options.cacheDir, options.java, options.classpath),
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${options.clusterId}`,
      '-c',
      props,
      // The users' SCRAM credentials, in the cluster's first metadata.
      ...KAFKA_USERS.flatMap((u) => [
        '--add-scram',
        `SCRAM-SHA-512=[name=${u},password=${passwords[u]}]`,
      ]),
    ]);
    if (format.status !== 0) {
      throw new StackError('Formatting the Kafka log directory failed.', format.output.trim());
    }
  }
  const jvm = [...base, ...classArchiveFlags(options.cacheDir, options.java, options.classpath)];
  return spawnDetached(options.java, [...jvm, 'kafka.Kafka', props], {
    cwd: options.cwd,
    env: { ...process.env, BACKBONE_STACK_DIR: options.stackDir },
    logFile: path.join(dir, 'kafka.log'),
  });
}

/**
 * Ready = the broker answers a metadata request naming `nodes` brokers (and, for a process we
 * started, is alive).
 */
export async function waitForKafka(
  brokers: string,
  pid: number | undefined,
  logFile: string,
  timeoutMs: number,
  stackDir: string,
  nodes = 1,
): Promise<void> {
  const kafka = new Kafka({
    ...kafkaAuth({
      KAFKA_SASL_USERNAME: 'admin',
      KAFKA_SASL_PASSWORD: kafkaPasswords(stackDir).admin,
    }),
    clientId: 'stack-readiness',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const outcome = await waitFor(
    async () => {
      if (pid !== undefined && !isAlive(pid)) return 'exited' as const;
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length >= nodes ? ('ready' as const) : undefined;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    { timeoutMs, intervalMs: 250, description: `Kafka at ${brokers}` },
  ).catch(() => 'timeout' as const);
  if (outcome === 'exited') throw new StackError('Kafka exited during start-up.', tail(logFile));
  if (outcome === 'timeout') {
    throw new StackError(`Kafka did not become ready within ${timeoutMs / 1000} s.`, tail(logFile));
  }
}
