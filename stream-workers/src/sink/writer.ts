import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { linksTo } from '@backbone/runtime';
import { recordAttributes, RecordSpans, workerTracer } from '../tracing.js';
import { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { ClickHouseError } from '@clickhouse/client';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import {
  landingTable,
  qualified,
  rawTable,
  rowColumns,
  subjectColumns,
  TABLES,
  type TableNames,
} from '@backbone/warehouse';
import { decodeRow, type DecodeContext } from './decode.js';
import { holdsSealedText } from './texts.js';
import type { RowFramer } from './frames.js';
import { InflightLog } from './inflight.js';

/** A partition's gathered records and the contiguous offset range they came from. */
export interface Batch {
  topic: string;
  partition: number;
  stream: StreamName;
  messages: readonly KafkaMessage[];
  first: bigint;
  last: bigint;
  /** ClickHouse refused these bytes before: decode the batch (a range always takes one path). */
  decode?: boolean;
  /** Called when the batch must be decoded from now on. */
  decoded?: () => void;
}

export type SinkStep = 'before-record' | 'before-insert' | 'after-insert' | 'after-commit';

/** How a batch reached ClickHouse: its bytes as they are, or decoded rows. */
export type SinkPath = 'bytes' | 'decoded';

export interface BatchWriterOptions {
  clickhouse: ClickHouseClient;
  /** Where the sink's note of the batch in flight is kept (sink_inflight). */
  database: string;
  groupId: string;
  /** The tables written: the database and a suffix (replay's shadows). */
  names: TableNames;
  /**
   * The byte path: frames records for the landing tables, and the schema registry as
   * ClickHouse reaches it (AvroConfluent fetches the schemas). Without it, every batch is decoded.
   */
  bytes?: { framer: RowFramer; registryUrl: string };
  /** The decoding path's context (dead letters). */
  decode: DecodeContext;
  /** Commits the consumer group's offset (the next offset to read). */
  commit: (topic: string, partition: number, offset: string) => Promise<void>;
  /** Test hook: called at each step (a fault test kills the process there). */
  onStep?: (step: SinkStep, batch: { topic: string; partition: number; rows: number }) => void;
  /** Told (warn) when ClickHouse refused a batch's bytes and the sink decodes it instead. */
  logger: Logger;
}

const INSERT_SETTINGS = {
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
  async_insert: 0,
  // On a cluster the insert returns once every shard has its rows, each shard's block under
  // the batch's token (a retried batch splits the same way, by tenant and session).
  distributed_foreground_insert: 1,
  // Late events can span many days: warn instead of refusing the block.
  throw_on_max_partitions_per_insert_block: 0,
};

/**
 * ClickHouse answers about the bytes themselves (they do not parse as their schema says):
 * the decoding path finds the record at fault and dead-letters it. Anything else is the
 * retry policy's.
 */
const BAD_BYTES = new Set(['6', '27', '33', '44', '53', '117', '1001']);

/** The deduplication token of a batch: the same range always makes the same token. */
export const batchToken = (b: Pick<Batch, 'topic' | 'partition' | 'first' | 'last'>) =>
  `${b.topic}:${b.partition}:${b.first}-${b.last}`;

/**
 * The exactly-once sequence of one batch: note its offset range durably, insert its records
 * with a deduplication token made of topic, partition and range, and only then commit the
 * offset. A crash anywhere re-forms the same range (the note says which), whose token
 * matches, so ClickHouse drops whatever part of it had already landed. docs/architecture.md.
 *
 * The records go as bytes into the stream's landing table (ClickHouse decodes them, its view
 * fills the raw table); a batch with a record that cannot go that way is decoded here
 * instead and inserted into the raw table, with the same token.
 */
export class BatchWriter {
  readonly inflight: InflightLog;
  /** Landing tables whose view has been seen: a Null table without its view drops rows. */
  private readonly viewed = new Set<string>();

  constructor(private readonly options: BatchWriterOptions) {
    this.inflight = new InflightLog(options.clickhouse, options.database, options.groupId);
  }

  /**
   * Makes the batch durable and commits it; how many rows landed, and by which path. Traced
   * as one insert span linked to a span in each traced record's own trace.
   */
  async write(batch: Batch): Promise<{ rows: number; path: SinkPath }> {
    const records = new RecordSpans(`sink ${batch.stream}`);
    for (const message of batch.messages)
      records.start(message.headers, recordAttributes({ ...batch, message }));
    const span = workerTracer.startSpan(`INSERT ${batch.stream}`, {
      kind: SpanKind.CLIENT,
      links: linksTo(records.contexts),
      attributes: {
        'db.system.name': 'clickhouse',
        'db.namespace': this.options.database,
        'db.operation.name': 'INSERT',
        'db.operation.batch.size': batch.messages.length,
      },
    });
    try {
      const out = await this.durable(batch);
      span.end();
      records.end(undefined, span.spanContext());
      return out;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      span.end();
      records.end(err, span.spanContext());
      throw err;
    }
  }

  private async durable(batch: Batch): Promise<{ rows: number; path: SinkPath }> {
    const { onStep } = this.options;
    const info = { topic: batch.topic, partition: batch.partition, rows: batch.messages.length };
    let out = { rows: 0, path: 'bytes' as SinkPath };
    if (batch.messages.length > 0) {
      onStep?.('before-record', info);
      await this.inflight.record(batch.topic, batch.partition, batch, batch.messages.length);
      onStep?.('before-insert', info);
      out = await this.insert(batch);
      onStep?.('after-insert', info);
    }
    await this.options.commit(batch.topic, batch.partition, String(batch.last + 1n));
    onStep?.('after-commit', info);
    return out;
  }

  private async insert(batch: Batch): Promise<{ rows: number; path: SinkPath }> {
    const settings = { ...INSERT_SETTINGS, insert_deduplication_token: batchToken(batch) };
    const { bytes, names } = this.options;
    // Encrypted text is decrypted here, where the keys are: such a batch is decoded.
    if (bytes && !batch.decode && !holdsSealedText(batch.stream, batch.messages)) {
      const body = await bytes.framer.body(batch.stream, batch.partition, batch.messages);
      if (body) {
        await this.checkView(batch.stream);
        try {
          await this.insertBytes(
            qualified(names, landingTable(batch.stream)),
            body,
            bytes.registryUrl,
            settings,
          );
          return { rows: batch.messages.length, path: 'bytes' };
        } catch (err) {
          if (!(err instanceof ClickHouseError) || !BAD_BYTES.has(err.code)) throw err;
          this.options.logger.warn(
            { topic: batch.topic, partition: batch.partition, code: err.code, type: err.type },
            'ClickHouse could not read the batch as Avro; decoding it instead',
          );
        }
      }
      batch.decode = true;
      batch.decoded?.();
    }
    const decoded: unknown[][] = [];
    for (const m of batch.messages) {
      const row = await decodeRow(this.options.decode, batch.stream, batch, m);
      if (row) decoded.push(row);
    }
    const rows = await this.withoutErased(batch.stream, decoded);
    if (rows.length > 0)
      await this.options.clickhouse.insert({
        table: qualified(names, rawTable(batch.stream)),
        format: 'JSONCompactEachRow',
        columns: rowColumns(batch.stream) as [string, ...string[]],
        values: rows,
        clickhouse_settings: settings as ClickHouseSettings,
      });
    return { rows: rows.length, path: 'decoded' };
  }

  /**
   * The rows of subjects not erased: what the landing views leave out on the byte path, this
   * path leaves out here (docs/privacy.md#erasure), asking the ledger about the batch's tokens.
   */
  private async withoutErased(stream: StreamName, rows: unknown[][]): Promise<unknown[][]> {
    const columns = rowColumns(stream);
    const at = subjectColumns(stream).map((c) => columns.indexOf(c));
    const tokens = new Set<string>();
    for (const row of rows)
      for (const i of at) {
        const value = row[i];
        if (typeof value === 'string') tokens.add(value);
      }
    if (tokens.size === 0) return rows;
    const ledger = qualified(
      { database: this.options.names.database, suffix: '' },
      TABLES.subjectErasures,
    );
    const erased = new Set(
      (
        await (
          await this.options.clickhouse.query({
            query: `SELECT token FROM ${ledger} WHERE token IN {tokens:Array(String)}`,
            query_params: { tokens: [...tokens] },
            format: 'JSONEachRow',
          })
        ).json<{ token: string }>()
      ).map((r) => r.token),
    );
    if (erased.size === 0) return rows;
    return rows.filter((row) => !at.some((i) => erased.has(row[i] as string)));
  }

  /**
   * Refuses to write a landing table whose view is missing (migrate creates the table, then
   * the view; a sink inserting between the two would lose the batch): told as UNKNOWN_TABLE,
   * a refusal the retry policy asks an operator about (`npm run migrate`) and retries.
   */
  private async checkView(stream: StreamName): Promise<void> {
    const { names, clickhouse } = this.options;
    const view = `${landingTable(stream)}_mv${names.suffix}`;
    if (this.viewed.has(view)) return;
    const result = await clickhouse.query({
      query:
        'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {view:String}',
      query_params: { db: names.database, view },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: string | number }>();
    if (Number(row?.n) === 0)
      throw new ClickHouseError({
        message: `the landing view ${names.database}.${view} does not exist`,
        code: '60',
        type: 'UNKNOWN_TABLE',
      });
    this.viewed.add(view);
  }

  private async insertBytes(
    table: string,
    body: Buffer,
    registryUrl: string,
    settings: object,
  ): Promise<void> {
    const result = await this.options.clickhouse.exec({
      query: `INSERT INTO ${table} FORMAT AvroConfluent`,
      values: Readable.from([body]),
      clickhouse_settings: {
        ...settings,
        format_avro_schema_registry_url: registryUrl,
        input_format_avro_allow_missing_fields: 1,
      },
    });
    // The answer to an INSERT is empty; reading it to the end frees the connection.
    for await (const chunk of result.stream) void chunk;
  }
}
