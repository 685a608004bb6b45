import { describe, expect, it } from 'vitest';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { createTestTopic, testKafka, uniqueName, waitFor } from '@backbone/test';

async function collect(consumer: Consumer, topic: string, into: KafkaMessage[]): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      into.push(message);
      return Promise.resolve();
    },
  });
}

describe('Kafka broker of the local stack (kafkajs)', () => {
  it('stores what an idempotent producer sends, in key order, for a consumer group to read', async () => {
    const kafka = testKafka();
    const topic = await createTestTopic(kafka, 'idem', { numPartitions: 3 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({
      key: `session-${i % 3}`,
      value: `event-${i}`,
    }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const received: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('g') });
    try {
      await collect(consumer, topic, received);
      await waitFor(() => received.length >= 30, { timeoutMs: 20_000, description: '30 messages' });
    } finally {
      await consumer.disconnect();
    }
    expect(received).toHaveLength(30);
    for (const key of ['session-0', 'session-1', 'session-2']) {
      const values = received
        .filter((m) => m.key?.toString() === key)
        .map((m) => Number(m.value?.toString().slice(6)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(values).toHaveLength(10);
    }
  });

  it('makes a committed transaction and its offsets visible to read_committed consumers, and an aborted one never', async () => {
    const kafka = testKafka();
    const input = await createTestTopic(kafka, 'tx-in');
    const output = await createTestTopic(kafka, 'tx-out');
    const group = uniqueName('tx-group');
    const producer = kafka.producer({
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic: output, messages: [{ key: 's1', value: 'committed' }] });
      await committed.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '7' }] }],
      });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic: output, messages: [{ key: 's1', value: 'aborted' }] });
      await aborted.sendOffsets({
        consumerGroupId: group,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '9' }] }],
      });
      await aborted.abort();

      const after = await producer.transaction();
      await after.send({ topic: output, messages: [{ key: 's1', value: 'after' }] });
      await after.commit();
    } finally {
      await producer.disconnect();
    }

    const received: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
    try {
      await collect(consumer, output, received);
      await waitFor(() => received.some((m) => m.value?.toString() === 'after'), {
        timeoutMs: 20_000,
        description: 'the last committed message',
      });
    } finally {
      await consumer.disconnect();
    }
    expect(received.map((m) => m.value?.toString())).toEqual(['committed', 'after']);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [input] });
      expect(offsets?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '7' })]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to create topics implicitly: producing to an unknown topic fails', async () => {
    const kafka = testKafka();
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    try {
      await expect(
        producer.send({
          topic: uniqueName('nowhere'),
          acks: -1,
          timeout: 3000,
          messages: [{ value: 'x' }],
        }),
      ).rejects.toThrow(/partition|topic/i);
    } finally {
      await producer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    expect(topics.some((t) => t.startsWith('nowhere_'))).toBe(false);
  });
});
