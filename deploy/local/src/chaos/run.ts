import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { createApiKey } from '@backbone/ingest-gateway';
import { kafkaAuth } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import { migrateWarehouse } from '../services/workers.js';
import { Simulator } from '../simulator/simulator.js';
import { downStack, upStack, type StackOptions } from '../stack/stack.js';
import { serviceEnv, type Endpoints, type StackState } from '../stack/state.js';
import { auditRollups, auditStreams, landed, type RollupAudit, type StreamAudit } from './audit.js';
import { Ledger } from './ledger.js';
import { TcpProxy } from './proxy.js';
import { planFaults, type FaultKind, type PlannedFault } from './schedule.js';
import { SdkLane, type SdkLaneStats } from './sdk.js';
import { ChaosServices, rssMiB } from './services.js';

export interface ChaosOptions {
  /** Events a second the simulator offers. */
  rate: number;
  /** Events a second tracked through the HTTP SDK besides (default: a tenth of rate). */
  sdkRate?: number;
  /** The SDK's cap on events it holds (default 2,000). */
  sdkMaxQueue?: number;
  durationMs: number;
  seed: number;
  faults: readonly FaultKind[];
  outageMs: number;
  stallMs: number;
  /** How long to wait, after the traffic, for every accepted event to land. */
  drainMs?: number;
  /** Keep the stack's directory (logs) instead of removing it. */
  keep?: boolean;
  log: (line: string) => void;
}

/** A fault as it happened. Times are ms after the traffic began. */
export interface FaultOutcome extends PlannedFault {
  /** When its cause was removed (the process started again, the proxy open again). */
  healedAt: number;
  /** From healedAt until an event accepted after it was in ClickHouse (undefined: never). */
  recoveryMs: number | undefined;
  /** The gateway's answers while the fault lasted and until recovery, by status. */
  answers: Record<string, number>;
  /** Peak RSS of each service over the same window, MiB. */
  peakRss: Record<string, number>;
}

export interface ChaosReport {
  rate: number;
  durationMs: number;
  seed: number;
  dataDir: string;
  sent: { events: number; requests: number; retried: number };
  sdk: SdkLaneStats;
  streams: StreamAudit[];
  rollups: RollupAudit[];
  faults: FaultOutcome[];
  peakRss: Record<string, number>;
  drained: boolean;
  ok: boolean;
}

const TENANT = 'chaos';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the backbone on a private stack under traffic and faults, then counts everything. */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'backbone-chaos-'));
  const stackOptions: StackOptions = { dataDir, ports: 'auto', redis: 'auto', redisDb: 7 };
  o.log(`chaos: starting a private stack in ${dataDir}`);
  const stack = await upStack(stackOptions);
  const e = stack.endpoints;
  // The simulator's ids repeat for a seed: the last run's deduplication claims must go.
  if (e.redisUrl) {
    const redis = new Redis(e.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    await redis.flushdb();
    redis.disconnect();
  }
  // Restarts reuse the ports the services were configured with.
  const fixed: StackOptions = {
    ...stackOptions,
    ports: {
      kafka: stack.kafka.port,
      kafkaController: stack.kafka.controllerPort,
      clickhouse: stack.clickhouse.port,
      registry: stack.registry.port,
    },
  };
  const ch = new URL(e.clickhouseUrl);
  const chProxy = await TcpProxy.start({ host: ch.hostname, port: Number(ch.port) });
  const redis = e.redisUrl ? new URL(e.redisUrl) : undefined;
  const redisProxy = redis
    ? await TcpProxy.start({ host: redis.hostname, port: Number(redis.port || 6379) })
    : undefined;
  const through = (u: URL, port: number) => Object.assign(new URL(u), { port: String(port) });
  const clickhouse = createClient({
    url: e.clickhouseUrl,
    username: e.clickhouseUser,
    password: e.clickhousePassword,
  });
  const admin = new kafkajs.Kafka({
    ...kafkaAuth(serviceEnv(e, 'admin')),
    brokers: e.kafkaBrokers.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  const services = new ChaosServices(
    dataDir,
    e,
    {
      clickhouseUrl: through(ch, chProxy.port).toString().replace(/\/$/, ''),
      redisUrl: redis && redisProxy ? through(redis, redisProxy.port).toString() : '',
    },
    o.log,
  );
  try {
    await migrateWarehouse({
      dataDir,
      clickhouse: { url: e.clickhouseUrl, user: e.clickhouseUser, password: e.clickhousePassword },
      kafkaBrokers: e.kafkaBrokers,
      schemaRegistryUrl: e.schemaRegistryUrl,
      kafkaEnv: serviceEnv(e, 'admin'),
    });
    const keysFile = path.join(dataDir, 'api-keys.json');
    const { key } = createApiKey(keysFile, { tenantId: TENANT, source: 'chaos' });
    const sdkKey = createApiKey(keysFile, { tenantId: TENANT, source: 'chaos-sdk' }).key;
    await services.startAll(keysFile);
    await admin.connect();
    o.log(`chaos: backbone up (${services.names.join(', ')}); ${o.rate} events/s`);
    const run = { dataDir, e, stack, fixed, chProxy, redisProxy, clickhouse, admin, services };
    return await drive(o, { ...run, key, sdkKey });
  } finally {
    await services.stopAll();
    await admin.disconnect().catch(() => undefined);
    await clickhouse.close();
    await chProxy.close();
    await redisProxy?.close();
    if (!o.keep) await downStack(dataDir, { purge: true });
    else await downStack(dataDir);
  }
}

interface Run {
  dataDir: string;
  e: Endpoints;
  stack: StackState;
  fixed: StackOptions;
  chProxy: TcpProxy;
  redisProxy: TcpProxy | undefined;
  clickhouse: ClickHouseClient;
  admin: kafkajs.Admin;
  services: ChaosServices;
  key: string;
  sdkKey: string;
}

/** Traffic, faults on their schedule, the drain, the audit. */
async function drive(o: ChaosOptions, r: Run): Promise<ChaosReport> {
  const ledger = new Ledger();
  const simulator = new Simulator({
    url: `${r.services.url('gateway')}/v1/events`,
    apiKey: r.key,
    rate: o.rate,
    seed: o.seed,
    tickMs: 500,
    observe: (events, status, refused) => ledger.observe(events, status, refused),
  });
  const sdk = new SdkLane({
    url: `${r.services.url('gateway')}/v1/events`,
    apiKey: r.sdkKey,
    rate: o.sdkRate ?? Math.max(10, Math.round(o.rate / 10)),
    maxQueue: o.sdkMaxQueue ?? 2000,
    seed: o.seed + 1,
    ledger,
  });
  const rss = new Map<string, [number, number][]>();
  const sampler = setInterval(() => {
    const now = Date.now();
    for (const name of r.services.names) {
      const mib = rssMiB(r.services.pid(name));
      if (mib > 0) rss.set(name, [...(rss.get(name) ?? []), [now, mib]]);
    }
  }, 1000);
  const peak = (from = 0, to = Infinity) =>
    Object.fromEntries(
      [...rss].map(([n, s]) => [
        n,
        Math.round(Math.max(0, ...s.filter(([t]) => t >= from && t <= to).map(([, m]) => m))),
      ]),
    );
  const kinds = o.faults.filter((k) => k !== 'redis-down' || r.redisProxy);
  const plan = planFaults({ ...o, kinds });
  const start = Date.now();
  simulator.start();
  sdk.start();
  const heals: Promise<number>[] = [];
  const outcomes = plan.map(async (f, i) => {
    let healed!: (at: number) => void;
    heals[i] = new Promise<number>((r) => (healed = r));
    await sleep(f.at);
    o.log(`chaos: +${((Date.now() - start) / 1000).toFixed(0)} s ${f.kind}`);
    const startedAt = Date.now();
    const heal = await inject(f.kind, r, o.log);
    await sleep(f.holdMs);
    await heal();
    const healedAt = Date.now();
    healed(healedAt);
    const recovered = await recovery(r, ledger, healedAt, o.drainMs ?? 300_000);
    const until = recovered ?? Date.now();
    o.log(
      `chaos: ${f.kind} healed; ${recovered === undefined ? 'no recovery' : `recovered in ${((recovered - healedAt) / 1000).toFixed(1)} s`}`,
    );
    return {
      ...f,
      healedAt: healedAt - start,
      recoveryMs: recovered === undefined ? undefined : recovered - healedAt,
      answers: Object.fromEntries(ledger.statusesBetween(startedAt, until)),
      peakRss: peak(startedAt, until),
    } satisfies FaultOutcome;
  });
  await sleep(o.durationMs);
  // Traffic goes on until every fault is healed and a while after, so each recovery shows.
  const lastHeal = Math.max(0, ...(await Promise.all(heals)));
  await sleep(Math.max(0, lastHeal + 20_000 - Date.now()));
  const [sdkStats] = await Promise.all([sdk.stop(), simulator.stop()]);
  const durationMs = Date.now() - start;
  const faults = await Promise.all(outcomes);
  o.log(`chaos: traffic over (${ledger.total} events accepted); waiting for them to land`);
  const drained = await drain(r, ledger, o.drainMs ?? 300_000);
  clearInterval(sampler);
  const streams = await auditStreams({ ...r, database: 'analytics', tenant: TENANT, ledger });
  const rollups = await auditRollups(r.clickhouse, 'analytics');
  const ok =
    drained &&
    streams.every((s) => s.lost.length === 0 && s.doubled.length === 0) &&
    rollups.every((x) => x.stored === x.fromRaw) &&
    faults.every((f) => f.recoveryMs !== undefined) &&
    sdkStats.peakQueued <= sdkStats.maxQueue &&
    sdkStats.leftOver === 0;
  return {
    ...{ rate: o.rate, durationMs, seed: o.seed, dataDir: r.dataDir },
    sent: {
      events: simulator.stats.sent,
      requests: simulator.stats.requests,
      retried: simulator.stats.retried,
    },
    sdk: sdkStats,
    ...{ streams, rollups, faults, peakRss: peak(), drained, ok },
  };
}

let stackLock: Promise<unknown> = Promise.resolve();
/** upStack starts what is not running; two restarts at once go one after the other. */
const restartStack = (r: Run) => (stackLock = stackLock.then(() => upStack(r.fixed)));

/** Starts a fault; resolves to what heals it. */
async function inject(
  kind: FaultKind,
  r: Run,
  log: (line: string) => void,
): Promise<() => unknown> {
  // The healing starts the process again; it comes up on its own time, as under a supervisor.
  const restart = (name: string) => () => void r.services.restart(name);
  switch (kind) {
    case 'enrich-kill':
      r.services.kill('enrich-0');
      return restart('enrich-0');
    case 'sink-kill-insert': {
      const until = Date.now() + 15_000;
      while (!r.chProxy.busy && Date.now() < until) await sleep(2);
      if (!r.chProxy.busy) log('chaos: no insert under way within 15 s; killing the sink anyway');
      r.services.kill('sink');
      return restart('sink');
    }
    case 'gateway-restart':
      r.services.kill('gateway');
      return restart('gateway');
    case 'broker-restart':
    case 'broker-down':
      process.kill(r.stack.kafka.pid, 'SIGKILL');
      return () => restartStack(r);
    case 'registry-restart':
      process.kill(r.stack.registry.pid, 'SIGKILL');
      return () => restartStack(r);
    case 'clickhouse-down':
      r.chProxy.setCut(true);
      return () => r.chProxy.setCut(false);
    case 'redis-down':
      r.redisProxy?.setCut(true);
      return () => r.redisProxy?.setCut(false);
    case 'sink-stall':
      r.chProxy.setStalled(true);
      return () => r.chProxy.setStalled(false);
  }
}

/** When the first web event accepted after `healedAt` is in ClickHouse (undefined: not in time). */
async function recovery(
  r: Run,
  ledger: Ledger,
  healedAt: number,
  timeoutMs: number,
): Promise<number | undefined> {
  const id = await Promise.race([ledger.firstAcceptedAfter(healedAt), sleep(timeoutMs)]);
  if (typeof id !== 'string') return undefined;
  while (Date.now() < healedAt + timeoutMs) {
    const [row] = await (
      await r.clickhouse.query({
        query: `SELECT count() AS n FROM analytics.web_events WHERE event_id = {id:String}`,
        query_params: { id },
        format: 'JSONEachRow',
      })
    )
      .json<{ n: string }>()
      .catch(() => [{ n: '0' }]);
    if (Number(row?.n) > 0) return Date.now();
    await sleep(250);
  }
  return undefined;
}

/** Waits until every stream holds as many distinct events as were accepted, then a moment more. */
async function drain(r: Run, ledger: Ledger, timeoutMs: number): Promise<boolean> {
  const streams = [...ledger.accepted.keys()] as StreamName[];
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const now = await landed(r.clickhouse, 'analytics', TENANT, streams).catch(() => undefined);
    if (now && streams.every((s) => (now.get(s) ?? 0) >= ledger.accepted.get(s)!.size)) {
      await sleep(5_000); // a copy written late arrives after the last missing event
      return true;
    }
    await sleep(1_000);
  }
  return false;
}
