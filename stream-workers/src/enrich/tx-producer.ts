import kafkajs, { type Kafka, type Producer, type Transaction } from 'kafkajs';
import type { Logger } from '@backbone/runtime';

const { Partitioners } = kafkajs;

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
    this.producer = producer;
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

  async disconnect(): Promise<void> {
    this.stopped = true;
    await this.producer?.disconnect();
  }
}
