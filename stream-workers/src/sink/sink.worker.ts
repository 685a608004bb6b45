import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import {
  Partitioners,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type Producer,
} from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import {
  SerdeError,
  StreamSerde,
  type SchemaRegistryClient,
  type StreamName,
} from '@backbone/schemas';
import { rawTable, rowColumns, toRow } from '../clickhouse/columns.js';
import { qualified } from '../clickhouse/raw-tables.js';
import { dlqMessage } from '../dlq.js';
import type { WorkerMetrics } from '../metrics.js';
import { catalogTopics, streamsOf, type TopicNamer } from '../topics.js';
import { InflightLog, type InflightRange } from './inflight.js';
import { SerialLock } from '../serial-lock.js';

export interface SinkWorkerOptions {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  clickhouse: ClickHouseClient;
  database: string;
  groupId: string;
  logger: Logger;
  metrics: WorkerMetrics;
  maxRows?: number;
  maxWaitMs?: number;
  streams?: readonly StreamName[];
  topics?: TopicNamer;
  /** A member that stops heartbeating for this long loses its partitions. */
  sessionTimeoutMs?: number;
  /** Backoff between failed inserts: doubles from min to max. */
  retryMs?: { min: number; max: number };
  /** Write into replay's shadow tables: every table name gets this suffix. */
  suffix?: string;
  /**
   * An exclusive upper offset per partition: records from it on are left unread (the
   * partition waits, paused) until the limit moves. Replay keeps its shadow behind the live
   * sink with it.
   */
  limit?: (topic: string, partition: number) => bigint | undefined;
  /** Bytes fetched per partition per request (kafkajs default 1 MiB); replay reads big batches. */
  fetchBytesPerPartition?: number;
  /** Partitions decoded and inserted at once (one's insert overlaps another's decoding). */
  concurrency?: number;
  /** Undecodable records go to the dead-letter topic (false: counted and skipped; replay). */
  deadLetter?: boolean;
  /** Test hook: called at each step of the batch cycle (a fault test kills the process there). */
  onStep?: (step: SinkStep, batch: { topic: string; partition: number; rows: number }) => void;
}

export type SinkStep = 'before-record' | 'before-insert' | 'after-insert' | 'after-commit';

interface Partition {
  topic: string;
  partition: number;
  stream: StreamName;
  rows: unknown[][];
  first: bigint | undefined;
  last: bigint | undefined;
  since: number;
  /** The range an interrupted insert had; the first batch after a restart must equal it. */
  reform: InflightRange | undefined;
  checked: boolean;
  /** Set while ClickHouse refuses this partition's batch: the partition is paused. */
  retrying: Promise<void> | undefined;
  lock: SerialLock;
  /** The next offset to read while the partition waits at its limit. */
  limitedAt: bigint | undefined;
  /** The offset committed last by this instance. */
  committed: bigint | undefined;
}

const INSERT_SETTINGS = {
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  async_insert: 0,
  // Late events can span many days: warn instead of refusing the block.
  throw_on_max_partitions_per_insert_block: 0,
};

/**
 * events.* → ClickHouse raw tables (and through their views, the rollups), exactly once:
 * a partition's records gather into a batch (up to maxRows or maxWaitMs), the batch's offset
 * range is noted durably, inserted with a deduplication token made of topic, partition and
 * range, and only then is the offset committed. After a crash at any point the same range is
 * re-formed and re-inserted with the same token, which ClickHouse drops if it already has it.
 */
export class SinkWorker {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private readonly partitions = new Map<string, Partition>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private crashed: Error | undefined;
  private readonly topics: TopicNamer;
  private readonly streams: readonly StreamName[];
  private readonly inflight: InflightLog;
  private readonly maxRows: number;
  private maxWaitMs: number;
  /** Streams whose partitions are held for a replay's hand-over: nothing is inserted. */
  private readonly held = new Set<StreamName>();
  private member: { memberId: string; assignment: Record<string, number[]> } | undefined;

  constructor(private readonly options: SinkWorkerOptions) {
    this.topics = options.topics ?? catalogTopics;
    this.streams =
      options.streams ?? (['web', 'stt.transcript', 'stt.speaker', 'stt.session'] as const);
    this.inflight = new InflightLog(options.clickhouse, options.database, options.groupId);
    this.maxRows = options.maxRows ?? 50_000;
    this.maxWaitMs = options.maxWaitMs ?? 1000;
  }

  get live(): boolean {
    return this.running && !this.crashed;
  }

  /** Partitions waiting for ClickHouse to accept their batch. */
  get paused(): number {
    return [...this.partitions.values()].filter((p) => p.retrying !== undefined).length;
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
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      ...(this.options.fetchBytesPerPartition
        ? {
            maxBytesPerPartition: this.options.fetchBytesPerPartition,
            maxBytes: this.options.fetchBytesPerPartition * 4,
            // A partition resumed at a new limit is fetched at once, not after a long poll.
            maxWaitTimeInMs: 250,
          }
        : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) {
        this.crashed = e.payload.error;
        logger.error({ err: e.payload.error }, 'the sink consumer stopped for good; restart it');
      }
    });
    // A new generation re-reads from the committed offsets: what was buffered is read again.
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.member = { memberId: e.payload.memberId, assignment: e.payload.memberAssignment };
      for (const p of this.partitions.values()) void p.lock.run(() => this.reset(p));
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: this.streams.map((s) => this.topics('events', s)),
      fromBeginning: true,
    });
    const byTopic = streamsOf(this.topics, 'events', this.streams);
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.handleBatch(payload, byTopic, serde),
    });
    this.timer = setInterval(
      () => this.flushAged(),
      Math.max(10, Math.min(100, this.maxWaitMs / 4)),
    );
    this.running = true;
    logger.info({ groupId, streams: this.streams, maxRows: this.maxRows }, 'sink consuming');
  }

  private state(topic: string, partition: number, stream: StreamName): Partition {
    const key = `${topic}:${partition}`;
    let p = this.partitions.get(key);
    if (!p) {
      p = {
        topic,
        partition,
        stream,
        rows: [],
        first: undefined,
        last: undefined,
        since: 0,
        reform: undefined,
        checked: false,
        retrying: undefined,
        lock: new SerialLock(),
        limitedAt: undefined,
        committed: undefined,
      };
      this.partitions.set(key, p);
    }
    return p;
  }

  private reset(p: Partition): void {
    if (p.retrying) return;
    p.rows = [];
    p.first = p.last = undefined;
    p.reform = undefined;
    p.checked = false;
    p.limitedAt = undefined;
  }

  private async handleBatch(
    payload: EachBatchPayload,
    byTopic: Map<string, StreamName>,
    serde: StreamSerde,
  ): Promise<void> {
    const { batch } = payload;
    const stream = byTopic.get(batch.topic);
    if (!stream || batch.messages.length === 0) return;
    const p = this.state(batch.topic, batch.partition, stream);
    if (p.retrying || p.limitedAt !== undefined) return; // paused; read again after resume
    if (this.held.has(stream)) {
      this.consumer?.pause([{ topic: batch.topic }]);
      return;
    }
    await p.lock.run(async () => {
      if (!p.checked) {
        const noted = await this.inflight.latest(p.topic, p.partition);
        const firstOffset = BigInt(batch.messages[0]!.offset);
        if (noted && noted.last >= firstOffset) {
          p.reform = noted;
          this.options.logger.info(
            {
              topic: p.topic,
              partition: p.partition,
              first: String(noted.first),
              last: String(noted.last),
            },
            're-forming the batch a previous run was inserting',
          );
        }
        p.checked = true;
      }
      for (const m of batch.messages) {
        if (!payload.isRunning() || payload.isStale() || p.retrying) break;
        if (this.held.has(stream)) break;
        const offset = BigInt(m.offset);
        if (p.last !== undefined && offset <= p.last) continue;
        const limit = this.options.limit?.(p.topic, p.partition);
        if (limit !== undefined && offset >= limit) {
          if (!(await this.flushOnce(p))) break;
          this.consumer?.pause([{ topic: p.topic, partitions: [p.partition] }]);
          p.limitedAt = offset;
          break;
        }
        if (p.reform && offset > p.reform.last && p.first !== undefined) {
          if (!(await this.flushOnce(p))) break;
        }
        try {
          const value = await serde.decodeAs(stream, m.value);
          p.rows.push(toRow(stream, value, batch.partition, m.offset));
        } catch (err) {
          if (!(err instanceof SerdeError) || err.retriable) throw err;
          if (this.options.deadLetter === false) {
            this.options.metrics.records.inc({ worker: 'sink', stream, outcome: 'skipped' });
          } else {
            await this.producer!.send({
              topic: this.topics('dlq', stream),
              acks: -1,
              messages: [
                dlqMessage(
                  { topic: batch.topic, partition: batch.partition, message: m },
                  'undecodable',
                  err.message,
                ),
              ],
            });
            this.options.metrics.dlq.inc({ worker: 'sink', stream, reason: 'undecodable' });
          }
        }
        if (p.first === undefined) {
          p.first = offset;
          p.since = Date.now();
        }
        p.last = offset;
        payload.resolveOffset(m.offset);
        const reformDone = p.reform !== undefined && offset >= p.reform.last;
        if (reformDone || p.rows.length >= this.maxRows) {
          if (!(await this.flushOnce(p))) break;
        }
      }
      this.options.metrics.lag.set(
        { worker: 'sink', topic: batch.topic, partition: String(batch.partition) },
        Math.max(0, Number(BigInt(batch.highWatermark) - (p.last ?? 0n) - 1n)),
      );
    });
    await payload.heartbeat();
  }

  private flushAged(): void {
    const now = Date.now();
    for (const p of this.partitions.values()) {
      if (p.limitedAt !== undefined) {
        const limit = this.options.limit?.(p.topic, p.partition);
        if (limit === undefined || limit > p.limitedAt) {
          p.limitedAt = undefined;
          this.consumer?.resume([{ topic: p.topic, partitions: [p.partition] }]);
        }
        continue;
      }
      if (p.first === undefined || p.retrying || p.lock.busy) continue;
      // A re-formed batch waits for its whole range, however long that takes to read.
      if (p.reform && (p.last ?? -1n) < p.reform.last) continue;
      if (now - p.since >= this.maxWaitMs) void p.lock.run(() => this.flushOnce(p));
    }
  }

  /**
   * One attempt to make the partition's batch durable. On failure the partition is paused
   * and retried in the background with backoff (the batch stays in memory, bounded by
   * maxRows); the consumer keeps heartbeating meanwhile. True when the batch is done.
   */
  private async flushOnce(p: Partition): Promise<boolean> {
    if (p.first === undefined || p.last === undefined) return true;
    try {
      await this.flush(p);
      return true;
    } catch (err) {
      this.options.metrics.insertErrors.inc({ table: rawTable(p.stream) });
      this.options.logger.warn(
        { err, topic: p.topic, partition: p.partition },
        'ClickHouse did not take the batch; pausing the partition and retrying',
      );
      this.consumer?.pause([{ topic: p.topic, partitions: [p.partition] }]);
      p.retrying = this.retry(p);
      this.options.metrics.pausedPartitions.set(this.paused);
      return false;
    }
  }

  private async retry(p: Partition): Promise<void> {
    const { min, max } = this.options.retryMs ?? { min: 250, max: 15_000 };
    let delay = min;
    for (;;) {
      await new Promise((r) => setTimeout(r, delay));
      if (!this.running) return;
      try {
        await p.lock.run(() => this.flush(p));
        break;
      } catch (err) {
        this.options.metrics.insertErrors.inc({ table: rawTable(p.stream) });
        this.options.logger.warn(
          { err: (err as Error).message, delayMs: delay },
          'insert retry failed',
        );
        delay = Math.min(max, delay * 2);
      }
    }
    p.retrying = undefined;
    this.options.metrics.pausedPartitions.set(this.paused);
    this.consumer?.resume([{ topic: p.topic, partitions: [p.partition] }]);
    this.options.logger.info(
      { topic: p.topic, partition: p.partition },
      'ClickHouse took the batch; partition resumed',
    );
  }

  private async flush(p: Partition): Promise<void> {
    const { clickhouse, database, metrics, onStep } = this.options;
    const range = { first: p.first!, last: p.last! };
    const info = { topic: p.topic, partition: p.partition, rows: p.rows.length };
    const started = process.hrtime.bigint();
    if (p.rows.length > 0) {
      onStep?.('before-record', info);
      await this.inflight.record(p.topic, p.partition, range, p.rows.length);
      onStep?.('before-insert', info);
      await clickhouse.insert({
        table: qualified({ database, suffix: this.options.suffix ?? '' }, rawTable(p.stream)),
        format: 'JSONCompactEachRow',
        columns: rowColumns(p.stream) as [string, ...string[]],
        values: p.rows,
        clickhouse_settings: {
          ...INSERT_SETTINGS,
          insert_deduplication_token: `${p.topic}:${p.partition}:${range.first}-${range.last}`,
        } as ClickHouseSettings,
      });
      onStep?.('after-insert', info);
    }
    await this.consumer!.commitOffsets([
      { topic: p.topic, partition: p.partition, offset: String(range.last + 1n) },
    ]);
    p.committed = range.last + 1n;
    onStep?.('after-commit', info);
    metrics.batchSize.observe({ worker: 'sink' }, p.rows.length);
    metrics.commitSeconds.observe(
      { worker: 'sink' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    metrics.records.inc({ worker: 'sink', stream: p.stream, outcome: 'written' }, p.rows.length);
    p.rows = [];
    p.first = p.last = undefined;
    p.reform = undefined;
  }

  /** From now on a batch waits at most this long (replay: short once the hand-over starts). */
  setMaxWaitMs(ms: number): void {
    this.maxWaitMs = ms;
  }

  /** The offset this instance committed last, per `topic:partition`. */
  committed(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const [key, p] of this.partitions)
      if (p.committed !== undefined) out.set(key, p.committed);
    return out;
  }

  /**
   * Holds the streams for a replay's hand-over: fetching stops, what is buffered is inserted
   * and committed, and nothing more is written until release(). Resolves with this member's
   * id and assignment, or undefined when a batch ClickHouse refuses is still pending (the
   * hand-over must not go on while an insert may still land).
   */
  async hold(
    streams: readonly StreamName[],
  ): Promise<{ memberId: string; partitions: string[] } | undefined> {
    const mine = streams.filter((s) => this.streams.includes(s));
    for (const s of mine) this.held.add(s);
    this.consumer?.pause(mine.map((s) => ({ topic: this.topics('events', s) })));
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

  /** Ends a hold: the streams are read and written again. */
  release(streams: readonly StreamName[]): void {
    const mine = streams.filter((s) => this.held.delete(s));
    this.consumer?.resume(mine.map((s) => ({ topic: this.topics('events', s) })));
    // Partitions waiting for ClickHouse or at their limit stay paused.
    for (const p of this.partitions.values())
      if (mine.includes(p.stream) && (p.retrying || p.limitedAt !== undefined))
        this.consumer?.pause([{ topic: p.topic, partitions: [p.partition] }]);
  }

  /** Stops fetching, inserts and commits what is buffered, then leaves the group. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.consumer?.pause(this.streams.map((s) => ({ topic: this.topics('events', s) })));
    for (const p of this.partitions.values()) {
      // A batch ClickHouse still refuses stays uncommitted: whoever takes the partition re-reads it.
      if (p.retrying) continue;
      await p.lock.run(() => this.flushOnce(p));
    }
    this.running = false;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}
