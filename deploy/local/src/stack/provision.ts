import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createTopicsReady, kafkaAuth, tenantsTopicSpec } from '@backbone/runtime';
import { applyAcls, kafkaPasswords } from './kafka-users.js';
import { partitionsFromEnv, registerSchemas, topicSpecs, type TopicSpec } from '@backbone/schemas';
import type { Endpoints } from './state.js';

/**
 * Creates the catalog's topics that do not exist yet (auto-creation is off) and registers
 * the stream schemas. Both are idempotent. A local schema the registry refuses as
 * incompatible is reported, not fatal: `npm run schemas -- check` shows why.
 */
export async function provisionStreams(
  endpoints: Endpoints,
  log: (line: string) => void,
  brokers = 1,
): Promise<void> {
  const kafka = adminKafka(endpoints.kafkaBrokers, endpoints.kafkaPassword);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const specs = topicSpecs(partitionsFromEnv(process.env.TOPIC_PARTITIONS), brokers);
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    await growPartitions(
      admin,
      specs.filter((spec) => existing.has(spec.topic)),
      log,
    );
    // The tenants topic too, which services may read but not create.
    if (!existing.has(TENANTS_TOPIC))
      await createTopicsReady(admin, [tenantsTopicSpec(TENANTS_TOPIC)]);
    if (missing.length > 0) {
      await createTopicsReady(
        admin,
        missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        })),
      );
    }
    log(`topics      ${missing.length} created, ${specs.length - missing.length} already there`);
  } finally {
    await admin.disconnect();
  }
  const outcomes = await registerSchemas(endpoints.schemaRegistryUrl);
  const refused = outcomes.filter((o) => o.state === 'incompatible');
  log(
    `schemas     ${outcomes.length - refused.length} registered${refused.length ? `; INCOMPATIBLE: ${refused.map((o) => o.subject).join(', ')} (npm run schemas -- check)` : ''}`,
  );
}

/** The tenants topic's name, as the services have it by default (TENANTS_TOPIC). */
const TENANTS_TOPIC = '_tenants';

const adminKafka = (brokers: string, password: string) =>
  new Kafka({
    ...kafkaAuth({ KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: password }),
    clientId: 'stack-provision',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });

/** Creates the users' ACLs (kafka-users.ts) as the super user. */
export async function applyStackAcls(brokers: string, stackDir: string): Promise<void> {
  const admin = adminKafka(brokers, kafkaPasswords(stackDir).admin).admin();
  await admin.connect();
  try {
    await applyAcls(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Adds partitions to topics that have fewer than their spec (TOPIC_PARTITIONS raised);
 * Kafka cannot remove any. Only new sessions keep their order across the change
 * (docs/operations.md § Capacity); the workers read the new partitions without a restart.
 */
async function growPartitions(admin: Admin, specs: TopicSpec[], log: (line: string) => void) {
  if (specs.length === 0) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.topic) });
  const have = new Map(topics.map((t) => [t.name, t.partitions.length]));
  const grow = specs.filter((s) => (have.get(s.topic) ?? s.partitions) < s.partitions);
  if (grow.length === 0) return;
  await admin.createPartitions({
    topicPartitions: grow.map((s) => ({ topic: s.topic, count: s.partitions })),
  });
  for (const s of grow)
    log(
      `topics      ${s.topic}: ${have.get(s.topic)} → ${s.partitions} partitions (TOPIC_PARTITIONS)`,
    );
}
