import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import {
  createLogger,
  installShutdown,
  kafkaLogCreator,
  parseConfig,
  kafkaAuth,
} from '@backbone/runtime';
import { buildRegistryApp } from './app.js';
import { SchemaLog } from './schema-log.js';
import { RegistryStore } from './store.js';

const Config = z.object({
  REGISTRY_HOST: z.string().default('127.0.0.1'),
  REGISTRY_PORT: z.coerce.number().int().min(1).max(65535).default(8081),
  KAFKA_BROKERS: z.string().min(1),
  REGISTRY_TOPIC: z.string().min(1).default('_schemas'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

const config = parseConfig(Config, process.env);
const logger = createLogger({ name: 'schema-registry-local', level: config.LOG_LEVEL });

const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'schema-registry-local',
  brokers: config.KAFKA_BROKERS.split(','),
  logLevel: logLevel.WARN,
  logCreator: kafkaLogCreator(logger),
});
const store = new RegistryStore();
const log = new SchemaLog(kafka, config.REGISTRY_TOPIC, logger.child({ module: 'schema-log' }));
const replayed = await log.open((record) => store.apply(record));

const app = buildRegistryApp({ logger, store, persist: (records) => log.append(records) });
await app.listen({ host: config.REGISTRY_HOST, port: config.REGISTRY_PORT });
logger.info(
  { port: config.REGISTRY_PORT, records: replayed, subjects: store.listSubjects().length },
  'schema registry listening',
);

installShutdown({
  logger,
  steps: [
    { name: 'stop accepting requests', run: () => app.close() },
    { name: 'close the schema log', run: () => log.close() },
  ],
});
