/**
 * A worker in a child process for the fault tests: built like main.ts builds it, but on a
 * test's topics and database, and killed with SIGKILL at a chosen step of its cycle.
 * Config comes as JSON in FAULT_CHILD; it prints "ready" once consuming.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, kafkaAuth } from '@backbone/runtime';
import { confluentRegistry, type StreamName, type TopicKind } from '@backbone/schemas';
import { clickhouseClient } from '@backbone/warehouse';
import { MemoryDedup } from '../src/enrich/dedup.js';
import { EnrichWorker } from '../src/enrich/enrich.worker.js';
import { WorkerMetrics } from '../src/metrics.js';
import { SinkWorker } from '../src/sink/sink.worker.js';
import { parseMasterKeys } from '../src/subjects/crypto.js';
import { ErasureRunner } from '../src/subjects/runner.js';
import { SubjectStore } from '../src/subjects/store.js';
import { prefixedSubjectTopics } from '../src/subjects/topics.js';

export interface FaultChildConfig {
  role: 'sink' | 'enrich' | 'erasure';
  topicsId: string;
  groupId: string;
  instanceId?: string;
  database: string;
  brokers: string[];
  registryUrl: string;
  clickhouse: { url: string; user: string; password: string };
  /**
   * Kill at the nth time this step is reached ('during-insert': 2 ms into the insert; an
   * erasure's steps are `<store>:<state>`, as `web_events:counted`).
   */
  killAt?: { step: string; nth: number };
  maxRows?: number;
}

const config = JSON.parse(process.env.FAULT_CHILD ?? '{}') as FaultChildConfig;
const topics = (kind: TopicKind, stream: StreamName) => `${kind}.${stream}.${config.topicsId}`;
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: `fault-${config.role}`,
  brokers: config.brokers,
  logLevel: logLevel.NOTHING,
});
const logger = createLogger({ name: `fault-${config.role}`, level: 'silent' });
const registry = confluentRegistry(config.registryUrl);
const seen = new Map<string, number>();
const kill = () => process.kill(process.pid, 'SIGKILL');
const onStep = (step: string) => {
  const nth = (seen.get(step) ?? 0) + 1;
  seen.set(step, nth);
  const at = config.killAt;
  if (!at || nth !== at.nth) return;
  if (at.step === step) kill();
  if (at.step === 'during-insert' && step === 'before-insert') setTimeout(kill, 2);
};

if (config.role === 'sink') {
  const worker = new SinkWorker({
    kafka,
    registry,
    clickhouse: clickhouseClient({
      CLICKHOUSE_URL: config.clickhouse.url,
      CLICKHOUSE_USER: config.clickhouse.user,
      CLICKHOUSE_PASSWORD: config.clickhouse.password,
    }),
    database: config.database,
    groupId: config.groupId,
    topics,
    streams: ['web'],
    logger,
    metrics: new WorkerMetrics({ defaultMetrics: false }),
    maxRows: config.maxRows ?? 50,
    maxWaitMs: 100,
    onStep,
    sessionTimeoutMs: 6000,
    offsetsFrom: { brokers: config.brokers, auth: kafkaAuth() },
    clickhouseRegistryUrl: process.env.CLICKHOUSE_SCHEMA_REGISTRY_URL || config.registryUrl,
  });
  await worker.start();
} else if (config.role === 'erasure') {
  // The keys of the pipeline whose subjects it erases (pipeline-fixture's).
  const { KEYS, MASTER_KEYS } = await import('./pipeline-fixture.js');
  const subjectTopics = prefixedSubjectTopics(`${config.topicsId}.`);
  const store = new SubjectStore({
    kafka,
    topics: subjectTopics,
    master: parseMasterKeys(MASTER_KEYS),
    refSecret: KEYS.tokenKey,
    instanceId: 'fault-erasure',
    logger,
  });
  await store.start();
  const runner = new ErasureRunner({
    kafka,
    topic: subjectTopics.requests,
    groupId: config.groupId,
    store,
    clickhouse: clickhouseClient({
      CLICKHOUSE_URL: config.clickhouse.url,
      CLICKHOUSE_USER: config.clickhouse.user,
      CLICKHOUSE_PASSWORD: config.clickhouse.password,
    }),
    database: config.database,
    logger,
    settleMs: 200,
    onStep: (store, state) => onStep(`${store}:${state}`),
  });
  await runner.start();
} else {
  const tokenKey = 'fault-token-key-0123456789';
  const subjects = new SubjectStore({
    kafka,
    topics: prefixedSubjectTopics(`${config.topicsId}.`),
    master: parseMasterKeys('fault:fault-master-key-0123456789'),
    refSecret: tokenKey,
    instanceId: config.instanceId ?? 'fault',
    logger,
  });
  await subjects.start();
  const worker = new EnrichWorker({
    kafka,
    registry,
    groupId: config.groupId,
    instanceId: config.instanceId ?? 'fault',
    topics,
    streams: ['web'],
    dedup: new MemoryDedup({ ttlSeconds: 3600, maxEntries: 100_000 }),
    logger,
    metrics: new WorkerMetrics({ defaultMetrics: false }),
    context: {
      keys: { hashKey: 'fault-hash-key-0123456789', tokenKey },
      subjects,
      geo: () => ({ country: null, region: null }),
      textPolicy: () => 'drop',
      now: Date.now,
    },
    onStep,
    sessionTimeoutMs: 6000,
    offsetsFrom: { brokers: config.brokers, auth: kafkaAuth() },
  });
  await worker.start();
}
console.log('ready');
