import type { StreamName } from '@backbone/schemas';
import { SerialLock } from '../serial-lock.js';
import type { InflightRange } from './inflight.js';
import type { InsertFailure } from './retry.js';
import type { Batch } from './writer.js';

/**
 * One partition's rows on their way to ClickHouse: gathered until the batch is full or its
 * oldest row has waited long enough. After a restart the first batch must be exactly the range
 * an interrupted insert had (`reform`), so its deduplication token matches that insert's.
 */
export class PartitionBatch {
  rows: unknown[][] = [];
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
  /** The next offset to read while the partition waits at a read limit. */
  limitedAt: bigint | undefined;
  readonly lock = new SerialLock();

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly stream: StreamName,
  ) {}

  get empty(): boolean {
    return this.first === undefined;
  }

  /** Adds one record's row (none for a record that went to the dead-letter topic). */
  add(offset: bigint, row: unknown[] | undefined): void {
    if (row) this.rows.push(row);
    if (this.first === undefined) {
      this.first = offset;
      this.since = Date.now();
    }
    this.last = offset;
  }

  /** Whether an offset has been gathered already (a fetch can hand a record over twice). */
  has(offset: bigint): boolean {
    return this.last !== undefined && offset <= this.last;
  }

  /** A re-formed batch is complete at its range's end, and nothing past it may join it. */
  reformEndsBefore(offset: bigint): boolean {
    return this.reform !== undefined && offset > this.reform.last && this.first !== undefined;
  }

  /** Whether the batch should be written now (full, or its re-formed range complete). */
  full(maxRows: number): boolean {
    const reformDone = this.reform !== undefined && (this.last ?? -1n) >= this.reform.last;
    return reformDone || this.rows.length >= maxRows;
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
      rows: this.rows,
      first: this.first!,
      last: this.last!,
    };
  }

  /** After the batch is durable and committed. */
  clear(): void {
    this.rows = [];
    this.first = this.last = undefined;
    this.reform = undefined;
  }

  /** A new consumer generation re-reads from the committed offset: drop what is buffered. */
  reset(): void {
    if (this.retrying) return;
    this.clear();
    this.checked = false;
    this.limitedAt = undefined;
  }
}
