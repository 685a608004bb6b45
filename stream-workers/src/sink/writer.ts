import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { StreamName } from '@backbone/schemas';
import { rowColumns } from '@backbone/warehouse';
import { InflightLog } from './inflight.js';

/** A partition's gathered rows and the contiguous offset range they came from. */
export interface Batch {
  topic: string;
  partition: number;
  stream: StreamName;
  rows: unknown[][];
  first: bigint;
  last: bigint;
}

export type SinkStep = 'before-record' | 'before-insert' | 'after-insert' | 'after-commit';

export interface BatchWriterOptions {
  clickhouse: ClickHouseClient;
  /** Where the sink's note of the batch in flight is kept (sink_inflight). */
  database: string;
  groupId: string;
  /** The qualified table a stream's rows go to. */
  table: (stream: StreamName) => string;
  /** Commits the consumer group's offset (the next offset to read). */
  commit: (topic: string, partition: number, offset: string) => Promise<void>;
  /** Test hook: called at each step (a fault test kills the process there). */
  onStep?: (step: SinkStep, batch: { topic: string; partition: number; rows: number }) => void;
}

const INSERT_SETTINGS = {
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  async_insert: 0,
  // Late events can span many days: warn instead of refusing the block.
  throw_on_max_partitions_per_insert_block: 0,
};

/** The deduplication token of a batch: the same range always makes the same token. */
export const batchToken = (b: Pick<Batch, 'topic' | 'partition' | 'first' | 'last'>) =>
  `${b.topic}:${b.partition}:${b.first}-${b.last}`;

/**
 * The exactly-once sequence of one batch: note its offset range durably, insert its rows with
 * a deduplication token made of topic, partition and range, and only then commit the offset.
 * A crash anywhere re-forms the same range (the note says which), whose token matches, so
 * ClickHouse drops whatever part of it had already landed. docs/architecture.md.
 */
export class BatchWriter {
  readonly inflight: InflightLog;

  constructor(private readonly options: BatchWriterOptions) {
    this.inflight = new InflightLog(options.clickhouse, options.database, options.groupId);
  }

  async write(batch: Batch): Promise<void> {
    const { clickhouse, onStep } = this.options;
    const info = { topic: batch.topic, partition: batch.partition, rows: batch.rows.length };
    if (batch.rows.length > 0) {
      onStep?.('before-record', info);
      await this.inflight.record(batch.topic, batch.partition, batch, batch.rows.length);
      onStep?.('before-insert', info);
      await clickhouse.insert({
        table: this.options.table(batch.stream),
        format: 'JSONCompactEachRow',
        columns: rowColumns(batch.stream) as [string, ...string[]],
        values: batch.rows,
        clickhouse_settings: {
          ...INSERT_SETTINGS,
          insert_deduplication_token: batchToken(batch),
        } as ClickHouseSettings,
      });
      onStep?.('after-insert', info);
    }
    await this.options.commit(batch.topic, batch.partition, String(batch.last + 1n));
    onStep?.('after-commit', info);
  }
}
