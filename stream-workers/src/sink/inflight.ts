import type { Logger } from '@backbone/runtime';
import type { PartitionBatch } from './batcher.js';
import type { ClickHouseClient } from '@clickhouse/client';
import { clickhouseTime, qualified } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';

export interface InflightRange {
  first: bigint;
  last: bigint;
}

/**
 * The sink's durable note of the batch it is about to insert, one per partition (table
 * `sink_inflight`, migration 0004). Written before the insert; after a crash the first
 * batch of the partition is re-formed with exactly this range, so its deduplication token
 * matches the interrupted insert's and ClickHouse drops whatever part of it had landed.
 */
export class InflightLog {
  private readonly table: string;

  constructor(
    private readonly client: ClickHouseClient,
    database: string,
    private readonly group: string,
  ) {
    this.table = qualified({ database, suffix: '' }, `${TABLES.sinkInflight}`);
  }

  async record(topic: string, partition: number, range: InflightRange, rows: number) {
    await this.client.insert({
      table: this.table,
      format: 'JSONEachRow',
      values: [
        {
          consumer_group: this.group,
          topic,
          partition,
          first_offset: String(range.first),
          last_offset: String(range.last),
          rows,
          written_at: clickhouseTime(Date.now()),
        },
      ],
    });
  }

  async latest(topic: string, partition: number): Promise<InflightRange | undefined> {
    const rows = await (
      await this.client.query({
        query: `SELECT toString(first_offset) AS first, toString(last_offset) AS last
FROM ${this.table} FINAL
WHERE consumer_group = {group:String} AND topic = {topic:String} AND partition = {partition:UInt32}`,
        query_params: { group: this.group, topic, partition },
        format: 'JSONEachRow',
      })
    ).json<{ first: string; last: string }>();
    const row = rows[0];
    return row ? { first: BigInt(row.first), last: BigInt(row.last) } : undefined;
  }
}

/** After an assignment: a noted range reaching past the first offset must be re-formed. */
export async function checkInflight(
  p: PartitionBatch,
  firstOffset: bigint,
  inflight: InflightLog,
  logger: Logger,
): Promise<void> {
  const noted = await inflight.latest(p.topic, p.partition);
  if (noted && noted.last >= firstOffset) {
    p.reform = noted;
    logger.info(
      { topic: p.topic, partition: p.partition, first: `${noted.first}`, last: `${noted.last}` },
      're-forming the batch a previous run was inserting',
    );
  }
  p.checked = true;
}
