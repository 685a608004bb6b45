/**
 * npm run bench:kafka-clients [-- --events 300000]
 * kafkajs beside @platformatic/kafka, in one run on one private broker: produce N records of
 * real enriched events (batches of 1,000, acks=all, idempotent) and consume them back (a
 * group from the earliest offset, no work per record), each client in turn in this process.
 * (The values are the bench's page views in their raw form; to a client they are bytes.)
 * Prints events/s and CPU µs per event of this process for each. No pass/fail.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Consumer, Producer as PlatformaticProducer } from '@platformatic/kafka';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { downOnSignal, downStack, upStack, endpointsEnv } from '@backbone/deploy/local';
import { createTopicsReady, kafkaAuth } from '@backbone/runtime';
import { streamType } from '@backbone/schemas';
import { benchWebEvent } from './web-events.js';

const { values } = parseArgs({ options: { events: { type: 'string', default: '300000' } } });
const N = Number(values.events);
const BATCH = 1000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-kafka-clients-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '1g' });
// This process's Kafka clients authenticate as the stack's super user (KAFKA_SASL_*).
Object.assign(process.env, endpointsEnv(stack.endpoints));
downOnSignal(dir);
const brokers = [stack.endpoints.kafkaBrokers];
const kafka = new Kafka({ ...kafkaAuth(), clientId: 'bench', brokers, logLevel: logLevel.NOTHING });

// Real record values: web page views with distinct ids, Avro behind a Confluent frame (id 1).
const type = streamType('web', 'raw');
const records = Array.from({ length: 2000 }, (_, i) => ({
  key: Buffer.from(`session-${i % 500}`),
  value: Buffer.concat([
    Buffer.from([0, 0, 0, 0, 1]),
    type.toBuffer(benchWebEvent(i, 'bench', Date.now())),
  ]),
}));
const batchAt = (i: number) =>
  Array.from({ length: BATCH }, (_, j) => records[(i + j) % records.length]!);

/** Runs `work` and returns events/s and this process's CPU µs per event. */
async function measure(events: number, work: () => Promise<void>) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: events / secs, cpuUs: (cpu.user + cpu.system) / events };
}

try {
  const admin = kafka.admin();
  await admin.connect();
  const topics = {
    kafkajs: `bench-kafkajs-${randomUUID()}`,
    platformatic: `bench-plt-${randomUUID()}`,
  };
  await createTopicsReady(admin, [
    { topic: topics.kafkajs, numPartitions: 4 },
    { topic: topics.platformatic, numPartitions: 4 },
  ]);

  // Produce.
  const kjsProducer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await kjsProducer.connect();
  const kjsProduce = await measure(N, async () => {
    for (let i = 0; i < N; i += BATCH)
      await kjsProducer.send({ topic: topics.kafkajs, acks: -1, messages: batchAt(i) });
  });
  await kjsProducer.disconnect();
  const pltProducer = new PlatformaticProducer({
    clientId: 'bench-plt',
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: -1,
  });
  const pltProduce = await measure(N, async () => {
    for (let i = 0; i < N; i += BATCH)
      await pltProducer.send({
        messages: batchAt(i).map((r) => ({
          topic: topics.platformatic,
          key: r.key,
          value: r.value,
        })),
      });
  });
  await pltProducer.close();

  // Consume from the earliest offset, no work per record.
  const kjsConsumer = kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await kjsConsumer.connect();
  await kjsConsumer.subscribe({ topic: topics.kafkajs, fromBeginning: true });
  const kjsConsume = await measure(N, async () => {
    let seen = 0;
    await new Promise<void>((resolve) => {
      void kjsConsumer.run({
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= N) resolve();
          await Promise.resolve();
        },
      });
    });
  });
  await kjsConsumer.disconnect();
  const pltConsumer = new Consumer({
    groupId: `bench-${randomUUID()}`,
    clientId: 'bench-plt',
    bootstrapBrokers: brokers,
  });
  const pltConsume = await measure(N, async () => {
    const stream = await pltConsumer.consume({ topics: [topics.platformatic], mode: 'earliest' });
    let seen = 0;
    for await (const message of stream) {
      void message;
      if (++seen >= N) break;
    }
    await stream.close();
  });
  await new Promise<void>((resolve, reject) =>
    pltConsumer.close(true, (err) => (err ? reject(err) : resolve())),
  );
  await admin.disconnect();

  console.log(
    `\n${fmt(N)} records (~${records[0]!.value.length} bytes), batches of ${BATCH}, one broker, ${os.cpus().length} cores:`,
  );
  const row = (label: string, r: { rate: number; cpuUs: number }) =>
    console.log(
      `  ${label.padEnd(34)} ${fmt(r.rate).padStart(9)} events/s  ${r.cpuUs.toFixed(2).padStart(6)} µs CPU/event`,
    );
  row('produce, kafkajs 2.2', kjsProduce);
  row('produce, @platformatic/kafka', pltProduce);
  row('consume, kafkajs 2.2 (eachBatch)', kjsConsume);
  row('consume, @platformatic/kafka (stream)', pltConsume);
} finally {
  await downStack(dir);
  rmSync(dir, { recursive: true, force: true });
}
