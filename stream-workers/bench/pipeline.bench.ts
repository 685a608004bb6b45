/**
 * npm run bench:pipeline [-- --events 2000000 --rate 10000 --seconds 30 --json --profile]
 * On a private local stack: pre-load N web events on raw.web.v1, then
 *  1. the ceiling: a bare kafkajs consumer reading them (no decode, no work);
 *  2. enrich alone (its own process): events/s, transactions included;
 *  3. the sink alone (its own process) over what enrich wrote: rows/s;
 *  4. both together at a steady offered rate: rows/s landing in ClickHouse, freshness
 *     (produce → visible in a rollup, web_sessions) p50/p95/p99, CPU µs per landed event of
 *     every process (enrich, sink, ClickHouse endpoint, broker, registry), peak RSS of each;
 *  5. the producer SDK at 1,000 events/s: how long produce() holds the caller, and delivery.
 * With --json, the figures as one JSON object on the last line.
 * With --profile, enrich and the byte-path sink run under `node --cpu-prof` for their solo
 * phases, and the bench prints where their CPU went (self time by package or source file,
 * µs per event); fresh unprofiled ones run the end-to-end phase.
 * Prints figures; no pass/fail.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  downStack,
  endpointsEnv,
  isAlive,
  REPO_ROOT,
  spawnDetached,
  stopProcess,
  upStack,
} from '@backbone/deploy/local';
import { waitFor } from '@backbone/runtime';
import { confluentRegistry, StreamSerde, topicName } from '@backbone/schemas';
import {
  CpuMeter,
  cpuSeconds,
  peakRssMiB,
  profileLines,
  quantile,
  selfTimes,
  ThreadMeter,
} from '@backbone/test';
import { benchWebEvent as event } from './web-events.js';
import { sdkLatency } from './sdk-latency.js';
import { TABLES } from '@backbone/warehouse/tables';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    profile: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const PROFILE = values.profile;
const N = Number(values.events);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '1g' });
const env = endpointsEnv(stack.endpoints);
const kafka = new Kafka({
  clientId: 'bench',
  brokers: [stack.endpoints.kafkaBrokers],
  logLevel: logLevel.NOTHING,
});
const clickhouse = createClient({
  url: stack.endpoints.clickhouseUrl,
  username: stack.endpoints.clickhouseUser,
  password: stack.endpoints.clickhousePassword,
});
const children: number[] = [];
const profileDir = (name: string) => path.join(dir, `profile-${name}`);
const run = (name: string, script: string, extra: Record<string, string>, profiled = false) => {
  const prof = profiled ? ['--cpu-prof', `--cpu-prof-dir=${profileDir(name)}`] : [];
  const child = spawnDetached(
    process.execPath,
    [...prof, '--conditions=source', '--import', 'tsx', script],
    {
      cwd: REPO_ROOT,
      logFile: path.join(dir, `${name}.log`),
      env: { ...process.env, ...env, LOG_LEVEL: 'warn', PORT: '0', ...extra },
    },
  );
  children.push(child.pid);
  return child;
};
const scalar = async (sql: string) =>
  Number(
    Object.values(
      (
        await (
          await clickhouse.query({ query: sql, format: 'JSONEachRow' })
        ).json<Record<string, unknown>>()
      )[0] ?? {},
    )[0],
  );
const migrateInto = async (database: string) => {
  const m = run(`migrate-${database}`, 'warehouse/src/migrate.main.ts', {
    CLICKHOUSE_DATABASE: database,
  });
  await waitFor(() => !isAlive(m.pid), { timeoutMs: 60_000, description: 'migrations' });
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

try {
  await migrateInto('analytics');
  const serde = await StreamSerde.open(confluentRegistry(stack.endpoints.schemaRegistryUrl), 'raw');
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const raw = topicName('raw', 'web');
  const base = Date.now() - 30 * 60_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i += 5000) {
    const chunk = Array.from({ length: Math.min(5000, N - i) }, (_, j) => {
      const e = event(i + j, 'bench', base + ((i + j) % 1_800_000));
      return { key: e.envelope.session_id, value: serde.encode('web', e) };
    });
    await producer.send({ topic: raw, acks: -1, messages: chunk });
  }
  const preload = (performance.now() - t0) / 1000;
  console.log(
    `pre-loaded ${fmt(N)} events on ${raw} in ${preload.toFixed(1)} s (${fmt(N / preload)} events/s, encode + produce)`,
  );

  // 1. Ceiling: a bare consumer on the same broker.
  let seen = 0;
  const bare = kafka.consumer({ groupId: `bare-${randomUUID()}` });
  await bare.connect();
  await bare.subscribe({ topic: raw, fromBeginning: true });
  let firstAt = 0;
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

  // 2. Enrich alone: raw.web.v1 → events.web.v1, transactions included.
  const admin = kafka.admin();
  await admin.connect();
  const groupState = async (groupId: string) =>
    (await admin.describeGroups([groupId])).groups[0]?.state;
  const committed = async (groupId: string, topic: string) =>
    (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions.reduce(
      (sum, p) => sum + Math.max(0, Number(p.offset)),
      0,
    );
  const enrichEnv = {
    HASH_KEY: 'bench-hash-key-0123456789',
    TOKEN_KEY: 'bench-token-key-0123456789',
    WORKER_INSTANCE_ID: 'bench-0',
  };
  let enrich = run('enrich', 'stream-workers/src/enrich.main.ts', enrichEnv, PROFILE);
  await waitFor(async () => (await groupState('backbone-enrich')) === 'Stable', {
    timeoutMs: 120_000,
    intervalMs: 20,
    description: 'enrich to join its group',
  });
  const enrichStart = performance.now();
  const enrichCpu0 = cpuSeconds(enrich.pid);
  await waitFor(async () => (await committed('backbone-enrich', raw)) >= N, {
    timeoutMs: 1_800_000,
    intervalMs: 100,
    description: 'enrich to finish',
  });
  const enrichRate = N / ((performance.now() - enrichStart) / 1000);
  const enrichCpuUs = ((cpuSeconds(enrich.pid) - enrichCpu0) * 1e6) / N;
  if (PROFILE) {
    await stopProcess(enrich.pid, 30_000); // writes its profile
    enrich = run('enrich-e2e', 'stream-workers/src/enrich.main.ts', enrichEnv);
  }

  // 3. The sink alone: events.web.v1 → a database's web_events and its rollups, once decoding
  // in the sink (JSON rows) and once passing the Avro bytes through (ClickHouse decodes), side
  // by side on the same records. CPU per row for the sink and for the ClickHouse endpoint.
  let e2eSink = 0;
  const sinkAlone = async (database: string, format: 'json' | 'avro') => {
    if (database !== 'analytics') await migrateInto(database);
    const sinkEnv = {
      CLICKHOUSE_DATABASE: database,
      GROUP_ID: `sink-${format}`,
      SINK_INSERT_FORMAT: format,
      SESSION_FINALIZE_INTERVAL_MS: '0',
    };
    const profiled = PROFILE && format === 'avro';
    const sink = run(`sink-${format}`, 'stream-workers/src/sink.main.ts', sinkEnv, profiled);
    // The clock starts once the sink holds its partitions, before its first fetch: a first
    // insert can carry most of the rows, so waiting for rows to appear would miss them.
    await waitFor(async () => (await groupState(`sink-${format}`)) === 'Stable', {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: 'the sink to join its group',
    });
    const start = performance.now();
    const [cpu0, chCpu0] = [cpuSeconds(sink.pid), cpuSeconds(stack.clickhouse.pid)];
    await waitFor(
      async () => (await scalar(`SELECT count() FROM ${database}.${TABLES.webEvents}`)) >= N,
      { timeoutMs: 1_800_000, intervalMs: 100, description: 'sink to finish' },
    );
    const rows = N;
    const out = {
      rate: rows / ((performance.now() - start) / 1000),
      cpuUs: ((cpuSeconds(sink.pid) - cpu0) * 1e6) / rows,
      clickhouseUs: ((cpuSeconds(stack.clickhouse.pid) - chCpu0) * 1e6) / rows,
    };
    if (format === 'json' || profiled) await stopProcess(sink.pid, 30_000);
    // The end-to-end phase needs a live sink of the analytics database (unprofiled).
    if (format === 'avro')
      e2eSink = profiled
        ? run('sink-e2e', 'stream-workers/src/sink.main.ts', sinkEnv).pid
        : sink.pid;
    return out;
  };
  const sinkJson = await sinkAlone('analytics_json', 'json');
  const sinkAvro = await sinkAlone('analytics', 'avro');

  // 4. Both together at a steady rate. Freshness: ten times a second one of the events is a
  // marker (a tenant of its own, `fresh-m<k>`); its sample is the time from Kafka's ack (what
  // the gateway's 202 waits for) until its session shows in the rollup (web_sessions), looked
  // up by key every 100 ms. Also the end-to-end rate (rows in ClickHouse per second) and the CPU
  // every process spent per event that landed.
  const samples: number[] = [];
  const services = {
    enrich: enrich.pid,
    sink: e2eSink,
    clickhouse: stack.clickhouse.pid,
    broker: stack.kafka.pid,
    registry: stack.registry.pid,
  };
  const meter = new CpuMeter(services);
  const threadMeters = Object.entries(services).map(
    ([n, pid]) => [n, new ThreadMeter(pid)] as const,
  );
  const acked = new Map<string, number>(); // marker tenant → when Kafka acknowledged it
  let sending = true;
  let sent = 0;
  let markers = 0;
  let markedAt = 0;
  const sender = (async () => {
    const start = performance.now();
    while (sending) {
      const due = Math.floor(((performance.now() - start) / 1000) * RATE) - sent;
      if (due > 0) {
        const now = Date.now();
        const marker = now - markedAt >= 100 ? `fresh-m${markers++}` : undefined;
        if (marker) markedAt = now;
        const messages = Array.from({ length: due }, (_, j) => {
          const e = event(sent + j, j === 0 && marker ? marker : 'fresh', now);
          return { key: e.envelope.session_id, value: serde.encode('web', e) };
        });
        sent += due;
        await producer.send({ topic: raw, acks: -1, messages });
        if (marker) acked.set(marker, Date.now());
      } else await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const until = Date.now() + SECONDS * 1000;
  const visible = new Set<string>();
  const lookUp = async () => {
    const open = [...acked.keys()].filter((m) => !visible.has(m));
    if (open.length === 0) return;
    const rows = await (
      await clickhouse.query({
        query: `SELECT DISTINCT tenant_id FROM analytics.${TABLES.webSessions} WHERE tenant_id IN {open:Array(String)} AND day = today()`,
        query_params: { open },
        format: 'JSONEachRow',
      })
    ).json<{ tenant_id: string }>();
    const at = Date.now();
    for (const { tenant_id } of rows) {
      visible.add(tenant_id);
      samples.push(at - acked.get(tenant_id)!);
    }
  };
  while (Date.now() < until) {
    await lookUp();
    await new Promise((r) => setTimeout(r, 100));
  }
  sending = false;
  await sender;
  const sentRate = sent / SECONDS;
  const landed = await scalar(
    `SELECT count() FROM analytics.${TABLES.webEvents} WHERE startsWith(tenant_id, 'fresh')`,
  );
  const e2eRate = landed / SECONDS;
  const cpuPerEvent = meter.perEvent(landed);
  const threads = Object.fromEntries(
    threadMeters.map(([n, m]) => [n, m.perEvent(landed).slice(0, 6)]),
  );
  // Markers still in flight are waited for (up to 60 s): leaving them out would hide the tail.
  const drainUntil = Date.now() + 60_000;
  while (visible.size < acked.size && Date.now() < drainUntil) {
    await lookUp();
    await new Promise((r) => setTimeout(r, 100));
  }
  const unseen = acked.size - visible.size;
  samples.sort((a, b) => a - b);
  const pct = (q: number) => quantile(samples, q);
  const peakRss = Object.fromEntries(
    Object.entries(services).map(([name, pid]) => [name, peakRssMiB(pid)]),
  );
  await producer.disconnect();
  await admin.disconnect();
  const sdk = await sdkLatency(stack.endpoints.kafkaBrokers, stack.endpoints.schemaRegistryUrl);

  console.log(`\n${fmt(N)} events, one process per worker, ${os.cpus().length} cores:`);
  console.log(`  bare kafkajs consume (ceiling)   ${fmt(N / bareSecs)} events/s`);
  console.log(
    `  enrich alone (raw → events, tx)  ${fmt(enrichRate)} events/s, ${enrichCpuUs.toFixed(1)} µs CPU/event in the enrich process`,
  );
  const sinkLine = (label: string, r: typeof sinkJson) =>
    console.log(
      `  sink alone, ${label} ${fmt(r.rate)} rows/s, ${r.cpuUs.toFixed(1)} µs CPU/row in the sink, ${r.clickhouseUs.toFixed(1)} µs in the ClickHouse endpoint`,
    );
  sinkLine('decoding (JSON rows)  ', sinkJson);
  sinkLine('Avro bytes (landing)  ', sinkAvro);
  console.log(
    `  end to end at ~${fmt(sentRate)} events/s offered for ${SECONDS} s: ${fmt(e2eRate)} events/s in ClickHouse; freshness p50 ${fmt(pct(0.5))} ms, p95 ${fmt(pct(0.95))} ms, p99 ${fmt(pct(0.99))} ms (${samples.length} samples${unseen ? `, ${unseen} not visible after 60 s` : ''}, Kafka's ack → visible in ${TABLES.webSessions})`,
  );
  console.log(
    `  CPU per landed event, end to end: ${Object.entries(cpuPerEvent)
      .map(([name, us]) => `${name} ${us.toFixed(1)} µs`)
      .join(', ')}`,
  );
  for (const [name, pools] of Object.entries(threads))
    console.log(
      `    ${name} by thread: ${pools.map(([t, us]) => `${t} ${us.toFixed(1)}`).join(', ')} µs`,
    );
  console.log(
    `  peak RSS: ${Object.entries(peakRss)
      .map(([name, mib]) => `${name} ${fmt(mib)} MiB`)
      .join(', ')}`,
  );
  console.log(
    `  producer SDK at 1,000 events/s: produce() returns in p50 ${sdk.callP50.toFixed(3)} ms, p99 ${sdk.callP99.toFixed(3)} ms; delivered (acks=all) in p50 ${sdk.deliveredP50.toFixed(1)} ms, p99 ${sdk.deliveredP99.toFixed(1)} ms`,
  );
  if (values.json)
    console.log(
      JSON.stringify({
        events: N,
        cores: os.cpus().length,
        bareConsume: N / bareSecs,
        enrich: { rate: enrichRate, cpuUs: enrichCpuUs },
        sinkJson,
        sinkAvro,
        endToEnd: {
          offered: sentRate,
          landed: e2eRate,
          freshnessMs: {
            p50: pct(0.5),
            p95: pct(0.95),
            p99: pct(0.99),
            samples: samples.length,
            unseen,
          },
          cpuUsPerEvent: cpuPerEvent,
          threadCpuUsPerEvent: threads,
        },
        peakRssMiB: peakRss,
        producerSdk: sdk,
      }),
    );
  if (PROFILE) {
    for (const [name, events] of [
      ['enrich', N],
      ['sink-avro', N],
    ] as const) {
      console.log(`\n  where ${name}'s CPU went (self time incl. start-up, µs per event, top 15):`);
      for (const line of profileLines(selfTimes(profileDir(name), REPO_ROOT), events))
        console.log(line);
    }
  }
} finally {
  for (const pid of children) await stopProcess(pid, 10_000).catch(() => undefined);
  await clickhouse.close();
  await downStack(dir);
  rmSync(dir, { recursive: true, force: true });
}
