import { Kafka, logLevel, type ITopicConfig } from 'kafkajs';
import { createTopicsReady, kafkaAuth } from '@backbone/runtime';
import { testStack, uniqueName } from './stack.js';

export function testKafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({
    ...kafkaAuth(),
    clientId,
    brokers: testStack().kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
}

/** Creates a topic with a unique name (auto-creation is off on the local broker). */
export async function createTestTopic(
  kafka: Kafka,
  prefix: string,
  options: Omit<ITopicConfig, 'topic'> = {},
): Promise<string> {
  const topic = uniqueName(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsReady(admin, [{ topic, numPartitions: 1, ...options }]);
  } finally {
    await admin.disconnect();
  }
  return topic;
}
