import type { ClickHouseClient } from '@clickhouse/client';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { createLogger, createTopicsReady, kafkaAuth, type Logger } from '@backbone/runtime';
import {
  confluentRegistry,
  STREAM_NAMES,
  StreamSerde,
  type StreamEvents,
  type StreamName,
  type TopicKind,
} from '@backbone/schemas';
import {
  createTestDatabase,
  testClickHouse,
  testKafka,
  testStack,
  uniqueName,
  waitFor,
} from '@backbone/test';
import { migrate } from '@backbone/warehouse';
import { MemoryDedup, type DedupStore } from '../src/enrich/dedup.js';
import { EnrichWorker, type EnrichWorkerOptions } from '../src/enrich/enrich.worker.js';
import { GeoLookup } from '../src/enrich/geo.js';
import { WorkerMetrics } from '../src/metrics.js';
import { SinkWorker, type SinkWorkerOptions } from '../src/sink/sink.worker.js';
import { parseMasterKeys } from '../src/subjects/crypto.js';
import { SubjectStore } from '../src/subjects/store.js';
import { prefixedSubjectTopics, subjectTopicSpecs } from '../src/subjects/topics.js';
import type { TopicNamer } from '../src/topics.js';
import type { FetchPolicy } from '../src/topics.js';

export const KEYS = { hashKey: 'test-hash-key-0123456789', tokenKey: 'test-token-key-0123456789' };
export const MASTER_KEYS = 'test1:test-master-key-0123456789';

/** The registry as ClickHouse reaches it (another address when ClickHouse runs in Docker). */
export const clickhouseRegistryUrl = () =>
  process.env.CLICKHOUSE_SCHEMA_REGISTRY_URL || testStack().schemaRegistryUrl;

let geo: Promise<GeoLookup> | undefined;
const sharedGeo = () => (geo ??= GeoLookup.open());

/** The pipeline's own topics and database, and its clients. */
async function openPipeline(options: { partitions?: number }) {
  const id = uniqueName('pl');
  const topics: TopicNamer = (kind, stream) => `${kind}.${stream}.${id}`;
  const kafka = testKafka(id);
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReady(
    admin,
    STREAM_NAMES.flatMap((stream) =>
      (['raw', 'events', 'dlq'] as TopicKind[]).map((kind) => ({
        topic: topics(kind, stream),
        numPartitions: options.partitions ?? 2,
      })),
    ),
  );
  const clickhouse = testClickHouse();
  const db = await createTestDatabase(clickhouse, 'pl');
  const logger = createLogger({ name: 'test', level: 'silent' });
  await migrate({ client: clickhouse, database: db.name, logger });
  const registry = confluentRegistry(testStack().schemaRegistryUrl);
  const raw = await StreamSerde.open(registry, 'raw');
  const events = await StreamSerde.open(registry, 'events');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return { id, topics, kafka, admin, clickhouse, db, logger, registry, raw, events, producer };
}

/**
 * Waits until no INSERT into `database` runs: a reader sees an INSERT's raw rows before its
 * materialized views' rows, so a row count alone does not say the rollups have them.
 */
export async function waitQuiet(clickhouse: ClickHouseClient, database: string): Promise<void> {
  await waitFor(
    async () => {
      const result = await clickhouse.query({
        // The name alone: the sink writes it quoted (`db`.`table`); it is unique to the test.
        query: `SELECT count() AS n FROM system.processes WHERE query_kind = 'Insert' AND position(query, {database:String}) > 0`,
        query_params: { database },
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string | number }>();
      return Number(row?.n) === 0;
    },
    { timeoutMs: 30_000, intervalMs: 50, description: 'the last INSERT and its views done' },
  );
}

type TextPolicy = 'drop' | 'redact';
/** A worker's transcript policy: one for every tenant, or a function of the tenant. */
const policyOf = (p: TextPolicy | ((tenant: string) => TextPolicy) | undefined) =>
  typeof p === 'function' ? p : () => p ?? 'drop';

/** The pipeline's subject keys and erasure ledger (its own topics), started when first asked. */
function pipelineSubjects(
  kafka: Kafka,
  id: string,
  logger: Logger,
  stops: (() => Promise<void>)[],
) {
  const subjectTopics = prefixedSubjectTopics(`${id}.`);
  let store: Promise<SubjectStore> | undefined;
  const subjects = () =>
    (store ??= (async () => {
      const s = new SubjectStore({
        kafka,
        topics: subjectTopics,
        master: parseMasterKeys(MASTER_KEYS),
        refSecret: KEYS.tokenKey,
        instanceId: id,
        logger,
      });
      await s.start();
      stops.unshift(() => s.stop());
      return s;
    })());
  return { subjectTopics, subjects, started: () => store !== undefined };
}

/** What a test may give the enrich worker it starts. */
type EnrichExtra = {
  dedup?: DedupStore;
  logger?: Logger;
  textPolicy?: 'drop' | 'redact' | ((tenant: string) => 'drop' | 'redact');
  /** The worker's own Kafka client (e.g. one whose kafkajs log a test reads). */
  kafka?: Kafka;
  fetch?: FetchPolicy;
  sessionTimeoutMs?: number;
  onStep?: EnrichWorkerOptions['onStep'];
};

/**
 * A private pipeline on the test stack: its own raw/events/dlq topics for every stream (two
 * partitions each), its own ClickHouse database with the migrations applied, and helpers to
 * produce raw events, run the workers in-process and read what came out.
 */
export async function pipelineFixture(options: { partitions?: number } = {}) {
  const { id, topics, kafka, admin, clickhouse, db, logger, registry, raw, events, producer } =
    await openPipeline(options);
  const stops: (() => Promise<void>)[] = [];
  const { subjectTopics, subjects, started } = pipelineSubjects(kafka, id, logger, stops);
  return {
    ...{ id, kafka, topics, subjectTopics, subjects, database: db.name },
    ...{ clickhouse, registry, raw, events, logger },

    /**
     * Raw events onto raw.*, in one request; `at` sets their Kafka timestamps (when the
     * gateway took them), one for all or one each.
     */
    async produce<S extends StreamName>(
      stream: S,
      values: StreamEvents[S][],
      headers?: IHeaders,
      at?: number | number[],
    ) {
      await producer.send({
        topic: topics('raw', stream),
        acks: -1,
        messages: values.map((v, i) => {
          const ts = Array.isArray(at) ? at[i] : at;
          return {
            key: v.envelope.session_id,
            value: raw.encode(stream, v),
            ...(headers ? { headers } : {}),
            ...(ts !== undefined ? { timestamp: String(ts) } : {}),
          };
        }),
      });
    },

    async produceBytes(stream: StreamName, key: string, value: Buffer) {
      await producer.send({ topic: topics('raw', stream), acks: -1, messages: [{ key, value }] });
    },

    async startEnrich(extra: EnrichExtra = {}) {
      const metrics = new WorkerMetrics({ defaultMetrics: false });
      const lookup = await sharedGeo();
      const worker = new EnrichWorker({
        kafka: extra.kafka ?? kafka,
        registry,
        groupId: `${id}-enrich`,
        instanceId: uniqueName('i'),
        topics,
        ...(extra.fetch ? { fetch: extra.fetch } : {}),
        ...(extra.sessionTimeoutMs ? { sessionTimeoutMs: extra.sessionTimeoutMs } : {}),
        ...(extra.onStep ? { onStep: extra.onStep } : {}),
        offsetsFrom: { brokers: testStack().kafkaBrokers.split(','), auth: kafkaAuth() },
        dedup: extra.dedup ?? new MemoryDedup({ ttlSeconds: 3600, maxEntries: 100_000 }),
        logger: extra.logger ?? logger,
        metrics,
        context: {
          keys: KEYS,
          subjects: await subjects(),
          geo: (ip) => lookup.lookup(ip),
          textPolicy: policyOf(extra.textPolicy),
          now: Date.now,
        },
      });
      await worker.start();
      stops.push(() => worker.stop());
      return { worker, metrics };
    },

    async startSink(extra: Partial<SinkWorkerOptions> = {}) {
      const metrics = new WorkerMetrics({ defaultMetrics: false });
      const worker = new SinkWorker({
        kafka,
        registry,
        clickhouse,
        database: db.name,
        ...{ groupId: `${id}-sink`, topics, logger, metrics },
        ...{ maxWaitMs: 200, insertIntervalMs: 0 }, // rows soon (sink-spacing tests the default)
        clickhouseRegistryUrl: clickhouseRegistryUrl(),
        ...(started() ? { texts: await subjects() } : {}), // enrich's keys, for sealed text
        offsetsFrom: { brokers: testStack().kafkaBrokers.split(','), auth: kafkaAuth() },
        ...extra,
      });
      await worker.start();
      stops.push(() => worker.stop());
      return { worker, metrics };
    },

    /** Follows one of this pipeline's topics; stopped by close() at the latest. */
    async collect(kind: TopicKind, stream: StreamName) {
      const collector = await collectTopic(kafka, topics(kind, stream));
      stops.push(collector.stop);
      return collector.messages;
    },

    /** Waits until no INSERT into this pipeline's database runs (see waitQuiet). */
    quiet: () => waitQuiet(clickhouse, db.name),

    async rows<T = Record<string, unknown>>(
      sql: string,
      params: Record<string, unknown> = {},
    ): Promise<T[]> {
      const result = await clickhouse.query({
        query: sql.replaceAll('{db}', db.name),
        query_params: params,
        format: 'JSONEachRow',
      });
      return result.json<T>();
    },

    close: () =>
      closePipeline(stops, { producer, admin, db, clickhouse }, [
        ...STREAM_NAMES.flatMap((s) =>
          (['raw', 'events', 'dlq'] as TopicKind[]).map((k) => topics(k, s)),
        ),
        ...(started() ? subjectTopicSpecs(subjectTopics).map((t) => t.topic) : []),
      ]),
  };
}

/** Stops what the pipeline started, deletes its topics and drops its database. */
async function closePipeline(
  stops: (() => Promise<void>)[],
  o: Pick<Awaited<ReturnType<typeof openPipeline>>, 'producer' | 'admin' | 'db' | 'clickhouse'>,
  topics: string[],
) {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await o.producer.disconnect();
  await o.admin.deleteTopics({ topics }).catch(() => undefined);
  await o.admin.disconnect();
  await o.db.drop();
  await o.clickhouse.close();
}

export type Pipeline = Awaited<ReturnType<typeof pipelineFixture>>;

/**
 * Follows a topic from the beginning with a read_committed consumer; `messages` grows as
 * records arrive (tests wait for the count they expect, then stop()).
 */
export async function collectTopic(kafka: Kafka, topic: string) {
  const messages: (KafkaMessage & { partition: number })[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message, partition }) => {
      messages.push({ ...message, partition });
      return Promise.resolve();
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export { type ClickHouseClient };
