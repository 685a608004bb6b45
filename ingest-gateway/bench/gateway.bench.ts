/**
 * npm run bench:gateway [-- --seconds 10]
 * A private local stack, the gateway in its own process, autocannon in this one (loopback),
 * and — in the same run — a bare kafkajs producer sending the same events as the ceiling.
 * Prints events/s and latency percentiles; no pass/fail.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import {
  downOnSignal,
  downStack,
  freePort,
  REPO_ROOT,
  spawnDetached,
  stopProcess,
  upStack,
  endpointsEnv,
} from '@backbone/deploy/local';
import { waitFor, kafkaAuth } from '@backbone/runtime';
import { confluentRegistry, StreamSerde } from '@backbone/schemas';
import { createApiKey } from '../src/api-keys.js';
import { mapEvent } from '../src/mapping.js';
import { cpuSeconds, profileLines, selfTimes } from '@backbone/test';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    profile: { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);

const event = (n: number) => ({
  event_id: randomUUID(),
  event_type: 'page_view',
  timestamp: new Date().toISOString(),
  session_id: `bench-session-${n % 500}`,
  anonymous_id: 'a1b2c3',
  properties: { url: `/products/item-${n % 50}`, title: 'A product page' },
  context: {
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120',
    locale: 'en-US',
    timezone: 'UTC',
    referrer: 'https://google.com',
  },
});
const batch = (size: number) =>
  JSON.stringify({
    batch_id: randomUUID(),
    events: Array.from({ length: size }, (_, n) => event(n)),
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
const stack = await upStack({ dataDir: dir, ports: 'auto', redis: 'auto', kafkaHeap: '1g' });
// This process's Kafka clients authenticate as the stack's super user (KAFKA_SASL_*).
Object.assign(process.env, endpointsEnv(stack.endpoints));
downOnSignal(dir);
const e = stack.endpoints;
const { key } = createApiKey(path.join(dir, 'keys.json'), { tenantId: 'bench', source: 'bench' });
const port = await freePort();
const gateway = spawnDetached(
  process.execPath,
  [
    ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'profile')}`] : []),
    '--conditions=source',
    '--import',
    'tsx',
    'ingest-gateway/src/main.ts',
  ],
  {
    cwd: REPO_ROOT,
    logFile: path.join(dir, 'gateway.log'),
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: e.kafkaBrokers,
      SCHEMA_REGISTRY_URL: e.schemaRegistryUrl,
      REDIS_URL: e.redisUrl ?? '',
      API_KEYS_FILE: path.join(dir, 'keys.json'),
      RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
    },
  },
);
const url = `http://127.0.0.1:${port}`;

type Result = autocannon.Result;

/**
 * An open-loop client at an even pace (autocannon's overallRate sends in bursts, and the
 * queueing behind each burst shows up as latency that a steady 10,000 events/s never sees).
 */
async function pacedRun(requestsPerSecond: number, body: string) {
  const latencies: number[] = [];
  let failed = 0;
  const all: Promise<void>[] = [];
  const started = performance.now();
  for (let i = 0; i < requestsPerSecond * SECONDS; i++) {
    const wait = started + (i * 1000) / requestsPerSecond - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    all.push(
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body,
      }).then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 202) latencies.push(performance.now() - t0);
        else failed++;
      }),
    );
  }
  await Promise.all(all);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    failed,
    eventsPerSecond: (perRequest: number) => Math.round((latencies.length * perRequest) / seconds),
    p: (q: number) => (latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(1),
  };
}

/**
 * The gateway's event-loop delay since the last read of /metrics (prom-client's gauges). They
 * measure the interval of a 10 ms timer, so the delay is what lies beyond those 10 ms.
 */
function eventLoopDelay(text: string): string {
  const g = (name: string) =>
    Number(new RegExp(`^gateway_nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(text)?.[1]);
  const ms = (v: number) => `${Math.max(0, v * 1000 - 10).toFixed(1)} ms`;
  return `delay p50 ${ms(g('p50'))}, p99 ${ms(g('p99'))}, max ${ms(g('max'))}`;
}

/** p50 / p99 upper bounds from the gateway's Prometheus histograms (bucket resolution). */
function histogramPercentiles(text: string): { request: string; produce: string } {
  const of = (metric: string, filter: string) => {
    const buckets = [...text.matchAll(new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\d+)`, 'gm'))]
      .filter((m) => (m[1] ?? '').includes(filter))
      .map((m) => ({ le: /le="([^"]+)"/.exec(m[1] ?? '')?.[1] ?? '+Inf', count: Number(m[2]) }));
    const total = buckets.at(-1)?.count ?? 0;
    const at = (p: number) => {
      const b = buckets.find((x) => x.count >= p * total);
      return b ? (b.le === '+Inf' ? '>5 s' : `≤${Number(b.le) * 1000} ms`) : '?';
    };
    return `p50 ${at(0.5)}, p99 ${at(0.99)} (n=${total})`;
  };
  return {
    request: of('gateway_http_request_duration_seconds', 'route="/v1/events"'),
    produce: of('gateway_produce_duration_seconds', ''),
  };
}
const run = (opts: Partial<autocannon.Options>): Promise<Result> =>
  autocannon({
    url: `${url}/v1/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    duration: SECONDS,
    ...opts,
  });

function line(label: string, perRequest: number, r: Result): string {
  const ok = r['2xx'];
  const eps = Math.round((ok * perRequest) / r.duration);
  const l = r.latency;
  return `${label.padEnd(34)} ${String(eps).padStart(8)} events/s  ${String(Math.round(ok / r.duration)).padStart(6)} req/s  p50 ${l.p50} ms  p97.5 ${l.p97_5} ms  p99 ${l.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;
}

try {
  await waitFor(async () => (await fetch(`${url}/ready`)).ok, {
    timeoutMs: 60_000,
    description: 'the gateway to be ready',
  });

  // Ceiling: the same events, mapped and encoded exactly as the gateway does, sent straight to Kafka.
  const serde = await StreamSerde.open(confluentRegistry(e.schemaRegistryUrl), 'raw');
  const producer = new Kafka({
    ...kafkaAuth(),
    clientId: 'bench-ceiling',
    brokers: [e.kafkaBrokers],
    logLevel: logLevel.NOTHING,
  }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const facts = {
    tenantId: 'bench',
    source: 'bench',
    receivedAt: Date.now(),
    ip: '127.0.0.1',
    gpc: false,
    dnt: false,
  };
  const encoded = (count: number) =>
    Array.from({ length: count }, (_, n) => {
      const mapped = mapEvent(event(n), n, facts, {
        maxFutureSkewMs: 300_000,
        maxStringLength: 65_536,
      });
      if (!mapped.ok) throw new Error('bench event invalid');
      return { key: mapped.value.envelope.session_id, value: serde.encode('web', mapped.value) };
    });
  // Throughput ceiling: sends of 1,000 events back to back.
  let sent = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    await producer.send({ topic: 'raw.web.v1', acks: -1, messages: encoded(1000) });
    sent += 1000;
  }
  const ceiling = Math.round(sent / ((performance.now() - started) / 1000));
  // Latency ceiling: 50-event sends paced at 200 a second (10,000 events/s), like the paced
  // gateway run; the two alternate twice, so a broker hiccup shows in both or is seen as one.
  const barePaced = async () => {
    const latencies: number[] = [];
    const inFlight: Promise<void>[] = [];
    const begun = performance.now();
    for (let i = 0; i < SECONDS * 200; i++) {
      const wait = begun + i * 5 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      inFlight.push(
        producer
          .send({ topic: 'raw.web.v1', acks: -1, messages: encoded(50) })
          .then(() => void latencies.push(performance.now() - t0)),
      );
    }
    await Promise.all(inFlight);
    latencies.sort((x, y) => x - y);
    const pct = (q: number) => Math.round(latencies[Math.floor(q * (latencies.length - 1))] ?? 0);
    return `${String(Math.round((latencies.length * 50) / SECONDS)).padStart(8)} events/s  p50 ${pct(0.5)} ms  p97.5 ${pct(0.975)} ms  p99 ${pct(0.99)} ms`;
  };

  // Warm the gateway up (JIT, connections) before measuring.
  await autocannon({
    url: `${url}/v1/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    duration: 3,
    connections: 8,
    body: batch(50),
  });
  const metricsText = async () => (await fetch(`${url}/metrics`)).text();
  const rounds: {
    bare: string;
    paced: Awaited<ReturnType<typeof pacedRun>>;
    loop: string;
    cpuUs: number;
  }[] = [];
  for (let round = 0; round < 2; round++) {
    const bare = await barePaced();
    await metricsText(); // prom-client restarts its event-loop delay histogram on each read
    const cpu0 = cpuSeconds(gateway.pid);
    const paced = await pacedRun(200, batch(50));
    const cpuUs = ((cpuSeconds(gateway.pid) - cpu0) * 1e6) / (paced.eventsPerSecond(50) * SECONDS);
    rounds.push({ bare, paced, loop: eventLoopDelay(await metricsText()), cpuUs });
  }
  await producer.disconnect();
  const serverSide = histogramPercentiles(await metricsText());
  const batched = await run({ connections: 32, body: batch(50) });
  const single = await run({ connections: 64, body: batch(1) });

  console.log(
    `\ngateway benchmark, ${SECONDS} s per run, ${os.cpus().length} cores, Kafka ${'4.3.1'} on the same machine`,
  );
  console.log(
    `${'ceiling: bare kafkajs, sends of 1000'.padEnd(34)} ${String(ceiling).padStart(8)} events/s`,
  );
  console.log(line('gateway, batches of 50, 32 conns', 50, batched));
  console.log(line('gateway, single events, 64 conns', 1, single));
  rounds.forEach(({ bare, paced, loop, cpuUs }, i) => {
    console.log(`${`ceiling: bare kafkajs, 200×50/s #${i + 1}`.padEnd(34)} ${bare}`);
    console.log(
      `${`gateway, 10,000 events/s #${i + 1}`.padEnd(34)} ${String(paced.eventsPerSecond(50)).padStart(8)} events/s  p50 ${paced.p(0.5)} ms  p95 ${paced.p(0.95)} ms  p99 ${paced.p(0.99)} ms  non-2xx ${paced.failed}; ${cpuUs.toFixed(1)} µs CPU/event; event loop ${loop}`,
    );
  });
  console.log(
    `  inside the gateway at 10,000 events/s: request ${serverSide.request}; Kafka produce ${serverSide.produce}`,
  );
  if (values.profile) {
    const accepted = [
      ...(await metricsText()).matchAll(
        /^gateway_events_total\{[^}]*outcome="accepted"[^}]*\} (\d+)/gm,
      ),
    ].reduce((n, m) => n + Number(m[1]), 0);
    await stopProcess(gateway.pid, 30_000); // writes its profile
    console.log(
      `\n  where the gateway's CPU went (self time incl. start-up, µs per accepted event):`,
    );
    for (const l of profileLines(selfTimes(path.join(dir, 'profile'), REPO_ROOT), accepted))
      console.log(l);
  }
} finally {
  await stopProcess(gateway.pid);
  await downStack(dir, { purge: true });
  rmSync(dir, { recursive: true, force: true });
}
