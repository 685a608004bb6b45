import type { Consumer, EachBatchPayload, KafkaMessage, Message } from 'kafkajs';
import { moduleLogger } from '@backbone/runtime';
import { STREAM_NAMES, StreamSerde, type StreamName } from '@backbone/schemas';
import { catalogTopics, fetchOptions, streamsOf, type TopicNamer } from '../topics.js';
import { dlqMessage, headerText } from '../dlq.js';
import { SerialLock } from '../serial-lock.js';
import { restartOnFatalCrash } from '../consumer-restart.js';
import { TransactionalProducer } from './tx-producer.js';
import { committedDespite, Positions } from './committed.js';
import { GroupOffsets } from '../group-offsets.js';
import { FencedError, notOwned } from './fencing.js';
import { enrichEvent, subjectIds } from './enrich.step.js';
import type { EnrichWorkerOptions } from './options.js';
import { carriedHeaders } from './headers.js';
import { recordAttributes, RecordSpans } from '../tracing.js';
import { decodeAll } from './records.js';
import { countTally, newTally, type Tally } from './tally.js';

export type { EnrichWorkerOptions } from './options.js';

// Under the broker's default message.max.bytes (1 MiB) for one partition's record batch.
const MAX_REQUEST_BYTES = 900 * 1024;

/** A partition's stepped batch on its way into a transaction. */
interface Pending {
  payload: EachBatchPayload;
  out: { topic: string; messages: Message[] }[];
  last: string;
  tally: Tally;
  stream: StreamName;
  /** The group join the batch was fetched in (its generation, as this member counts them). */
  join: number;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * raw.* → events.* exactly once: a Kafka transaction holds a fetched batch's enriched records,
 * its dead letters and its partition's consumer offset; the batches of other partitions that
 * were stepped while the previous transaction committed go into the same one (all commit or
 * none). A crash before the commit aborts everything in it, and those batches are read again;
 * read_committed consumers downstream never see the aborted copy. Client retries (the same
 * event_id in another record) are dropped.
 */
export class EnrichWorker {
  private consumer: Consumer | undefined;
  private producer: TransactionalProducer | undefined;
  private offsets: GroupOffsets | undefined;
  private positions: Positions | undefined;
  private running = false;
  private crashed: Error | undefined;
  /** This consumer's member id in the group, and how many times it has joined. */
  private memberId: string | undefined;
  private joins = 0;
  private readonly topics: TopicNamer;
  private readonly streams: readonly StreamName[];
  private readonly txLock = new SerialLock();
  /** Batches stepped and waiting for their transaction. */
  private readonly queue: Pending[] = [];

  private readonly options: EnrichWorkerOptions;

  constructor(options: EnrichWorkerOptions) {
    this.options = { ...options, logger: moduleLogger(options.logger, 'enrich') };
    this.topics = options.topics ?? catalogTopics;
    this.streams = options.streams ?? STREAM_NAMES;
  }

  /** The consumer loop runs and has not crashed. */
  get live(): boolean {
    return this.running && !this.crashed;
  }

  async start(): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    const [raw, events] = await Promise.all([
      StreamSerde.open(this.options.registry, 'raw'),
      StreamSerde.open(this.options.registry, 'events'),
    ]);
    const producer = new TransactionalProducer(
      kafka,
      {
        transactionalId: `${groupId}-${this.options.instanceId}`,
        transactionTimeoutMs: this.options.transactionTimeoutMs ?? 30_000,
      },
      logger,
    );
    await producer.connect();
    this.producer = producer;
    this.offsets = new GroupOffsets({
      ...this.options.offsetsFrom,
      clientId: `${groupId}-${this.options.instanceId}-offsets`,
    });
    this.positions = new Positions(this.offsets, {
      groupId,
      logger,
      running: () => this.running,
    });
    const byTopic = streamsOf(this.topics, 'raw', this.streams);
    await this.consume(byTopic, raw, events);
    this.running = true;
    logger.info({ groupId, streams: this.streams }, 'enrich worker consuming');
  }

  /** The consumer loop, started again after a failure kafkajs gives up on (consumer-restart.ts). */
  private async consume(
    byTopic: Map<string, StreamName>,
    raw: StreamSerde,
    events: StreamSerde,
  ): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    // A transaction of the consumer this one replaces may still be committing: it settles
    // before the new member joins and reads its partitions' offsets.
    await this.txLock.run(() => Promise.resolve());
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      // Bigger fetches, fewer transactions: each one costs a few round trips whatever its size.
      maxBytesPerPartition: 4 * 1024 * 1024,
      ...fetchOptions(this.options.fetch),
    });
    this.consumer = consumer;
    restartOnFatalCrash(consumer, {
      what: 'enrich',
      logger,
      current: () => this.running && this.consumer === consumer,
      crashed: (err) => (this.crashed = err),
      start: () => this.consume(byTopic, raw, events),
    });
    // Partitions may have moved: where each one is is read again on its first batch.
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.positions?.clear();
      this.memberId = payload.memberId;
      this.joins++;
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.streams.map((s) => this.topics('raw', s)),
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Several partitions' steps overlap one another's commits (transactions stay serial).
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.handleBatch(payload, byTopic, raw, events),
    });
  }

  private async handleBatch(
    payload: EachBatchPayload,
    byTopic: Map<string, StreamName>,
    raw: StreamSerde,
    events: StreamSerde,
  ): Promise<void> {
    const { batch } = payload;
    const { metrics, logger } = this.options;
    const join = this.joins;
    const stream = byTopic.get(batch.topic);
    if (!stream || batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return;
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const messages = await this.positions!.unread(batch);
    if (messages.length === 0) {
      payload.resolveOffset(last);
      return;
    }
    const started = process.hrtime.bigint();
    const spans = new RecordSpans(`enrich ${stream}`);
    const out: { topic: string; messages: Message[] }[] = [];
    const push = (topic: string, message: Message) => {
      let group = out.find((o) => o.topic === topic);
      if (!group) out.push((group = { topic, messages: [] }));
      group.messages.push(message);
    };

    // Decode everything first: a registry outage throws here, before any claim or write.
    const decoded = await decodeAll(raw, stream, messages);
    const wanted = decoded.flatMap((d) =>
      d.value
        ? [
            {
              eventId: `${d.value.envelope.tenant_id}:${d.value.envelope.event_id}`,
              origin: `${batch.topic}:${batch.partition}:${d.m.offset}`,
            },
          ]
        : [],
    );
    const tally = newTally();
    const decodedAt = process.hrtime.bigint();
    const granted = await this.options.dedup.claimMany(wanted);
    let next = 0;
    const claims = decoded.map((d) => (d.value ? granted[next++] : true));
    // Keys for the subjects met for the first time (written and read back before the steps).
    const { subjects } = this.options.context;
    await subjects.prepare(
      decoded.flatMap((d, i) =>
        d.value && claims[i] ? subjectIds(d.value.envelope, subjects, Number(d.m.timestamp)) : [],
      ),
    );
    const claimedAt = process.hrtime.bigint();

    decoded.forEach((d, i) => {
      const source = { topic: batch.topic, partition: batch.partition, message: d.m };
      if (!d.value) {
        push(this.topics('dlq', stream), dlqMessage(source, d.code, d.error));
        metrics.dlq.inc({ worker: 'enrich', stream, reason: d.code });
        tally.count('dlq');
        logger.warn(
          { ...where(source), reason: d.code, requestId: headerText(d.m.headers, 'x-request-id') },
          'record sent to the dead-letter topic',
        );
        return;
      }
      if (!claims[i]) {
        metrics.dedupHits.inc({ stream });
        tally.count('dropped:duplicate');
        return;
      }
      const result = enrichEvent(stream, d.value, this.options.context, Number(d.m.timestamp));
      if (result.kind === 'drop') {
        tally.count(`dropped:${result.reason}`);
      } else if (result.kind === 'dlq') {
        push(this.topics('dlq', stream), dlqMessage(source, 'enrich', result.reason));
        metrics.dlq.inc({ worker: 'enrich', stream, reason: 'enrich' });
        tally.count('dlq');
      } else {
        const { value, report } = result.value;
        const headers = carriedHeaders(
          d.m.headers,
          value.envelope.tenant_id,
          this.options.context.keys,
        );
        spans.start(d.m.headers, recordAttributes(source), headers);
        push(this.topics('events', stream), {
          // The session's token: the raw key is the client's session id.
          key: value.envelope.session_id,
          value: events.encode(stream, value),
          headers,
          timestamp: d.m.timestamp,
        });
        tally.written(report);
      }
    });

    const stepped = process.hrtime.bigint();
    // Steps of the next batches run while this one commits; transactions themselves are one at
    // a time on this producer, and the batches that wait for one go together in the next.
    const committed = new Promise<void>((resolve, reject) =>
      this.queue.push({ payload, out, last, tally, stream, join, resolve, reject }),
    );
    void this.txLock.run(() => this.flush());
    await spans.endAfter(committed);
    logger.debug(
      {
        topic: batch.topic,
        partition: batch.partition,
        offsets: `${messages[0]!.offset}-${last}`,
        records: messages.length,
        decodeMs: Number(decodedAt - started) / 1e6,
        claimMs: Number(claimedAt - decodedAt) / 1e6,
        stepMs: Number(stepped - claimedAt) / 1e6,
        commitMs: Number(process.hrtime.bigint() - stepped) / 1e6,
      },
      'batch committed',
    );
  }

  /** Commits every batch that waits, in one transaction (none: an earlier flush took them). */
  private async flush(): Promise<void> {
    const group = this.queue.splice(0);
    // A batch whose partition moved to another member (or that the consumer stops for, or that
    // was fetched before the member last joined) is left uncommitted: whoever reads the
    // partition next reads it again.
    const live = group.filter(
      (g) => g.payload.isRunning() && !g.payload.isStale() && g.join === this.joins,
    );
    for (const g of group) if (!live.includes(g)) g.resolve();
    if (live.length === 0) return;
    let done = live;
    try {
      await this.commit(live);
    } catch (err) {
      // The producer was renewed (tx-producer.ts), so the transaction is settled now: the
      // batches whose offsets it committed are done, only the others are read again.
      done = await committedDespite(live, {
        offsets: this.offsets!,
        groupId: this.options.groupId,
        logger: this.options.logger,
        running: () => this.running,
        cause: err,
      });
      for (const g of live) if (!done.includes(g)) g.reject(err);
    }
    for (const g of done) {
      await this.settle(g).then(
        () => g.resolve(),
        (err: unknown) => g.reject(err),
      );
    }
  }

  /**
   * One transaction for a group of batches: their records, their dead letters and the offset
   * after each one's last record. All of them commit, or none.
   */
  private async commit(group: Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    const out = group.flatMap((g) => g.out);
    const offsets = new Map<string, { partition: number; offset: string }[]>();
    for (const { payload, last } of group) {
      const { topic, partition } = payload.batch;
      if (!offsets.has(topic)) offsets.set(topic, []);
      offsets.get(topic)!.push({ partition, offset: String(BigInt(last) + 1n) });
    }
    const producer = this.producer!;
    // A member that lost its partitions in a rebalance learns it here (kafkajs heartbeats at
    // most every 3 s) and writes nothing; ownership is confirmed once more before the commit.
    await group[0]!.payload.heartbeat();
    await producer.transaction(async (tx) => {
      // Kafka refuses a record batch over message.max.bytes (1 MiB by default): a large fetch
      // goes out in several requests.
      await producer.send(tx, out, MAX_REQUEST_BYTES);
      for (const { payload } of group)
        await this.options.onStep?.('in-transaction', {
          topic: payload.batch.topic,
          partition: payload.batch.partition,
        });
      await tx.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })),
      });
      await this.confirmOwned(group);
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.options.metrics.commitSeconds.observe({ worker: 'enrich' }, seconds);
  }

  /**
   * Zombie fencing (KIP-447) that kafkajs cannot send: its TxnOffsetCommit has no group
   * generation, so the coordinator takes offsets from a member it already replaced. Checked
   * here instead, after the offsets are pending in the transaction: if the coordinator's stable
   * group still assigns every partition to this member, a later owner's offset fetch (always
   * `require_stable`, committed.ts) waits for this transaction and starts after it; if not,
   * the new owner may have read the batches already, and the transaction aborts.
   */
  private async confirmOwned(group: Pending[]): Promise<void> {
    const described = await this.offsets!.describe(this.options.groupId);
    const why = notOwned(
      described,
      this.memberId,
      group.map((g) => g.payload.batch),
    );
    if (why) throw new FencedError(`not committing a transaction: ${why}`);
  }

  /** After its transaction: a batch's offset is resolved and its outcomes counted. */
  private async settle({ payload, last, tally, stream }: Pending): Promise<void> {
    const { batch } = payload;
    const { metrics } = this.options;
    payload.resolveOffset(last);
    this.positions!.advance(batch.topic, batch.partition, last);
    countTally(tally, stream, metrics, this.options.logger);
    metrics.batchSize.observe({ worker: 'enrich' }, batch.messages.length);
    metrics.lag.set(
      { worker: 'enrich', topic: batch.topic, partition: String(batch.partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)),
    );
    await payload.heartbeat();
  }

  /** Finishes the batch in hand (its transaction commits or aborts), leaves the group. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.offsets?.close();
  }
}

const where = (s: { topic: string; partition: number; message: KafkaMessage }) => ({
  topic: s.topic,
  partition: s.partition,
  offset: s.message.offset,
});
