import { startTracing } from '@backbone/runtime/otel-sdk';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import {
  createLogger,
  installShutdown,
  kafkaLogCreator,
  parseConfig,
  kafkaAuth,
} from '@backbone/runtime';
import { confluentRegistry } from '@backbone/schemas';
import { clickhouseClient } from '@backbone/warehouse';
import { EnrichConfig, fetchPolicy } from './config.js';
import { MemoryDedup, RedisDedup, type DedupStore } from './enrich/dedup.js';
import { EnrichWorker } from './enrich/enrich.worker.js';
import { TenantPolicies } from './enrich/tenant-policies.js';
import { GeoLookup } from './enrich/geo.js';
import { kafkaCheck, registryCheck } from './checks.js';
import { startWorkerHttp } from './http.js';
import { WorkerMetrics } from './metrics.js';
import { parseMasterKeys } from './subjects/crypto.js';
import { ErasureRunner } from './subjects/runner.js';
import { legacyToken } from './subjects/legacy.js';
import { SubjectStore } from './subjects/store.js';
import { prefixedSubjectTopics } from './subjects/topics.js';

const config = parseConfig(EnrichConfig, process.env);
const logger = createLogger({ name: 'enrich', level: config.LOG_LEVEL });
// Spans go out over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md § Traces).
const tracing = startTracing('enrich');
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: `enrich-${config.WORKER_INSTANCE_ID}`,
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.WARN,
  logCreator: kafkaLogCreator(logger),
});
const redis = config.REDIS_URL
  ? new Redis(config.REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 3 })
  : undefined;
redis?.on('error', (err: Error) =>
  logger.warn({ err: err.message }, 'Redis unreachable; enrich waits for it (deduplication)'),
);
const dedup: DedupStore = redis
  ? new RedisDedup(redis, { ttlSeconds: config.DEDUP_WINDOW_SECONDS, prefix: 'backbone:dedup:' })
  : new MemoryDedup({ ttlSeconds: config.DEDUP_WINDOW_SECONDS, maxEntries: 1_000_000 });
if (!redis) logger.warn('no REDIS_URL: deduplication is per process; run one enrich instance only');

const subjectTopics = prefixedSubjectTopics(config.SUBJECT_TOPIC_PREFIX);
const subjects = new SubjectStore({
  kafka,
  topics: subjectTopics,
  master: parseMasterKeys(config.SUBJECT_MASTER_KEYS),
  refSecret: config.TOKEN_KEY,
  instanceId: config.WORKER_INSTANCE_ID,
  logger,
});
const clickhouse = clickhouseClient(config);
const erasure = new ErasureRunner({
  kafka,
  topic: subjectTopics.requests,
  groupId: config.ERASURE_GROUP_ID,
  store: subjects,
  clickhouse,
  database: config.CLICKHOUSE_DATABASE,
  cluster: config.CLICKHOUSE_CLUSTER,
  ...(redis ? { cache: { redis, namespace: config.QUERY_CACHE_NAMESPACE } } : {}),
  legacyTokens: (r) => [legacyToken(r, { hashKey: config.HASH_KEY, tokenKey: config.TOKEN_KEY })],
  logger,
});

const geo = await GeoLookup.open(config.GEO_DB_DIR || undefined);
const redactTenants = new Set(config.REDACT_TENANTS);
// A tenant's transcript mode set through the admin API applies here without a restart.
const policies = new TenantPolicies({
  kafka,
  topic: config.TENANTS_TOPIC,
  fallback: (tenant) => (redactTenants.has(tenant) ? 'redact' : 'drop'),
  logger,
});
const metrics = new WorkerMetrics();
const worker = new EnrichWorker({
  kafka,
  registry: confluentRegistry(config.SCHEMA_REGISTRY_URL),
  groupId: config.GROUP_ID,
  instanceId: config.WORKER_INSTANCE_ID,
  context: {
    keys: { hashKey: config.HASH_KEY, tokenKey: config.TOKEN_KEY },
    subjects,
    geo: (ip) => geo.lookup(ip),
    textPolicy: policies.textPolicy,
    now: Date.now,
  },
  dedup,
  logger,
  metrics,
  fetch: fetchPolicy(config),
  offsetsFrom: { brokers: config.KAFKA_BROKERS, auth: kafkaAuth() },
});

const admin = kafka.admin();
const http = await startWorkerHttp({
  host: config.HOST,
  port: config.PORT,
  registry: metrics.registry,
  live: () => worker.live && subjects.live && erasure.live,
  checks: [
    kafkaCheck(admin),
    registryCheck(config.SCHEMA_REGISTRY_URL),
    ...(redis ? [{ name: 'redis', run: async () => (await redis.ping()) === 'PONG' }] : []),
    // Erasure requests wait while ClickHouse is away; enriching does not.
    { name: 'clickhouse', required: false, run: async () => (await clickhouse.ping()).success },
  ],
});
logger.info({ url: http.url }, 'health, readiness and metrics');

installShutdown({
  logger,
  steps: [
    {
      name: 'finish the batch in hand, commit its transaction, leave the group',
      run: () => worker.stop(),
    },
    {
      name: 'stop taking erasure requests (one in hand resumes on the next start)',
      run: () => erasure.stop(),
    },
    { name: 'stop reading the subject keys', run: () => subjects.stop() },
    { name: 'stop following tenant policies', run: () => policies.stop() },
    {
      name: 'close health endpoints and clients',
      run: async () => {
        await http.close();
        await admin.disconnect();
        await clickhouse.close();
        redis?.disconnect();
      },
    },
    { name: 'export the last spans', run: () => tracing?.stop() },
  ],
});
await subjects.start();
await policies.start();
await worker.start();
await erasure.start();
