/**
 * The sink's byte path: events.* record values go to ClickHouse as they are (AvroConfluent
 * into the landing tables) and land as the same rows the decoding path makes, for every
 * stream and any value its schema allows. A record ClickHouse cannot read, or one whose
 * writer schema the landing table cannot take, sends its batch through the decoding path.
 */
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENRICHED_SCHEMAS,
  STREAM_NAMES,
  frame,
  streamType,
  type StreamName,
} from '@backbone/schemas';
import { createTestDatabase, waitFor } from '@backbone/test';
import { ident, migrate, qualified, rawTable, rowColumns } from '@backbone/warehouse';
import { DLQ_HEADERS } from '../src/dlq.js';
import { SinkWorker } from '../src/sink/sink.worker.js';
import { WorkerMetrics } from '../src/metrics.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';

const PER_STREAM = 400;
let p: Pipeline;
let decodedDb: Awaited<ReturnType<typeof createTestDatabase>>;
let metrics: WorkerMetrics;
let dlq: Awaited<ReturnType<Pipeline['collect']>>;

/** Random values of the stream's enriched schema, with times ClickHouse keeps (inside TTLs). */
function randomValue(stream: StreamName, i: number): unknown {
  const value = streamType(stream, 'events').random() as unknown as Record<string, unknown>;
  const times = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number' && k.endsWith('_at')) o[k] = Date.now() - i * 1000;
      else if (v && typeof v === 'object' && !Array.isArray(v)) times(v as Record<string, unknown>);
    }
  };
  times(value);
  return value;
}

const insertPaths = async () =>
  (await metrics.registry.getSingleMetricAsString('backbone_sink_inserts_total'))
    .split('\n')
    .filter((l) => l.startsWith('backbone_sink_inserts_total{'));

const expected = (s: StreamName) =>
  PER_STREAM + (s === 'web' ? 1 : 0) + (s === 'stt.speaker' ? 1 : 0);

async function landed(want: (s: StreamName) => number) {
  const count = async (db: string, s: StreamName) =>
    Number(
      (
        await p.rows<{ n: string }>(
          `SELECT count() AS n FROM ${qualified({ database: db, suffix: '' }, rawTable(s))}`,
        )
      )[0]!.n,
    );
  await waitFor(
    async () => {
      for (const s of STREAM_NAMES)
        for (const db of [p.database, decodedDb.name])
          if ((await count(db, s)) !== want(s)) return false;
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: 'every record in both databases' },
  );
  await p.quiet();
}

let pathsBefore: string[];

beforeAll(async () => {
  p = await pipelineFixture({ partitions: 1 });
  const producer = p.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const stream of STREAM_NAMES)
    await producer.send({
      topic: p.topics('events', stream),
      acks: -1,
      messages: Array.from({ length: PER_STREAM }, (_, i) => ({
        key: `k${i}`,
        value: p.events.encode(stream, randomValue(stream, i) as never),
      })),
    });
  dlq = await p.collect('dlq', 'stt.speaker');
  ({ metrics } = await p.startSink());
  // The same topics through the decoding path, into a second database.
  decodedDb = await createTestDatabase(p.clickhouse, 'dec');
  await migrate({ client: p.clickhouse, database: decodedDb.name, logger: p.logger });
  const decoding = new SinkWorker({
    kafka: p.kafka,
    registry: p.registry,
    clickhouse: p.clickhouse,
    database: decodedDb.name,
    groupId: `${p.id}-decoding`,
    topics: p.topics,
    logger: p.logger,
    metrics: new WorkerMetrics({ defaultMetrics: false }),
    maxWaitMs: 200,
  });
  await decoding.start();
  await landed(() => PER_STREAM);
  pathsBefore = await insertPaths();

  // An older writer of web events whose page views had no title: the landing table's payload
  // is today's, so its batch is decoded by the sink (and title lands as NULL).
  const old = JSON.parse(JSON.stringify(ENRICHED_SCHEMAS.web)) as {
    fields: { name: string; type: { name: string; fields: { name: string }[] }[] }[];
  };
  const pageView = old.fields.find((f) => f.name === 'payload')!.type[0]!;
  pageView.fields = pageView.fields.filter((f) => f.name !== 'title');
  const oldWriterId = await p.registry.register(`${p.id}-old-web-value`, JSON.stringify(old));
  const oldType = avro.Type.forSchema(old as never, { wrapUnions: 'auto' });
  const oldValue = randomValue('web', 0) as Record<string, unknown>;
  oldValue.payload = { 'backbone.events.web.PageView': { url: '/old-writer' } };
  // A framed record whose Avro is cut short: ClickHouse refuses the bytes, decoding finds it.
  const good = p.events.encode('stt.speaker', randomValue('stt.speaker', 1));
  await producer.send({
    topic: p.topics('events', 'web'),
    acks: -1,
    messages: [{ key: 'old', value: frame(oldWriterId, oldType.toBuffer(oldValue)) }],
  });
  await producer.send({
    topic: p.topics('events', 'stt.speaker'),
    acks: -1,
    messages: [
      { key: 'cut', value: good.subarray(0, 12) },
      { key: 'after', value: good },
    ],
  });
  await producer.disconnect();
  await landed(expected);
  await decoding.stop();
}, 150_000);

afterAll(async () => {
  await decodedDb?.drop();
  await p?.close();
});

describe('the sink byte path', () => {
  it.each(STREAM_NAMES)('lands %s rows equal to the decoding path, column by column', async (s) => {
    const cols = rowColumns(s).map(ident).join(', ');
    const table = (db: string) => qualified({ database: db, suffix: '' }, rawTable(s));
    const [diff] = await p.rows<{ a: string; b: string; n: string }>(
      `SELECT
        (SELECT count() FROM (SELECT ${cols} FROM ${table(p.database)} EXCEPT SELECT ${cols} FROM ${table(decodedDb.name)})) AS a,
        (SELECT count() FROM (SELECT ${cols} FROM ${table(decodedDb.name)} EXCEPT SELECT ${cols} FROM ${table(p.database)})) AS b,
        (SELECT uniqExact(_offset) FROM ${table(p.database)}) AS n`,
    );
    expect({ a: Number(diff!.a), b: Number(diff!.b), n: Number(diff!.n) }).toEqual({
      a: 0,
      b: 0,
      n: expected(s),
    });
  });

  it("sends today's records as bytes, and decodes the batches it must", async () => {
    for (const s of STREAM_NAMES)
      expect(pathsBefore).toContainEqual(expect.stringContaining(`stream="${s}",path="bytes"`));
    expect(pathsBefore.filter((l) => l.includes('path="decoded"'))).toEqual([]);
    const after = await insertPaths();
    expect(after).toContainEqual(expect.stringMatching(/stream="web",path="decoded"} 1$/));
    expect(after).toContainEqual(expect.stringMatching(/stream="stt.speaker",path="decoded"} 1$/));
    const [old] = await p.rows<{ url: string; title: string | null }>(
      `SELECT url, title FROM {db}.web_events WHERE url = '/old-writer'`,
    );
    expect(old).toEqual({ url: '/old-writer', title: null });
  });

  it('dead-letters the record ClickHouse cannot read and lands the one after it', async () => {
    await waitFor(() => dlq.length >= 1, { timeoutMs: 10_000, description: 'a dead letter' });
    expect(dlq[0]!.key?.toString()).toBe('cut');
    expect(dlq[0]!.headers?.[DLQ_HEADERS.code]?.toString()).toBe('undecodable');
    const [row] = await p.rows<{ n: string }>(
      `SELECT count() AS n FROM {db}.stt_speaker_events WHERE _offset = ${PER_STREAM + 1}`,
    );
    expect(Number(row!.n)).toBe(1);
  });
});
