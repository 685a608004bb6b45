import { Kafka, logLevel } from 'kafkajs';
import { createTopicsReady } from '@backbone/runtime';
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
  const kafka = new Kafka({
    clientId: 'stack-provision',
    brokers: [endpoints.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topicSpecs().filter((spec) => !existing.has(spec.topic));
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
