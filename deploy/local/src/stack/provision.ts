import { Kafka, logLevel } from 'kafkajs';
import { createTopicsReady, kafkaAuth, tenantsTopicSpec } from '@backbone/runtime';
import { applyAcls, kafkaPasswords } from './kafka-users.js';
import { registerSchemas, topicSpecs } from '@backbone/schemas';
import type { Endpoints } from './state.js';

/**
 * Creates the catalog's topics that do not exist yet (auto-creation is off) and registers
 * the stream schemas. Both are idempotent. A local schema the registry refuses as
 * incompatible is reported, not fatal: `npm run schemas -- check` shows why.
 */
export async function provisionStreams(
  endpoints: Endpoints,
  log: (line: string) => void,
): Promise<void> {
  const kafka = adminKafka(endpoints.kafkaBrokers, endpoints.kafkaPassword);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs().filter((spec) => !existing.has(spec.topic));
    // The tenants topic too, which services may read but not create.
    if (!existing.has(TENANTS_TOPIC))
      await createTopicsReady(admin, [tenantsTopicSpec(TENANTS_TOPIC)]);
    if (missing.length > 0) {
      await createTopicsReady(
        admin,
        missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: 1,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        })),
      );
    }
    log(
      `topics      ${missing.length} created, ${topicSpecs().length - missing.length} already there`,
    );
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
    brokers: [brokers],
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
