import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import { qualified, TABLES, writeLog, type ErasureRequest } from '@backbone/warehouse';
import { subjectToken } from './crypto.js';
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
    // A fetch waits for a request up to 3 s, and returns as soon as one arrives. A job beats
    // every 3 s while it runs, so a worker that dies mid-job hands its request over in 10 s.
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, maxWaitTimeInMs: 3000 });
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
            if (request.type === 'export') await this.resolveExport(request);
            else await this.job.run(request);
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
        await this.deleteDone(partition, next);
      },
    });
    logger.info({ topic, groupId }, 'erasure requests consumed');
  }

  /**
   * An access request: the subject's tokens (of its live keys; none once erased) for the query
   * service to read its rows by, with an empty token to say they are all there. Audited.
   */
  private async resolveExport(request: ErasureRequest): Promise<void> {
    const { store, clickhouse, database } = this.options;
    await store.catchUp();
    const ref = store.ref(request.tenant, request.kind, request.subjectId);
    const tokens = store.liveKeys(ref).map((k) => subjectToken(k.key, request.kind));
    await clickhouse.insert({
      table: qualified({ database, suffix: '' }, TABLES.subjectExportTokens),
      format: 'JSONEachRow',
      values: [...tokens, ''].map((token) => ({
        request_id: request.id,
        tenant_id: request.tenant,
        token,
      })),
    });
    await writeLog(clickhouse, database, {
      request,
      ref,
      store: 'request',
      state: 'done',
      rows: tokens.length,
      detail: 'export',
    });
  }

  /** Deletes the records of done requests (the admin client needs the topic's metadata). */
  private async deleteDone(partition: number, before: string): Promise<void> {
    const { topic, logger } = this.options;
    try {
      await this.admin!.fetchTopicMetadata({ topics: [topic] });
      await this.admin!.deleteTopicRecords({ topic, partitions: [{ partition, offset: before }] });
    } catch (err) {
      logger.warn(
        { topic, partition, err: (err as Error).message },
        'could not delete the records of done requests; retention removes them',
      );
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin?.disconnect();
  }
}
