import { Kafka, logLevel } from 'kafkajs';
import { createLogger, installShutdown, kafkaLogCreator, parseConfig } from '@backbone/runtime';
import { confluentRegistry } from '@backbone/schemas';
import { clickhouseClient } from './clickhouse/client.js';
import { SinkConfig } from './config.js';
import { kafkaCheck, registryCheck } from './checks.js';
import { startWorkerHttp } from './http.js';
import { WorkerMetrics } from './metrics.js';
import { SinkWorker } from './sink/sink.worker.js';

const config = parseConfig(SinkConfig, process.env);
const logger = createLogger({ name: 'sink', level: config.LOG_LEVEL });
const kafka = new Kafka({
  clientId: 'clickhouse-sink',
  brokers: config.KAFKA_BROKERS,
  logLevel: logLevel.WARN,
  logCreator: kafkaLogCreator(logger),
});
const clickhouse = clickhouseClient(config);
const metrics = new WorkerMetrics();
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
});

const admin = kafka.admin();
const http = await startWorkerHttp({
  host: config.HOST,
  port: config.PORT,
  registry: metrics.registry,
  live: () => worker.live,
  checks: {
    kafka: kafkaCheck(admin),
    clickhouse: async () => (await clickhouse.ping()).success,
    registry: registryCheck(config.SCHEMA_REGISTRY_URL),
  },
});
logger.info({ url: http.url }, 'health, readiness and metrics');

installShutdown({
  logger,
  steps: [
    {
      name: 'stop fetching, insert and commit what is buffered, leave the group',
      run: () => worker.stop(),
    },
    {
      name: 'close health endpoints and clients',
      run: async () => {
        await http.close();
        await admin.disconnect();
        await clickhouse.close();
      },
    },
  ],
});
await worker.start();
