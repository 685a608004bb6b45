/**
 * npm run bench:replay [-- --events 2000000 --concurrency 2 --batch 100000]
 * On a private local stack: N enriched web events on events.web.v1 (made by the real enrich
 * step from a few thousand raw ones, then varied), the live sink group positioned at the end
 * of the topic (as a caught-up sink leaves it), then
 *  1. the ceiling: a bare kafkajs consumer reading the topic (no decode, no insert);
 *  2. `replay --stream web --from earliest --force`, in-process: events/s and where the time
 *     went (read + insert into the shadow, verification, the hold, the swap); with
 *     --compare, once with the sink decoding (JSON rows) and once passing Avro bytes.
 * Prints figures; no pass/fail.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { downOnSignal, downStack, upStack, endpointsEnv } from '@backbone/deploy/local';
import { createLogger, waitFor, kafkaAuth } from '@backbone/runtime';
import {
  confluentRegistry,
  StreamSerde,
  topicName,
  type EnrichedStreamEvents,
} from '@backbone/schemas';
import { migrate } from '@backbone/warehouse';
import { enrichEvent } from '../src/enrich/enrich.step.js';
import { GeoLookup } from '../src/enrich/geo.js';
import { runReplay } from '../src/replay/replay.js';
import { benchEnrichContext, benchWebEvent } from './web-events.js';
import { TABLES } from '@backbone/warehouse/tables';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '2000000' },
    concurrency: { type: 'string', default: '2' },
    batch: { type: 'string', default: '100000' },
    compare: { type: 'boolean', default: false },
  },
});
const N = Number(values.events);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-replay-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '1g' });
// This process's Kafka clients authenticate as the stack's super user (KAFKA_SASL_*).
Object.assign(process.env, endpointsEnv(stack.endpoints));
downOnSignal(dir);
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'bench',
  brokers: [stack.endpoints.kafkaBrokers],
  logLevel: logLevel.NOTHING,
});
const clickhouse = createClient({
  url: stack.endpoints.clickhouseUrl,
  username: stack.endpoints.clickhouseUser,
  password: stack.endpoints.clickhousePassword,
  request_timeout: 600_000,
});
const logger = createLogger({ name: 'bench', level: 'warn' });
const admin = kafka.admin();
try {
  await migrate({ client: clickhouse, database: 'analytics', logger });
  await admin.connect();
  const registry = confluentRegistry(stack.endpoints.schemaRegistryUrl);
  const serde = await StreamSerde.open(registry, 'events');
  const geo = await GeoLookup.open();
  // Templates only: the persons' keys need not outlive the bench.
  const ctx = benchEnrichContext(geo);

  // A few thousand events through the real enrich step; the rest vary them (id, time).
  const base = Date.now() - 3 * 86_400_000;
  const templates: EnrichedStreamEvents['web'][] = [];
  for (let i = 0; i < 5000; i++) {
    const r = enrichEvent('web', benchWebEvent(i, 'bench', base), ctx);
    if (r.kind === 'ok') templates.push(r.value.value);
  }
  const topic = topicName('events', 'web');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 10_000) {
    const messages = Array.from({ length: Math.min(10_000, N - i) }, (_, j) => {
      const t = templates[(i + j) % templates.length]!;
      const at = base + Math.floor(((i + j) / N) * 3 * 86_400_000);
      const value = {
        ...t,
        envelope: { ...t.envelope, event_id: randomUUID(), occurred_at: at, received_at: at },
      };
      return { key: t.envelope.session_id, value: serde.encode('web', value) };
    });
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  const loadSecs = (performance.now() - t0) / 1000;
  console.log(
    `pre-loaded ${fmt(N)} enriched events on ${topic} in ${loadSecs.toFixed(1)} s (${fmt(N / loadSecs)} events/s, encode + produce)`,
  );

  // The live sink has read everything (its tables are what the replay rebuilds).
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({
    groupId: 'backbone-sink',
    topic,
    partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })),
  });

  // 1. Ceiling: a bare consumer of the same topic.
  let seen = 0;
  let firstAt = 0;
  const bare = kafka.consumer({ groupId: `bare-${randomUUID()}` });
  await bare.connect();
  await bare.subscribe({ topic, fromBeginning: true });
  await bare.run({
    eachBatch: async ({ batch }) => {
      if (!firstAt) firstAt = performance.now();
      seen += batch.messages.length;
      await Promise.resolve();
    },
  });
  await waitFor(() => seen >= N, {
    timeoutMs: 600_000,
    intervalMs: 50,
    description: 'bare consume',
  });
  const bareSecs = (performance.now() - firstAt) / 1000;
  await bare.disconnect();

  // 2. The replay: the byte path (ClickHouse decodes), and with --compare the decoding path first.
  const replayOnce = async (format: 'json' | 'avro') => {
    const outcome = await runReplay(
      {
        kafka,
        registry,
        clickhouse,
        database: 'analytics',
        logger,
        liveGroup: 'backbone-sink',
        clickhouseRegistryUrl: format === 'avro' ? stack.endpoints.schemaRegistryUrl : undefined,
        progress: { write: (s) => process.stderr.write(s), interactive: process.stderr.isTTY },
      },
      {
        stream: 'web',
        force: true,
        concurrency: Number(values.concurrency),
        batchRows: Number(values.batch),
      },
    );
    const rows = Number(
      (
        await (
          await clickhouse.query({
            query: `SELECT count() AS n FROM analytics.${TABLES.webEvents}`,
            format: 'JSONEachRow',
          })
        ).json<{ n: string }>()
      )[0]?.n,
    );
    return { outcome, rows };
  };
  const runs = values.compare ? [['decoding (JSON rows)', await replayOnce('json')] as const] : [];
  const all = [...runs, ['Avro bytes (landing)', await replayOnce('avro')] as const];
  console.log(
    `\nreplay of ${fmt(N)} web events, ${os.cpus().length} cores, concurrency ${values.concurrency}, ${fmt(Number(values.batch))} rows per insert:`,
  );
  console.log(`  bare kafkajs consume (ceiling)            ${fmt(N / bareSecs)} events/s`);
  for (const [label, { outcome, rows }] of all) {
    const t = outcome.timings;
    console.log(`  ${label}:`);
    console.log(
      `    read + insert into the shadow           ${fmt(outcome.records / t.read)} events/s (${t.read.toFixed(1)} s)`,
    );
    console.log(
      `    whole run                               ${fmt(outcome.records / outcome.seconds)} events/s (${outcome.seconds.toFixed(1)} s total)`,
    );
    console.log(`    session summaries of the shadow         ${t.finalize.toFixed(1)} s`);
    console.log(
      `    verification ${t.verify.toFixed(2)} s before the hold, ${t.verifyHeld.toFixed(2)} s under it; writes held ${t.hold.toFixed(2)} s; EXCHANGE ${t.swap.toFixed(3)} s`,
    );
    console.log(
      `    ${TABLES.webEvents} after the swap: ${fmt(rows)} rows (${rows === N ? 'every event once' : `EXPECTED ${fmt(N)}`})`,
    );
  }
} finally {
  await admin.disconnect().catch(() => undefined);
  await clickhouse.close();
  await downStack(dir);
  rmSync(dir, { recursive: true, force: true });
}
