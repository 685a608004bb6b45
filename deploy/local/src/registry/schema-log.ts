import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { createTopicsReady, type Logger } from '@backbone/runtime';
import type { RegistryRecord } from './store.js';

/**
 * The registry's durable state: a single-partition, compacted Kafka topic (`_schemas`, as
 * Confluent's registry uses). Every change is appended with acks=all before it is applied,
 * and the whole topic is read back at start-up.
 */
export class SchemaLog {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** Creates the topic if needed and replays every record in it, in order. */
  async open(onRecord: (record: RegistryRecord) => void): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = await admin.listTopics();
      if (!existing.includes(this.topic)) {
        await createTopicsReady(admin, [
          {
            topic: this.topic,
            numPartitions: 1,
            // Replicas: the brokers' default (three on a cluster).
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ]);
        this.logger.info({ topic: this.topic }, 'created schema log topic');
      }
      const [partition] = await admin.fetchTopicOffsets(this.topic);
      const high = Number(partition?.high ?? 0);
      const low = Number(partition?.low ?? 0);
      if (high > low) await this.replay(high, onRecord);
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await this.producer.connect();
      return high;
    } finally {
      await admin.disconnect();
    }
  }

  private async replay(high: number, onRecord: (record: RegistryRecord) => void): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `schema-registry-loader-${randomUUID()}` });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ message }) => {
              if (message.key) {
                onRecord({
                  key: JSON.parse(message.key.toString()) as RegistryRecord['key'],
                  value: message.value
                    ? (JSON.parse(message.value.toString()) as RegistryRecord['value'])
                    : null,
                } as RegistryRecord);
              }
              if (Number(message.offset) >= high - 1) resolve();
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }

  async append(records: RegistryRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.producer) throw new Error('schema log is not open');
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: records.map((r) => ({
        key: JSON.stringify(r.key),
        value: r.value === null ? null : JSON.stringify(r.value),
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}
