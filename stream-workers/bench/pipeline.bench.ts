/**
 * npm run bench:pipeline [-- --events 2000000 --rate 10000 --seconds 60 --sustain --json --profile]
 * On a private local stack: pre-load N web events on raw.web.v1, then
 *  1. the ceiling: a bare kafkajs consumer reading them (no decode, no work);
 *  2. enrich alone (its own process): events/s, transactions included, timed from when it
 *     holds its partitions;
 *  3. the sink alone (its own process) over what enrich wrote: rows/s, timed the same way;
 *  4. both together at a steady offered rate: rows/s landing in ClickHouse, freshness of
 *     marker events (Kafka's ack → visible in a rollup, web_sessions) p50/p95/p99, CPU µs per
 *     landed event of every process (enrich, sink, ClickHouse endpoint, broker, registry) and
 *     of each process's thread pools (JIT compilers, merges, request handlers), peak RSS;
 *  5. the producer SDK at 1,000 events/s: how long produce() holds the caller, and delivery.
 * With --sustain, then the highest rate at which the workers' lag stays bounded for --seconds
 * (bisection below the offered rate, three steps of --seconds each).
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
  downOnSignal,
  downStack,
  endpointsEnv,
  isAlive,
  REPO_ROOT,
  spawnDetached,
  stopProcess,
  upStack,
} from '@backbone/deploy/local';
import { waitFor, kafkaAuth } from '@backbone/runtime';
import { confluentRegistry, StreamSerde, topicName } from '@backbone/schemas';
import { cpuSeconds, peakRssMiB, profileLines, selfTimes } from '@backbone/test';
import { benchWebEvent as event } from './web-events.js';
import { sdkLatency } from './sdk-latency.js';
import { steadyRun, totalLag, type SteadyResult } from './steady.js';
import { tracingCost } from './tracing.js';
import { TABLES } from '@backbone/warehouse/tables';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    profile: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    sustain: { type: 'boolean', default: false },
  },
});
const PROFILE = values.profile;
const N = Number(values.events);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '1g' });
// This process's Kafka clients authenticate as the stack's super user (KAFKA_SASL_*).
Object.assign(process.env, endpointsEnv(stack.endpoints));
downOnSignal(dir);
const env = endpointsEnv(stack.endpoints);
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
  const m = run(`migrate-${database}`, 'stream-workers/src/migrate.main.ts', {
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
      // Each record as a traced gateway sends it: its own sampled trace (§ 6 compares).
      const traceparent = `00-${randomUUID().replaceAll('-', '')}-${randomUUID().slice(0, 18).replaceAll('-', '')}-01`;
      return {
        key: e.envelope.session_id,
        value: serde.encode('web', e),
        headers: { traceparent },
      };
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
    SUBJECT_MASTER_KEYS: 'bench:bench-master-key-0123456789',
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
  const sinkAlone = async (database: string, format: 'json' | 'avro', rowsPerInsert = 50_000) => {
    if (database !== 'analytics') await migrateInto(database);
    const name = rowsPerInsert === 50_000 ? `sink-${format}` : `sink-${format}-${rowsPerInsert}`;
    const sinkEnv = {
      CLICKHOUSE_DATABASE: database,
      GROUP_ID: name,
      SINK_INSERT_FORMAT: format,
      BATCH_MAX_ROWS: String(rowsPerInsert),
      SESSION_FINALIZE_INTERVAL_MS: '0',
    };
    const live = database === 'analytics'; // the end-to-end phase's sink
    const profiled = PROFILE && live;
    const sink = run(name, 'stream-workers/src/sink.main.ts', sinkEnv, profiled);
    // The clock starts once the sink holds its partitions, before its first fetch: a first
    // insert can carry most of the rows, so waiting for rows to appear would miss them.
    await waitFor(async () => (await groupState(name)) === 'Stable', {
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
    if (!live || profiled) await stopProcess(sink.pid, 30_000);
    // The end-to-end phase needs a live sink of the analytics database (unprofiled).
    if (live)
      e2eSink = profiled
        ? run('sink-e2e', 'stream-workers/src/sink.main.ts', sinkEnv).pid
        : sink.pid;
    return out;
  };
  const sinkJson = await sinkAlone('analytics_json', 'json');
  const sinkAvro = await sinkAlone('analytics', 'avro');
  // The same with inserts of 600 rows (about one partition's second at 4,000 events/s): the
  // difference is ClickHouse's fixed cost per insert (views, parts, deduplication log).
  const sinkSmall = await sinkAlone('analytics_small', 'avro', 600);

  // 4. Both together at a steady rate (steady.ts), then, with --sustain, the highest rate at
  // which the workers' lag stays bounded for SECONDS (bisection, three steps).
  const services = {
    enrich: enrich.pid,
    sink: e2eSink,
    clickhouse: stack.clickhouse.pid,
    broker: stack.kafka.pid,
    registry: stack.registry.pid,
  };
  const ctx = {
    producer,
    serde,
    clickhouse,
    admin,
    raw,
    groups: { 'backbone-enrich': raw, 'sink-avro': topicName('events', 'web') },
    services,
  };
  const settle = () =>
    waitFor(async () => (await totalLag(ctx)) < 1000, {
      timeoutMs: 300_000,
      intervalMs: 1000,
      description: 'the workers to catch up',
    });
  const steady = await steadyRun(ctx, RATE, SECONDS);
  const bounded = (r: SteadyResult) =>
    // Bounded: over the run's second half the lag grew by less than a second of traffic.
    r.lagGrowth * (SECONDS / 2) <= Math.max(r.rate, 1000) && r.freshness.unseen === 0;
  let sustained: SteadyResult | undefined = bounded(steady) ? steady : undefined;
  if (values.sustain) {
    let [lo, hi] = [0, RATE];
    let rate = Math.max(500, Math.round((steady.landed * 0.9) / 250) * 250);
    for (let step = 0; step < 3 && rate > lo && rate < hi; step++) {
      await settle();
      const r = await steadyRun(ctx, rate, SECONDS);
      console.log(
        `  (sustain search: ${fmt(rate)}/s offered, lag growing ${fmt(r.lagGrowth)}/s: ${bounded(r) ? 'bounded' : 'not bounded'})`,
      );
      if (bounded(r)) [lo, sustained] = [rate, r.rate > (sustained?.rate ?? 0) ? r : sustained];
      else hi = rate;
      rate = Math.round((lo + hi) / 2 / 250) * 250;
    }
  }
  const peakRss = Object.fromEntries(
    Object.entries(services).map(([name, pid]) => [name, peakRssMiB(pid)]),
  );
  // 6. Tracing off and on, side by side (tracing.ts): the end-to-end workers stop first.
  for (const pid of [services.enrich, services.sink]) await stopProcess(pid, 30_000);
  const traced = await tracingCost({
    n: N,
    env: enrichEnv,
    run: (name, extra) => run(name, 'stream-workers/src/enrich.main.ts', extra),
    stop: async (pid) => void (await stopProcess(pid, 30_000)),
    stable: async (groupId) => (await groupState(groupId)) === 'Stable',
    committed: (groupId) => committed(groupId, raw),
  });
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
  sinkLine('Avro, 600-row inserts ', sinkSmall);
  console.log(
    `  ClickHouse's fixed cost per insert: ~${((sinkSmall.clickhouseUs - sinkAvro.clickhouseUs) * 0.6).toFixed(1)} ms of CPU`,
  );
  const report = (label: string, r: SteadyResult) => {
    const f = r.freshness;
    console.log(
      `  ${label} ~${fmt(r.offered)} events/s offered for ${SECONDS} s: ${fmt(r.landed)} events/s in ClickHouse, lag growing ${fmt(r.lagGrowth)}/s; freshness p50 ${fmt(f.p50)} ms, p95 ${fmt(f.p95)} ms, p99 ${fmt(f.p99)} ms (${f.samples} samples${f.unseen ? `, ${f.unseen} not visible after 60 s` : ''}, Kafka's ack → visible in ${TABLES.webSessions})`,
    );
    console.log(
      `    CPU per landed event: ${Object.entries(r.cpuUsPerEvent)
        .map(([name, us]) => `${name} ${us.toFixed(1)} µs`)
        .join(', ')}`,
    );
    for (const [name, pools] of Object.entries(r.threadCpuUsPerEvent))
      console.log(
        `      ${name} by thread: ${pools.map(([t, us]) => `${t} ${us.toFixed(1)}`).join(', ')} µs`,
      );
  };
  report('end to end at', steady);
  if (sustained && sustained !== steady) report('highest sustained:', sustained);
  else if (!sustained)
    console.log(
      values.sustain
        ? '  highest sustained rate: none of the rates tried kept the lag bounded'
        : '  the offered rate is not sustained (lag grows); --sustain searches for the highest that is',
    );
  console.log(
    `  tracing, enrich alone side by side: off ${fmt(traced.off.rate)} events/s, ${traced.off.cpuUs.toFixed(1)} µs CPU/event; on (every record sampled, OTLP/HTTP export) ${fmt(traced.on.rate)} events/s, ${traced.on.cpuUs.toFixed(1)} µs CPU/event (+${(traced.on.cpuUs - traced.off.cpuUs).toFixed(1)} µs), ${fmt(traced.on.spans)} spans exported`,
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
        sinkSmall,
        endToEnd: steady,
        tracing: traced,
        sustained: sustained ?? null,
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
