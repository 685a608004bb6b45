import type { KafkaMessage } from 'kafkajs';
import type { StreamName } from '@backbone/schemas';
import { SerialLock } from '../serial-lock.js';
import type { InflightRange } from './inflight.js';
import type { InsertFailure } from './retry.js';
import type { Batch } from './writer.js';

/**
 * Bounds on what a sink reads: an exclusive upper offset per partition (records from it on
 * stay unread, the partition paused, until the bound moves) and how long a batch may wait.
 */
export interface SinkBounds {
  limit(topic: string, partition: number): bigint | undefined;
  maxWaitMs(): number;
}

/**
 * One partition's records on their way to ClickHouse, kept as read (the bytes go to ClickHouse
 * as they are): gathered until the batch is full or its
 * oldest row has waited long enough. After a restart the first batch must be exactly the range
 * an interrupted insert had (`reform`), so its deduplication token matches that insert's.
 */
export class PartitionBatch {
  messages: KafkaMessage[] = [];
  /** Set once ClickHouse refused the batch's bytes: the sink decodes it instead. */
  decode = false;
  first: bigint | undefined;
  last: bigint | undefined;
  /** When the oldest row of the batch was read. */
  since = 0;
  /** The range an interrupted insert had; the first batch after a restart must equal it. */
  reform: InflightRange | undefined;
  /** Whether the note of an interrupted insert has been read since the partition was assigned. */
  checked = false;
  /** Set while ClickHouse does not take this partition's batch: the partition is paused. */
  retrying: Promise<void> | undefined;
  /** The last failure while retrying; a refusal is reported by /ready until an insert succeeds. */
  failure: InsertFailure | undefined;
  /** Set while the aged batch waits for an insert turn (it keeps growing meanwhile). */
  queued = false;
  /** Its last fetch left BEHIND_ROWS or more to read: a backlog, whose batch may grow longer. */
  behind = false;
  /** The next offset to read while the partition waits at a read limit. */
  limitedAt: bigint | undefined;
  /** The last offset made durable and committed here: a record at or before it is not read again. */
  done: bigint | undefined;
  readonly lock = new SerialLock();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly stream: StreamName,
  ) {}

  get empty(): boolean {
    return this.first === undefined;
  }

  add(offset: bigint, message: KafkaMessage): void {
    this.messages.push(message);
    if (this.first === undefined) {
      this.first = offset;
      this.since = Date.now();
    }
    this.last = offset;
  }

  /**
   * Whether an offset has been gathered or committed already: a fetch can hand a record over
   * twice, and while leaders move a batch fetched from the old one can arrive after the same
   * records, fetched from the new one, were inserted and committed (a second insert of them
   * would carry another token, and ClickHouse would keep both).
   */
  has(offset: bigint): boolean {
    const upTo = this.last ?? this.done;
    return upTo !== undefined && offset <= upTo;
  }

  /** A re-formed batch is complete at its range's end, and nothing past it may join it. */
  reformEndsBefore(offset: bigint): boolean {
    return this.reform !== undefined && offset > this.reform.last && this.first !== undefined;
  }

  /** Whether the batch should be written now (full, or its re-formed range complete). */
  full(maxRows: number): boolean {
    const reformDone = this.reform !== undefined && (this.last ?? -1n) >= this.reform.last;
    return reformDone || this.messages.length >= maxRows;
  }

  /** Whether the batch has waited long enough; a re-formed one waits for its whole range. */
  aged(now: number, maxWaitMs: number): boolean {
    if (this.first === undefined) return false;
    if (this.reform && (this.last ?? -1n) < this.reform.last) return false;
    return now - this.since >= maxWaitMs;
  }

  batch(): Batch {
    return {
      topic: this.topic,
      partition: this.partition,
      stream: this.stream,
      messages: this.messages,
      first: this.first!,
      last: this.last!,
      decode: this.decode,
      decoded: () => (this.decode = true),
    };
  }

  /** After the batch is durable and committed. */
  durable(): void {
    if (this.last !== undefined) this.done = this.last;
    this.clear();
  }

  clear(): void {
    this.messages = [];
    this.decode = false;
    this.first = this.last = undefined;
    this.reform = undefined;
  }

  /** A new consumer generation re-reads from the committed offset: drop what is buffered. */
  reset(): void {
    // A batch being retried stays, but what is read next is checked against the note of its
    // insert: the new generation may read that batch again from an older committed offset.
    this.checked = false;
    if (this.retrying) return;
    this.clear();
    this.limitedAt = undefined;
  }
}

/**
 * Aged batches smaller than this wait for their table's turn: an insert costs the engine
 * about as much as ~10,000 rows whatever its size (stream-workers/README.md).
 */
export const SPACED_BELOW_ROWS = 10_000;

/**
 * A partition this far behind its end after a fetch has a backlog; less is a trickle's
 * ordinary gap (records of a transaction still open, which a read_committed fetch skips).
 */
export const BEHIND_ROWS = 1000;

/** How long the batch of a partition with a backlog grows (it then goes out of turn). */
export const BACKLOG_WAIT_MS = 1000;

/**
 * Which aged batches go now: a table (a stream's) gets at most one insert of a small batch
 * per interval, its partitions taking turns oldest batch first while the others grow, so a
 * trickle over N partitions makes one insert per interval, not N. A batch of
 * SPACED_BELOW_ROWS or more has paid for its insert and goes at once, as does one whose
 * partition has a backlog (a catching-up sink is not slowed); so does a full one, which the
 * reader inserts itself and reports with took().
 */
export class InsertTurns {
  private readonly last = new Map<StreamName, number>();
  /** The batch holding its table's turn until its insert is over (see finished()). */
  private readonly holding = new Map<StreamName, PartitionBatch>();

  constructor(private readonly intervalMs: number) {}

  /** The batches to insert now, in order; each counts as its table's insert. */
  due(aged: readonly PartitionBatch[], now: number): PartitionBatch[] {
    const out: PartitionBatch[] = [];
    for (const p of [...aged].sort((a, b) => a.since - b.since)) {
      const spaced = this.intervalMs > 0 && p.messages.length < SPACED_BELOW_ROWS && !p.behind;
      if (spaced && this.holding.has(p.stream)) continue;
      if (spaced && now - (this.last.get(p.stream) ?? -Infinity) < this.intervalMs) continue;
      this.took(p.stream, now);
      if (spaced) this.holding.set(p.stream, p);
      out.push(p);
    }
    return out;
  }

  /**
   * The insert of a batch due() gave is over (made, failed or not needed). A small batch's
   * table waits the interval from now: an insert that waited behind others (a busy engine,
   * a slow note) does not leave the next one close behind it.
   */
  finished(p: PartitionBatch, now: number): void {
    if (this.holding.get(p.stream) !== p) return;
    this.holding.delete(p.stream);
    this.last.set(p.stream, now);
  }

  /** An insert into the stream's table started now (a full batch). */
  took(stream: StreamName, now: number): void {
    this.last.set(stream, now);
  }
}
