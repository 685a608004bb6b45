import { startTracing } from '@backbone/runtime/otel-sdk';
import { Kafka, logLevel } from 'kafkajs';
import { Redis } from 'ioredis';
import {
  createLogger,
  installShutdown,
  kafkaLogCreator,
  parseConfig,
  type Check,
  kafkaAuth,
} from '@backbone/runtime';
import { ApiKeyStore } from './api-keys.js';
import { KeyDirectory } from './key-directory.js';
import { buildGateway } from './app.js';
import { GatewayConfig } from './config.js';
import { KafkaSink } from './kafka-sink.js';

const config = parseConfig(GatewayConfig, process.env);
const logger = createLogger({ name: 'ingest-gateway', level: config.LOG_LEVEL });
// Spans go out over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md § Traces).
const tracing = startTracing('ingest-gateway');

const fileKeys = ApiKeyStore.fromFile(config.API_KEYS_FILE);
const keyKafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'ingest-gateway-keys',
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.WARN,
  logCreator: kafkaLogCreator(logger),
});
// Keys created, revoked or rotated in the tenants topic apply here within about a second.
const keys = new KeyDirectory({
  kafka: keyKafka,
  topic: config.TENANTS_TOPIC,
  file: fileKeys,
  logger,
  ...(config.SIGNING_SECRET_KEY ? { signingMaster: config.SIGNING_SECRET_KEY } : {}),
});
void (async () => {
  for (let attempt = 0; ; attempt++)
    try {
      await keys.start();
      return;
    } catch (err) {
      if (attempt % 15 === 0)
        logger.warn({ err }, 'cannot follow the API keys topic yet; file keys only until then');
      await keys.stop().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 2000));
    }
})();

const redis = config.REDIS_URL
  ? new Redis(config.REDIS_URL, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    })
  : undefined;
redis?.on('error', (err) =>
  logger.warn(
    { err: err.message },
    'Redis unreachable; rate limits fall back to allowing requests, and events that name a person go on without their identifiers until recorded consent is readable again',
  ),
);

const sink = new KafkaSink(
  {
    ...kafkaAuth(),
    brokers: config.KAFKA_BROKERS,
    registryUrl: config.SCHEMA_REGISTRY_URL,
    clientId: 'ingest-gateway',
    maxPending: config.MAX_PENDING_EVENTS,
    // Under load the next batch gathers while one is in flight; a high cap keeps it one round trip.
    maxBatch: 5000,
  },
  logger,
);
void sink.start();

const admin = new Kafka({
  ...kafkaAuth(),
  clientId: 'ingest-gateway-health',
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
  logCreator: kafkaLogCreator(logger),
}).admin();
const checks: Check[] = [
  {
    name: 'kafka',
    run: async () => {
      if (!sink.connected) return { up: false, detail: 'producer not connected' };
      await admin.connect();
      return (await admin.describeCluster()).brokers.length > 0;
    },
  },
  {
    name: 'registry',
    run: async () =>
      (await fetch(`${config.SCHEMA_REGISTRY_URL}/subjects`, { signal: AbortSignal.timeout(1000) }))
        .ok,
  },
  ...(redis ? [{ name: 'redis', run: async () => (await redis.ping()) === 'PONG' }] : []),
  { name: 'keys', run: () => keys.ready },
];

const app = await buildGateway(config, { sink, keys, logger, checks, ...(redis ? { redis } : {}) });
await app.listen({ host: config.HOST, port: config.PORT });
logger.info(
  { host: config.HOST, port: config.PORT, fileKeys: fileKeys.size, topic: config.TENANTS_TOPIC },
  'ingest gateway listening',
);

installShutdown({
  logger,
  steps: [
    { name: 'stop accepting requests and answer those in flight', run: () => app.close() },
    { name: 'deliver accepted events and disconnect from Kafka', run: () => sink.close() },
    { name: 'stop following the API keys', run: () => keys.stop() },
    {
      name: 'disconnect health clients',
      run: async () => {
        await admin.disconnect();
        redis?.disconnect();
      },
    },
    { name: 'export the last spans', run: () => tracing?.stop() },
  ],
});
