import { startTracing } from '@backbone/runtime/otel-sdk';
import { hostname } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import {
  createLogger,
  installShutdown,
  kafkaLogCreator,
  parseConfig,
  kafkaAuth,
} from '@backbone/runtime';
import { confluentRegistry } from '@backbone/schemas';
import { clickhouseClient, SessionFinalizer } from '@backbone/warehouse';
import { clickhouseRegistryUrl, fetchPolicy, SinkConfig } from './config.js';
import { insertsCheck, kafkaCheck, registryCheck } from './checks.js';
import { startWorkerHttp } from './http.js';
import { WorkerMetrics } from './metrics.js';
import { SinkWorker } from './sink/sink.worker.js';
import { HandoverWatch } from './replay/handover.js';
import { parseMasterKeys } from './subjects/crypto.js';
import { SubjectStore } from './subjects/store.js';
import { prefixedSubjectTopics } from './subjects/topics.js';
import { TenantPolicies } from './enrich/tenant-policies.js';
import { RetentionJob } from './sink/retention.js';

const config = parseConfig(SinkConfig, process.env);
const logger = createLogger({ name: 'sink', level: config.LOG_LEVEL });
// Spans go out over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md § Traces).
const tracing = startTracing('sink');
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'clickhouse-sink',
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.WARN,
  logCreator: kafkaLogCreator(logger),
});
const clickhouse = clickhouseClient(config);
const metrics = new WorkerMetrics();
// Transcript text kept by a redact policy is encrypted with its subject's key: read here.
const texts = config.SUBJECT_MASTER_KEYS
  ? new SubjectStore({
      kafka,
      topics: prefixedSubjectTopics(config.SUBJECT_TOPIC_PREFIX),
      master: parseMasterKeys(config.SUBJECT_MASTER_KEYS),
      instanceId: `sink-${hostname()}`,
      logger,
    })
  : undefined;
if (!texts)
  logger.warn(
    'no SUBJECT_MASTER_KEYS: records with encrypted transcript text (tenants with a redact policy) wait until it is set',
  );
const worker = new SinkWorker({
  kafka,
  registry: confluentRegistry(config.SCHEMA_REGISTRY_URL),
  clickhouse,
  database: config.CLICKHOUSE_DATABASE,
  groupId: config.GROUP_ID,
  logger,
  metrics,
  maxRows: config.BATCH_MAX_ROWS,
  maxWaitMs: config.BATCH_MAX_WAIT_MS,
  insertConcurrency: config.SINK_INSERT_CONCURRENCY,
  insertIntervalMs: config.SINK_INSERT_INTERVAL_MS,
  clickhouseRegistryUrl: clickhouseRegistryUrl(config),
  fetch: fetchPolicy(config),
  ...(texts ? { texts } : {}),
  offsetsFrom: { brokers: config.KAFKA_BROKERS, auth: kafkaAuth() },
});

const finalizer = new SessionFinalizer({
  client: clickhouse,
  names: { database: config.CLICKHOUSE_DATABASE, suffix: '' },
  logger,
  idleMinutes: config.SESSION_IDLE_MINUTES,
  onHour: (hour, seconds) => {
    metrics.sessionHours.observe(seconds);
    metrics.sessionsFinalizedUntil.set(hour.getTime() / 1000 + 3600);
  },
});

const finalizing = config.SESSION_FINALIZE_INTERVAL_MS > 0;
const finalizerRuns = () => finalizer.start(config.SESSION_FINALIZE_INTERVAL_MS);
// Replay hand-overs: a hold on a family drains its streams (and the finalizer, for web).
const handover = new HandoverWatch({
  client: clickhouse,
  database: config.CLICKHOUSE_DATABASE,
  logger,
  sink: worker,
  writers: [
    { family: 'web', stop: () => finalizer.stop(), resume: () => finalizing && finalizerRuns() },
  ],
  onChange: (family, held) => metrics.replayHolds.set({ family }, held),
});

// Tenants' retention: run by the instance holding each stream's first partition.
const tenants = new TenantPolicies({
  kafka,
  topic: config.TENANTS_TOPIC,
  fallback: () => 'drop',
  logger,
});
const retention = new RetentionJob({
  clickhouse,
  database: config.CLICKHOUSE_DATABASE,
  cluster: config.CLICKHOUSE_CLUSTER,
  streams: () => worker.ownedStreams(),
  policies: () => tenants.retentionPolicies(),
  logger,
  deleted: metrics.retentionDeleted,
});

const admin = kafka.admin();
const http = await startWorkerHttp({
  host: config.HOST,
  port: config.PORT,
  registry: metrics.registry,
  live: () => worker.live,
  checks: [
    kafkaCheck(admin),
    { name: 'clickhouse', run: async () => (await clickhouse.ping()).success },
    registryCheck(config.SCHEMA_REGISTRY_URL),
    insertsCheck(worker),
    ...(texts ? [{ name: 'subject-keys', run: () => texts.live }] : []),
  ],
});
logger.info({ url: http.url }, 'health, readiness and metrics');

installShutdown({
  logger,
  steps: [
    { name: 'stop watching for replay hand-overs', run: () => handover.stop() },
    {
      name: 'stop fetching, insert and commit what is buffered, leave the group',
      run: () => worker.stop(),
    },
    { name: 'finish the session hour being finalized', run: () => finalizer.stop() },
    {
      name: 'finish the retention run and stop following tenants',
      run: async () => {
        await retention.stop();
        await tenants.stop();
      },
    },
    {
      name: 'close health endpoints and clients',
      run: async () => {
        await http.close();
        await texts?.stop();
        await admin.disconnect();
        await clickhouse.close();
      },
    },
    { name: 'export the last spans', run: () => tracing?.stop() },
  ],
});
await texts?.start();
// A hold already in force applies before the first record is written.
await handover.poll();
await worker.start();
handover.start();
if (finalizing && !handover.holding.includes('web')) finalizerRuns();
if (config.RETENTION_INTERVAL_MS > 0) {
  await tenants.start();
  retention.start(config.RETENTION_INTERVAL_MS);
}
