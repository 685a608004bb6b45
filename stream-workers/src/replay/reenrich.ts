import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import {
  SerdeError,
  StreamSerde,
  validateEvent,
  type SchemaRegistryClient,
  type StreamEvents,
  type StreamName,
} from '@backbone/schemas';
import {
  rowColumns,
  toRow,
  ident,
  qualified,
  type TableNames,
  type StreamFamily,
} from '@backbone/warehouse';
import { enrichEvent, subjectIds, type EnrichContext } from '../enrich/enrich.step.js';
import type { TopicNamer } from '../topics.js';
import { countRows } from './count.js';

export interface ReenrichSource {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  clickhouse: ClickHouseClient;
  topics: TopicNamer;
  context: EnrichContext;
}

export interface ReenrichResult {
  /** Raw records read, and live rows that now carry the new enrichment. */
  read: number;
  reenriched: number;
  /** Live rows kept as they were: their raw record is past retention or before --from. */
  kept: number;
}

const BATCH = 50_000;

/**
 * The enrichment of live rows, run again from raw.* with today's enrich step: raw records
 * from `from` to `to` (per `topic:partition`, exclusive; `to` is where the live enrich worker
 * has committed) are enriched into a staging table; each live raw row below `until` goes into
 * the shadow with the new enrichment of its event (same tenant and event_id, the first copy
 * of a client retry, as enrich keeps it) and its own place in events.* (partition, offset),
 * or unchanged when raw.* no longer holds it. The hand-over then treats the shadow like one
 * built by rebuild-rollups.
 */
export async function reenrichInto(
  src: ReenrichSource,
  family: StreamFamily,
  names: TableNames,
  range: { from: Map<string, bigint>; to: Map<string, bigint> },
  /** The live rows to take: a condition on `l._partition` and `l._offset`. */
  until: (stream: StreamName, alias: string) => string,
): Promise<ReenrichResult> {
  const { clickhouse } = src;
  const raw = await StreamSerde.open(src.registry, 'raw');
  const result: ReenrichResult = { read: 0, reenriched: 0, kept: 0 };
  for (const [i, stream] of family.streams.entries()) {
    const table = family.raw[i]!;
    // Named with the shadow's suffix, so a discarded run drops it with the shadow.
    const staging = qualified(names, `${table}_staging`);
    await clickhouse.command({
      query: `CREATE TABLE ${staging} AS ${qualified(names, table)} ENGINE = MergeTree ORDER BY (tenant_id, event_id)`,
    });
    const topic = src.topics('raw', stream);
    const wanted = new Map(
      [...range.to]
        .filter(([k]) => k.startsWith(`${topic}:`))
        .map(([k, to]) => [
          Number(k.slice(topic.length + 1)),
          { from: range.from.get(k) ?? 0n, to },
        ]),
    );
    const open = new Set([...wanted].filter(([, w]) => w.to > w.from).map(([p]) => p));
    if (open.size > 0) {
      const consumer = src.kafka.consumer({
        groupId: `reenrich-${randomUUID()}`,
        readUncommitted: false,
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let rows: unknown[][] = [];
      const flush = async () => {
        if (rows.length === 0) return;
        const values = rows;
        rows = [];
        await clickhouse.insert({
          table: staging,
          format: 'JSONCompactEachRow',
          columns: rowColumns(stream) as [string, ...string[]],
          values,
        });
      };
      const done = new Promise<void>((resolve, reject) => {
        void consumer.run({
          autoCommit: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            try {
              const w = wanted.get(batch.partition);
              if (!w || !open.has(batch.partition)) return;
              for (const m of batch.messages) {
                if (!payload.isRunning()) return;
                const offset = BigInt(m.offset);
                if (offset < w.from) continue;
                if (offset >= w.to) break;
                result.read++;
                let value: StreamEvents[typeof stream];
                try {
                  value = (await raw.decodeAs(stream, m.value)) as StreamEvents[typeof stream];
                } catch (err) {
                  if (err instanceof SerdeError && !err.retriable) continue; // dead-lettered before
                  throw err;
                }
                if (validateEvent(stream, value, 'raw').length > 0) continue;
                const { subjects } = src.context;
                await subjects.prepare(subjectIds(value.envelope, subjects, Number(m.timestamp)));
                const enriched = enrichEvent(stream, value, src.context, Number(m.timestamp));
                if (enriched.kind !== 'ok') continue;
                rows.push(toRow(stream, enriched.value.value, batch.partition, m.offset));
                if (rows.length >= BATCH) await flush();
              }
              const last = BigInt(batch.lastOffset());
              if (last + 1n >= w.to) open.delete(batch.partition);
              if (open.size === 0) {
                await flush();
                resolve();
              }
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          },
        });
      });
      try {
        await done;
      } finally {
        await consumer.disconnect();
      }
    }
    // The live rows, each with the new enrichment of its event where raw.* still had it.
    const columns = rowColumns(stream).filter((c) => c !== '_partition' && c !== '_offset');
    const list = columns.map(ident);
    await clickhouse.command({
      query: `INSERT INTO ${qualified(names, table)} (${[...list, '`_partition`', '`_offset`'].join(', ')})
SELECT ${list.map((c) => `s.${c}`).join(', ')}, l._partition, l._offset
FROM ${qualified({ ...names, suffix: '' }, table)} AS l
INNER JOIN (SELECT * FROM ${staging} ORDER BY _partition, _offset LIMIT 1 BY tenant_id, event_id) AS s
  ON l.tenant_id = s.tenant_id AND l.event_id = s.event_id
WHERE ${until(stream, 'l.')}`,
      clickhouse_settings: { insert_deduplicate: 0, max_partitions_per_insert_block: '0' },
    });
    const reenriched = await countRows(clickhouse, qualified(names, table));
    await clickhouse.command({
      query: `INSERT INTO ${qualified(names, table)} (${[...list, '`_partition`', '`_offset`'].join(', ')})
SELECT ${[...list, '`_partition`', '`_offset`'].join(', ')} FROM ${qualified({ ...names, suffix: '' }, table)}
WHERE (${until(stream, '')}) AND (tenant_id, event_id) NOT IN (SELECT tenant_id, event_id FROM ${staging})`,
      clickhouse_settings: { insert_deduplicate: 0, max_partitions_per_insert_block: '0' },
    });
    const total = await countRows(clickhouse, qualified(names, table));
    result.reenriched += reenriched;
    result.kept += total - reenriched;
    await clickhouse.command({ query: `DROP TABLE IF EXISTS ${staging} SYNC` });
  }
  return result;
}
