import kafkajs, {
  type Admin,
  type Kafka,
  type Message,
  type PartitionMetadata,
  type Producer,
  type Transaction,
} from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import { chunks } from './records.js';

const { Partitioners } = kafkajs;

// How long a topic's partition list is trusted (kafkajs' own metadata age is 5 minutes).
const METADATA_MAX_AGE_MS = 30_000;

/**
 * The enrich worker's transactional producer, which makes every transaction's outcome
 * definite before anything is read again.
 *
 * A commit can fail without its outcome being known: the coordinator may have written the
 * commit and lost only the answer (its broker died, a leader moved). Reading the batch again
 * then would write it twice once that commit completes. So after a failed transaction the
 * producer is replaced by a new one with the same transactional id: the coordinator first
 * finishes the pending transaction (committed if it was prepared, else aborted) and only then
 * gives the new producer its epoch, which also fences the old one. The failure is reported
 * (and the batch read again from the committed offset) only after that.
 */
export class TransactionalProducer {
  private producer: Producer | undefined;
  private stopped = false;
  private admin: Admin | undefined;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly metadata = new Map<string, { at: number; partitions: PartitionMetadata[] }>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { transactionalId: string; transactionTimeoutMs: number },
    private readonly logger: Logger,
  ) {}

  private make(): Producer {
    return this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      transactionalId: this.options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.options.transactionTimeoutMs,
      // A transaction that starts right after the previous commit often gets
      // CONCURRENT_TRANSACTIONS while the coordinator still writes the markers; the Java
      // client retries that after 20 ms. kafkajs' default first retry, 300 ms, made each such
      // transaction wait 300 ms (about 95 times a minute while a backfill streamed in). The
      // total patience for a broker that is really away stays about the same (~7 s).
      retry: { initialRetryTime: 20, maxRetryTime: 1000, retries: 12 },
    });
  }

  async connect(): Promise<void> {
    const producer = this.make();
    await producer.connect();
    await this.claim(producer);
    this.producer = producer;
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  /**
   * Writes records in a transaction, one request per partition, each under `maxBytes`.
   *
   * kafkajs sends one request per leader broker; when one of them fails it retries the
   * partitions of every broker it has no answer from, grouped by their leaders at that time.
   * A partition already written through a leader that has since moved is then written again,
   * under new sequence numbers the broker cannot recognise as a retry: the transaction commits
   * it twice (seen while brokers stopped and came back). A request that holds one partition
   * only is retried whole under the same sequence numbers, which the broker does deduplicate.
   * Partitions are chosen as kafkajs' default partitioner does (murmur2 of the key).
   */
  async send(
    tx: Transaction,
    out: { topic: string; messages: Message[] }[],
    maxBytes: number,
  ): Promise<void> {
    const byPartition = new Map<string, { topic: string; messages: Message[] }>();
    for (const { topic, messages } of out) {
      const partitionMetadata = await this.partitionsOf(topic);
      for (const message of messages) {
        const partition = this.partitioner({ topic, partitionMetadata, message });
        const key = `${topic}:${partition}`;
        let group = byPartition.get(key);
        if (!group) byPartition.set(key, (group = { topic, messages: [] }));
        group.messages.push({ ...message, partition });
      }
    }
    for (const group of byPartition.values())
      for (const chunk of chunks([group], maxBytes))
        await tx.sendBatch({ topicMessages: chunk, acks: -1 });
  }

  private async partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const known = this.metadata.get(topic);
    if (known && Date.now() - known.at < METADATA_MAX_AGE_MS) return known.partitions;
    try {
      const { topics } = await this.admin!.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]?.partitions ?? [];
      if (partitions.length === 0) throw new Error(`no partitions known for ${topic}`);
      this.metadata.set(topic, { at: Date.now(), partitions });
      return partitions;
    } catch (err) {
      // A cluster that cannot answer now: the last known partitions still route correctly.
      if (known) return known.partitions;
      throw err;
    }
  }

  /** Runs `work` in a transaction and commits it; on failure, see the class comment. */
  async transaction(work: (tx: Transaction) => Promise<void>): Promise<void> {
    if (!this.producer) throw new Error('the transactional producer is not connected');
    let tx: Transaction | undefined;
    try {
      tx = await this.producer.transaction();
      await work(tx);
      await tx.commit();
    } catch (err) {
      await tx?.abort().catch(() => undefined);
      await this.renew(err);
      throw err;
    }
  }

  /** A new producer under the same transactional id, retried until the coordinator answers. */
  private async renew(cause: unknown): Promise<void> {
    const old = this.producer;
    this.producer = undefined;
    void old?.disconnect().catch(() => undefined);
    this.logger.warn(
      { err: cause },
      'a transaction failed; settling it under a new producer before reading on',
    );
    for (let attempt = 0; !this.stopped; attempt++) {
      const producer = this.make();
      try {
        await producer.connect();
        await this.claim(producer);
        this.producer = producer;
        this.logger.info({ attempts: attempt + 1 }, 'transactional producer renewed');
        return;
      } catch (err) {
        await producer.disconnect().catch(() => undefined);
        if (attempt % 10 === 0)
          this.logger.warn({ err, attempt }, 'the transaction coordinator does not answer yet');
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  }

  /**
   * Takes the transactional id now: the coordinator finishes the transaction a predecessor
   * left (committed if it was prepared, else aborted) before it answers, and fences that
   * predecessor. kafkajs' `connect()` registers only an idempotent producer id and would take
   * the transactional id at the first transaction, after the consumer has already read its
   * partitions' offsets: a transaction left open by a killed process would still be pending.
   * An empty transaction, aborted, sends nothing but the InitProducerId request.
   */
  private async claim(producer: Producer): Promise<void> {
    const tx = await producer.transaction();
    await tx.abort();
  }

  async disconnect(): Promise<void> {
    this.stopped = true;
    await this.producer?.disconnect();
    await this.admin?.disconnect();
  }
}
