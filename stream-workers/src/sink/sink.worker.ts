import { Partitioners } from 'kafkajs';
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import { moduleLogger } from '@backbone/runtime';
import { STREAM_NAMES, StreamSerde } from '@backbone/schemas';
import type { StreamName } from '@backbone/schemas';
import { qualified, rawTable, type TableNames } from '@backbone/warehouse';
import { Limiter } from '../serial-lock.js';
import type { DecodeContext } from './decode.js';
import { RowFramer } from './frames.js';
import { catalogTopics, fetchOptions, streamsOf } from '../topics.js';
import type { TopicNamer } from '../topics.js';
import { BACKLOG_WAIT_MS, BEHIND_ROWS, InsertTurns, PartitionBatch } from './batcher.js';
import type { SinkBounds } from './batcher.js';
export type { SinkBounds } from './batcher.js';
import {
  DEFAULT_RETRY,
  reportFailure,
  nextDelay,
  refusalsOf,
  type InsertFailure,
  type Refusal,
  type RetryTiming,
} from './retry.js';
import { BatchWriter } from './writer.js';
import type { SinkWorkerOptions } from './options.js';
import { restartOnFatalCrash } from '../consumer-restart.js';
import { Fetching } from './fetching.js';
import { checkInflight } from './inflight.js';
import { GroupOffsets } from '../group-offsets.js';

export type { SinkWorkerOptions } from './options.js';

/**
 * events.* → ClickHouse raw tables (and through their views, the rollups), exactly once: a
 * partition's records gather into a batch (batcher.ts) up to maxRows or maxWaitMs, and the
 * writer (writer.ts) notes its range, inserts it with its deduplication token and commits.
 * A batch ClickHouse does not take waits in memory, its partition paused, for retry.ts.
 */
export class SinkWorker {
  private consumer: Consumer | undefined;
  private readonly fetching: Fetching;
  private producer: Producer | undefined;
  private offsets: GroupOffsets | undefined;
  private readonly partitions = new Map<string, PartitionBatch>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private crashed: Error | undefined;
  private readonly topics: TopicNamer;
  private readonly streams: readonly StreamName[];
  private writer: BatchWriter | undefined;
  private readonly names: TableNames;
  private readonly maxRows: number;
  private readonly bounds: SinkBounds;
  private readonly retryTiming: RetryTiming;
  private readonly inserts: Limiter;
  private readonly turns: InsertTurns;
  /** Streams drained and not yet resumed: nothing of them is read or written. */
  private readonly drained = new Set<StreamName>();
  private member: { memberId: string; assignment: Record<string, number[]> } | undefined;

  /** Streams whose partition 0 this instance holds now: it does their housekeeping (retention). */
  ownedStreams(): StreamName[] {
    const assignment = this.member?.assignment ?? {};
    return this.streams.filter((s) => assignment[this.topics('events', s)]?.includes(0));
  }

  private readonly options: SinkWorkerOptions;

  constructor(options: SinkWorkerOptions) {
    this.options = { ...options, logger: moduleLogger(options.logger, 'sink') };
    this.fetching = new Fetching(() => this.consumer, this.options.logger);
    this.topics = options.topics ?? catalogTopics;
    this.streams = options.streams ?? STREAM_NAMES;
    const maxWaitMs = options.maxWaitMs ?? 250;
    this.bounds = options.bounds ?? { limit: () => undefined, maxWaitMs: () => maxWaitMs };
    this.maxRows = options.maxRows ?? 50_000;
    this.retryTiming = { ...DEFAULT_RETRY, ...options.retry };
    this.inserts = new Limiter(options.insertConcurrency ?? 2);
    this.turns = new InsertTurns(options.insertIntervalMs ?? 1000);
    this.names = options.names ?? { database: options.database, suffix: '' };
  }

  private table(stream: StreamName): string {
    return qualified(this.names, rawTable(stream)).replaceAll('`', '');
  }

  get live(): boolean {
    return this.running && !this.crashed;
  }

  /** Partitions waiting for ClickHouse to accept their batch. */
  get paused(): number {
    return [...this.partitions.values()].filter((p) => p.retrying !== undefined).length;
  }

  /** Partitions whose batch ClickHouse refuses (not a passing failure): an operator must act. */
  refusals(): Refusal[] {
    return refusalsOf(this.partitions.values(), (stream) => this.table(stream));
  }

  async start(): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    const serde = await StreamSerde.open(this.options.registry, 'events');
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    const byTopic = streamsOf(this.topics, 'events', this.streams);
    const decode: DecodeContext = {
      serde,
      producer: this.producer,
      topics: this.topics,
      metrics: this.options.metrics,
      deadLetter: this.options.deadLetter !== false,
      ...(this.options.texts ? { texts: this.options.texts } : {}),
    };
    if (this.options.offsetsFrom)
      this.offsets = new GroupOffsets({
        ...this.options.offsetsFrom,
        clientId: `${groupId}-offsets`,
      });
    this.writer = this.makeWriter(decode);
    await this.consume(byTopic);
    const tick = Math.max(10, Math.min(100, this.bounds.maxWaitMs() / 4));
    this.timer = setInterval(() => this.flushAged(), tick);
    this.running = true;
    logger.info({ groupId, streams: this.streams, maxRows: this.maxRows }, 'sink consuming');
  }

  /** The consumer loop, started again after a failure kafkajs gives up on (consumer-restart.ts). */
  private async consume(byTopic: Map<string, StreamName>): Promise<void> {
    const { kafka, groupId, logger } = this.options;
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      ...fetchOptions(this.options.fetch),
    });
    this.consumer = consumer;
    restartOnFatalCrash(consumer, {
      what: 'sink',
      logger,
      current: () => this.running && this.consumer === consumer,
      crashed: (err) => (this.crashed = err),
      start: () => this.consume(byTopic),
    });
    // A new generation re-reads from the committed offsets: what was buffered is read again.
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.member = { memberId: e.payload.memberId, assignment: e.payload.memberAssignment };
      for (const p of this.partitions.values()) void p.lock.run(() => p.reset());
      const waiting = [...this.partitions.values()].filter((p) => p.retrying !== undefined);
      this.fetching.pause([
        ...waiting.map((p) => ({ topic: p.topic, partitions: [p.partition] })),
        ...[...this.drained].map((s) => ({ topic: this.topics('events', s) })),
      ]);
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.streams.map((s) => this.topics('events', s)),
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, byTopic),
    });
  }

  private state(topic: string, partition: number, stream: StreamName): PartitionBatch {
    const key = `${topic}:${partition}`;
    let p = this.partitions.get(key);
    if (!p) this.partitions.set(key, (p = new PartitionBatch(topic, partition, stream)));
    return p;
  }

  private makeWriter(decode: DecodeContext): BatchWriter {
    const { options } = this;
    const url = options.clickhouseRegistryUrl;
    return new BatchWriter({
      clickhouse: options.clickhouse,
      database: options.database,
      groupId: options.groupId,
      names: this.names,
      decode,
      ...(url ? { bytes: { framer: new RowFramer(options.registry), registryUrl: url } } : {}),
      // Confirmed (group-offsets.ts): kafkajs skips a commit while its consumer restarts.
      commit: async (topic, partition, offset) => {
        await this.consumer!.commitOffsets([{ topic, partition, offset }]);
        await this.offsets?.confirm(options.groupId, { topic, partition, offset });
      },
      logger: options.logger,
      ...(options.onStep ? { onStep: options.onStep } : {}),
    });
  }

  private async handleBatch(
    payload: EachBatchPayload,
    byTopic: Map<string, StreamName>,
  ): Promise<void> {
    const { batch } = payload;
    const stream = byTopic.get(batch.topic);
    if (!stream || batch.messages.length === 0) return;
    const p = this.state(batch.topic, batch.partition, stream);
    if (p.retrying || p.limitedAt !== undefined) return; // paused; read again after resume
    if (this.drained.has(stream)) {
      this.fetching.pause([{ topic: batch.topic }]);
      return;
    }
    await p.lock.run(async () => {
      if (!p.checked)
        await checkInflight(
          p,
          BigInt(batch.messages[0]!.offset),
          this.writer!.inflight,
          this.options.logger,
        );
      for (const m of batch.messages) {
        if (!payload.isRunning() || payload.isStale() || p.retrying) break;
        if (this.drained.has(stream)) break;
        const offset = BigInt(m.offset);
        if (p.has(offset)) continue;
        const limit = this.bounds.limit(p.topic, p.partition);
        if (limit !== undefined && offset >= limit) {
          if (!(await this.flushOnce(p))) break;
          this.fetching.pause([{ topic: p.topic, partitions: [p.partition] }]);
          p.limitedAt = offset;
          break;
        }
        if (p.reformEndsBefore(offset) && !(await this.flushOnce(p))) break;
        p.add(offset, m);
        payload.resolveOffset(m.offset);
        if (p.full(this.maxRows)) {
          this.turns.took(p.stream, Date.now());
          if (!(await this.flushOnce(p))) break;
        }
      }
      this.options.metrics.lag.set(
        { worker: 'sink', topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - (p.last ?? 0n) - 1n)),
      );
      p.behind = Number(batch.offsetLag()) >= BEHIND_ROWS;
    });
    await payload.heartbeat();
  }

  private flushAged(): void {
    const now = Date.now();
    const aged: PartitionBatch[] = [];
    for (const p of this.partitions.values()) {
      if (p.limitedAt !== undefined) {
        const limit = this.bounds.limit(p.topic, p.partition);
        if (limit === undefined || limit > p.limitedAt) {
          p.limitedAt = undefined;
          this.fetching.resume([{ topic: p.topic, partitions: [p.partition] }]);
        }
        continue;
      }
      if (p.retrying || p.lock.busy || p.queued) continue;
      // A partition with a backlog lets its batch fill for a second, then goes out of turn.
      const wait = this.bounds.maxWaitMs();
      if (p.aged(now, p.behind ? Math.max(wait, BACKLOG_WAIT_MS) : wait)) aged.push(p);
    }
    for (const p of this.turns.due(aged, now)) {
      // An aged batch waits for an insert turn and keeps growing meanwhile: when ClickHouse is
      // busy, inserts get fewer and larger instead of queueing up.
      p.queued = true;
      void this.inserts
        .run(() =>
          p.lock.run(() =>
            p.retrying || !p.aged(Date.now(), this.bounds.maxWaitMs()) ? true : this.flushOnce(p),
          ),
        )
        .finally(() => {
          p.queued = false;
          this.turns.finished(p, Date.now());
        });
    }
  }

  /**
   * One attempt to make the partition's batch durable (true when done). On failure the partition
   * is paused and tried again in the background (the batch stays in memory, up to maxRows).
   */
  private async flushOnce(p: PartitionBatch): Promise<boolean> {
    if (p.empty) return true;
    try {
      await this.flush(p);
      return true;
    } catch (err) {
      this.fetching.pause([{ topic: p.topic, partitions: [p.partition] }]);
      p.retrying = this.retry(p, err);
      this.options.metrics.pausedPartitions.set(this.paused);
      return false;
    }
  }

  /** Attempts again until ClickHouse takes the batch, as the retry policy paces it. */
  private async retry(p: PartitionBatch, first: unknown): Promise<void> {
    let err = first;
    for (let failures = 1; ; failures++) {
      const failure = this.failed(p, err, failures);
      await new Promise((r) => setTimeout(r, nextDelay(this.retryTiming, failure, failures)));
      if (!this.running) return;
      try {
        await p.lock.run(() => this.flush(p));
        break;
      } catch (e) {
        err = e;
      }
    }
    const was = p.failure;
    p.retrying = p.failure = undefined;
    this.options.metrics.pausedPartitions.set(this.paused);
    this.fetching.resume([{ topic: p.topic, partitions: [p.partition] }]);
    this.options.logger.info(
      { topic: p.topic, partition: p.partition, after: was?.reason },
      'ClickHouse took the batch; partition resumed',
    );
  }

  /** Counts and logs one failed attempt (retry.ts). */
  private failed(p: PartitionBatch, err: unknown, failures: number): InsertFailure {
    const table = this.table(p.stream);
    return (p.failure = reportFailure(err, failures, p, { table, ...this.options }));
  }

  private async flush(p: PartitionBatch): Promise<void> {
    const { metrics } = this.options;
    const started = process.hrtime.bigint();
    const batch = p.batch();
    // Kafka timestamps carry the raw record's append time through enrich.
    let oldest = Infinity;
    for (const m of batch.messages) oldest = Math.min(oldest, Number(m.timestamp));
    const { rows, path } = await this.writer!.write(batch);
    if (Number.isFinite(oldest))
      metrics.freshness.observe({ stream: p.stream }, Math.max(0, Date.now() - oldest) / 1000);
    metrics.batchSize.observe({ worker: 'sink' }, rows);
    metrics.sinkInserts.inc({ stream: p.stream, path });
    metrics.commitSeconds.observe(
      { worker: 'sink' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    metrics.records.inc({ worker: 'sink', stream: p.stream, outcome: 'written' }, rows);
    p.durable();
  }

  /**
   * Drains the streams: fetching stops, what is buffered is inserted and committed, and
   * nothing more is written until resume(). Resolves with this member's id and its partitions
   * of those streams, or undefined when a batch ClickHouse does not take is still pending
   * (it may land later, so the streams are not quiet yet).
   */
  async drain(
    streams: readonly StreamName[],
  ): Promise<{ memberId: string; partitions: string[] } | undefined> {
    const mine = streams.filter((s) => this.streams.includes(s));
    for (const s of mine) this.drained.add(s);
    this.fetching.pause(mine.map((s) => ({ topic: this.topics('events', s) })));
    let clean = true;
    for (const p of this.partitions.values()) {
      if (!mine.includes(p.stream)) continue;
      if (p.retrying) clean = false;
      else if (!(await p.lock.run(() => this.flushOnce(p)))) clean = false;
    }
    if (!clean) return undefined;
    const topics = new Set(mine.map((s) => this.topics('events', s)));
    const partitions = Object.entries(this.member?.assignment ?? {})
      .filter(([topic]) => topics.has(topic))
      .flatMap(([topic, ps]) => ps.map((n) => `${topic}:${n}`));
    return { memberId: this.member?.memberId ?? '', partitions };
  }

  /** Ends a drain: the streams are read and written again. */
  resume(streams: readonly StreamName[]): void {
    const mine = streams.filter((s) => this.drained.delete(s));
    this.fetching.resume(mine.map((s) => ({ topic: this.topics('events', s) })));
    // Partitions waiting for ClickHouse or at their limit stay paused.
    for (const p of this.partitions.values())
      if (mine.includes(p.stream) && (p.retrying || p.limitedAt !== undefined))
        this.fetching.pause([{ topic: p.topic, partitions: [p.partition] }]);
  }

  /** Stops fetching, inserts and commits what is buffered, then leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.fetching.pause(this.streams.map((s) => ({ topic: this.topics('events', s) })));
    for (const p of this.partitions.values()) {
      // A batch ClickHouse still refuses stays uncommitted: whoever takes the partition re-reads it.
      if (p.retrying) continue;
      await p.lock.run(() => this.flushOnce(p));
    }
    this.running = false;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
    await this.offsets?.close();
  }
}
