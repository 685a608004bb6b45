import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import type { ErasureRequest } from '@backbone/warehouse';
import { ErasureJob, type ErasureJobOptions } from './erasure.js';

export interface ErasureRunnerOptions extends ErasureJobOptions {
  kafka: Kafka;
  /** The requests topic. */
  topic: string;
  groupId: string;
  logger: Logger;
}

/**
 * Runs erasure requests from their topic, one at a time per partition: a request's offset is
 * committed once its job is done, so a worker that dies mid-job leaves it to whoever reads the
 * partition next, which resumes it from the audit log. Records of finished requests are then
 * deleted from the topic (they hold the client's clear id): `deleteRecords` up to the commit.
 */
export class ErasureRunner {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private readonly job: ErasureJob;
  private failed: Error | undefined;

  constructor(private readonly options: ErasureRunnerOptions) {
    this.job = new ErasureJob(options);
  }

  get live(): boolean {
    return this.consumer !== undefined && this.failed === undefined;
  }

  async start(): Promise<void> {
    const { kafka, topic, groupId, logger } = this.options;
    this.admin = kafka.admin();
    await this.admin.connect();
    const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.failed = e.payload.error;
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        const { partition, message } = payload;
        const next = String(BigInt(message.offset) + 1n);
        let request: ErasureRequest | undefined;
        try {
          request = JSON.parse(message.value?.toString('utf8') ?? '') as ErasureRequest;
        } catch {
          logger.warn(
            { topic, partition, offset: message.offset },
            'an unreadable erasure request; skipped',
          );
        }
        if (request) {
          const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 3000);
          try {
            await this.job.run(request);
          } catch (err) {
            logger.warn(
              { requestId: request.id, err: (err as Error).message },
              'erasure interrupted; it resumes where it stopped',
            );
            throw err;
          } finally {
            clearInterval(beat);
          }
        }
        await consumer.commitOffsets([{ topic, partition, offset: next }]);
        await this.admin!.deleteTopicRecords({
          topic,
          partitions: [{ partition, offset: next }],
        }).catch((err: Error) =>
          logger.warn({ topic, partition, err: err.message }, 'could not delete done requests'),
        );
      },
    });
    logger.info({ topic, groupId }, 'erasure requests consumed');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }
}
