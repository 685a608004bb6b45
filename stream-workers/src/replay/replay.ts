import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import { STREAM_NAMES, type SchemaRegistryClient, type StreamName } from '@backbone/schemas';
import { MIGRATIONS } from '../clickhouse/migrations.js';
import type { EnrichContext } from '../enrich/enrich.step.js';
import { ident, qualified, type TableNames } from '../clickhouse/raw-tables.js';
import { WorkerMetrics } from '../metrics.js';
import { SessionFinalizer } from '../sessions/session-finalizer.js';
import { SinkWorker } from '../sink/sink.worker.js';
import { catalogTopics, type TopicNamer } from '../topics.js';
import { FAMILIES, familyOf, familyTables, shadowSuffix, type StreamFamily } from './families.js';
import { countRows } from './count.js';
import { HandoverFence } from './handover.js';
import { reenrichInto } from './reenrich.js';
import { ReplayConflictError, RunLedger, type RunState } from './ledger.js';
import {
  parsePosition,
  ReplayInputError,
  resolvePosition,
  topicBounds,
  type TopicOffsets,
} from './positions.js';
import { formatVerification, verify, type Verification } from './verify.js';

/** The shadow differs from live and --force was not given: exit code 4, nothing swapped. */
export class ReplayMismatchError extends Error {
  readonly exitCode = 4;
  constructor(
    message: string,
    readonly verification: Verification,
  ) {
    super(message);
  }
}

export interface ReplayEnv {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  clickhouse: ClickHouseClient;
  database: string;
  logger: Logger;
  /** The live sink's consumer group, whose position the hand-over takes over. */
  liveGroup: string;
  topics?: TopicNamer;
  /** For reenrich: today's enrich step (same secrets as the live worker) and its group. */
  enrich?: { context: EnrichContext; group: string };
  /** Report lines for the operator (stdout). */
  print?: (line: string) => void;
  /** The progress bar (stderr); `\r` updates when interactive. */
  progress?: { write: (s: string) => void; interactive: boolean };
}

export interface ReplayRequest {
  /** A stream family (web, stt) or one of its streams. */
  stream: string;
  mode?: Mode;
  from?: string;
  to?: string;
  dryRun?: boolean;
  force?: boolean;
  resume?: boolean;
  discard?: boolean;
  /** Hand over once this few records are left to read (default 20,000). */
  catchUpRecords?: number;
  /** How long live sinks get to hold their writes. */
  holdTimeoutMs?: number;
  /** A hold not renewed for this long lapses (the replay died before swapping). */
  holdTtlMs?: number;
  /** Rows per shadow insert, and partitions read at once. */
  batchRows?: number;
  /** How long a partition's batch may wait to grow (the hand-over waits for the last one). */
  batchWaitMs?: number;
  concurrency?: number;
  /** Test hook: called as each phase starts (a test kills the process there). */
  onPhase?: (phase: RunState | 'handover' | 'verify') => void | Promise<void>;
}

export interface ReplayOutcome {
  runId: string;
  state: RunState | 'dry-run';
  /** Records read from Kafka and rows copied from the live tables. */
  records: number;
  copied: number;
  seconds: number;
  /** Where the time went, in seconds: reading into the shadow, verifying, the hold, the swap. */
  timings: {
    read: number;
    finalize: number;
    verify: number;
    verifyHeld: number;
    hold: number;
    swap: number;
  };
  verification?: Verification;
}

/** What a run does, kept in replay_runs so a resumed run goes on with the same plan. */
type Mode = 'replay' | 'rebuild-rollups' | 'reenrich';

export interface Plan {
  mode: Mode;
  /** reenrich: the raw.* records to enrich again (to: where live enrich had committed). */
  raw?: { from: Record<string, string>; to: Record<string, string> };
  from: string;
  to: string | undefined;
  /** Per `topic:partition`: Kafka is read from start to end (exclusive; none: to live). */
  start: Record<string, string>;
  end: Record<string, string> | undefined;
  /** Live's committed offsets when the copy from live was made (rows from end on). */
  copiedUntil?: Record<string, string>;
  copied?: number;
  uuids?: Record<string, { live: string; shadow: string }>;
  shadowRows?: Record<string, number>;
  startedAt: number;
}

export function resolveFamily(stream: string): StreamFamily {
  const f =
    FAMILIES[stream] ??
    (STREAM_NAMES.includes(stream as StreamName) ? familyOf(stream as StreamName) : undefined);
  if (!f)
    throw new ReplayInputError(
      `unknown stream "${stream}": one of ${[...new Set([...Object.keys(FAMILIES), ...STREAM_NAMES])].join(', ')}`,
    );
  return f;
}

const offsetsRecord = (m: Map<string, bigint>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, String(v)]));
const splitKey = (key: string) => {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
};

/** Statements of every migration that create one of the family's tables or views, renamed. */
export function shadowStatements(family: StreamFamily, names: TableNames): string[] {
  const tables = new Set(familyTables(family).map((t) => qualified(names, t)));
  return MIGRATIONS.flatMap((m) => m.statements(names)).filter((sql) => {
    const view = / TO (`[^`]+`\.`[^`]+`) AS\n/.exec(sql);
    if (/^CREATE MATERIALIZED VIEW/.test(sql)) return view !== null && tables.has(view[1]!);
    const table = /^CREATE TABLE IF NOT EXISTS (`[^`]+`\.`[^`]+`)/.exec(sql);
    return table !== null && tables.has(table[1]!);
  });
}

/**
 * Rebuilds a stream family's tables from the event log into shadow tables and swaps them in
 * with the live ones, while live ingestion goes on. See stream-workers/README.md § Replay.
 */
export async function runReplay(env: ReplayEnv, req: ReplayRequest): Promise<ReplayOutcome> {
  const started = Date.now();
  const family = resolveFamily(req.stream);
  const mode = req.mode ?? 'replay';
  const topics = env.topics ?? catalogTopics;
  const print = env.print ?? (() => undefined);
  const { clickhouse, database } = env;
  const names: TableNames = { database, suffix: shadowSuffix(family) };
  const replayGroup = `${env.liveGroup}-replay-${family.name}`;
  const ledger = new RunLedger<Plan>(clickhouse, database, family.name);
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const bounds = await Promise.all(
      family.streams.map((s) => topicBounds(admin, topics('events', s), s)),
    );
    const unfinished = await ledger.unfinished();
    if (req.discard) {
      if (!unfinished)
        throw new ReplayInputError(`no unfinished replay of ${family.name} to discard`);
      const lock = await ledger.lock();
      try {
        if (unfinished.state === 'swapping')
          throw new ReplayConflictError(
            `run ${unfinished.runId} was swapping tables when it stopped: finish it with --resume (it cannot be discarded half-swapped)`,
          );
        await new HandoverFence(clickhouse, database, {
          family: family.name,
          runId: unfinished.runId,
        }).release();
        await dropShadow(clickhouse, names);
        await deleteGroup(admin, replayGroup);
        await ledger.set(unfinished.runId, 'discarded', unfinished.detail);
        print(`discarded run ${unfinished.runId}: shadow tables dropped, live tables untouched`);
        return {
          runId: unfinished.runId,
          state: 'discarded',
          records: 0,
          copied: 0,
          seconds: (Date.now() - started) / 1000,
          timings: { ...NO_TIMINGS },
        };
      } finally {
        await lock.release();
      }
    }
    if (unfinished && !req.resume)
      throw new ReplayConflictError(
        `an unfinished replay of ${family.name} exists (run ${unfinished.runId}, ${unfinished.state} since ${unfinished.updatedAt}): --resume to finish it, or --discard to drop its shadow tables`,
      );
    if (req.resume && !unfinished)
      throw new ReplayInputError(`no unfinished replay of ${family.name} to resume`);

    let runId: string;
    let plan: Plan;
    let state: RunState;
    if (unfinished) {
      ({ runId, detail: plan, state } = unfinished);
    } else {
      plan = await makePlan(env, admin, family, mode, req, bounds);
      if (req.dryRun) {
        await describePlan(env, admin, family, plan, bounds, print);
        return {
          runId: '',
          state: 'dry-run',
          records: 0,
          copied: 0,
          seconds: (Date.now() - started) / 1000,
          timings: { ...NO_TIMINGS },
        };
      }
      runId = `${family.name}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${process.pid}`;
      state = 'preparing';
    }
    const lock = await ledger.lock();
    let records = 0;
    let timings = { ...NO_TIMINGS };
    try {
      if (!unfinished) await ledger.set(runId, 'preparing', plan);
      for (;;) {
        await req.onPhase?.(state);
        if (state === 'preparing') {
          await dropShadow(clickhouse, names);
          for (const sql of shadowStatements(family, names))
            await clickhouse.command({ query: sql });
          await deleteGroup(admin, replayGroup);
          for (const t of bounds)
            await admin.setOffsets({
              groupId: replayGroup,
              topic: t.topic,
              partitions: [...t.bounds.keys()].map((p) => ({
                partition: p,
                offset: plan.start[`${t.topic}:${p}`] ?? '0',
              })),
            });
          const live = await committedOffsets(admin, env.liveGroup, bounds);
          plan.copiedUntil = offsetsRecord(live);
          if (plan.mode === 'reenrich') {
            const r = await reenrichInto(
              { ...env, topics, context: env.enrich!.context },
              family,
              names,
              { from: mapOf(plan.raw?.from)!, to: mapOf(plan.raw?.to)! },
              (stream, alias) => {
                const topic = topics('events', stream);
                const t = bounds.find((b) => b.topic === topic)!;
                return (
                  [...t.bounds.keys()]
                    .map(
                      (p) =>
                        `(${alias}_partition = ${p} AND ${alias}_offset < ${live.get(`${topic}:${p}`) ?? 0n})`,
                    )
                    .join(' OR ') || '0'
                );
              },
            );
            print(
              `re-enriched ${r.reenriched} live rows from ${r.read} raw records; ${r.kept} kept as they were (raw record past retention or before --from)`,
            );
            plan.copied = r.reenriched + r.kept;
          } else
            plan.copied = await copyFromLive(
              clickhouse,
              family,
              names,
              plan,
              bounds,
              live,
              undefined,
            );
          state = 'replaying';
          await ledger.set(runId, state, plan);
        } else if (state === 'replaying' || state === 'refused') {
          ({ records, timings } = await replayAndHandOver(env, req, {
            family,
            names,
            plan,
            runId,
            bounds,
            replayGroup,
            ledger,
            admin,
          }));
          state = 'swapped';
        } else if (state === 'swapping') {
          const fence = new HandoverFence(clickhouse, database, { family: family.name, runId });
          await fence.forever();
          await exchange(clickhouse, family, names, plan);
          await ledger.set(runId, 'swapped', plan);
          await fence.release();
          state = 'swapped';
        } else if (state === 'swapped') {
          await dropShadow(clickhouse, names);
          await deleteGroup(admin, replayGroup);
          await ledger.set(runId, 'done', plan);
          state = 'done';
        } else break;
      }
    } finally {
      await lock.release();
    }
    const seconds = (Date.now() - started) / 1000;
    print(
      `run ${runId} done: ${records} records replayed, ${plan.copied ?? 0} rows kept from live, in ${seconds.toFixed(1)} s`,
    );
    return { runId, state, records, copied: plan.copied ?? 0, seconds, timings };
  } finally {
    await admin.disconnect();
  }
}

async function makePlan(
  env: ReplayEnv,
  admin: Admin,
  family: StreamFamily,
  mode: Mode,
  req: ReplayRequest,
  bounds: TopicOffsets[],
): Promise<Plan> {
  if (mode === 'reenrich') {
    if (!env.enrich)
      throw new ReplayInputError('reenrich needs the enrich settings (HASH_KEY, TOKEN_KEY)');
    if (req.to !== undefined) throw new ReplayInputError('--to: reenrich takes --from only');
    const topics = env.topics ?? catalogTopics;
    const raw = await Promise.all(
      family.streams.map((s) => topicBounds(admin, topics('raw', s), s)),
    );
    const fromText = req.from ?? 'earliest';
    const from = await resolvePosition(admin, parsePosition(fromText, '--from'), raw, '--from');
    const to = await committedOffsets(admin, env.enrich.group, raw);
    const zero = Object.fromEntries(
      bounds.flatMap((t) => [...t.bounds.keys()].map((p) => [`${t.topic}:${p}`, '0'])),
    );
    return {
      mode,
      from: fromText,
      to: undefined,
      start: zero,
      end: zero,
      raw: { from: offsetsRecord(from), to: offsetsRecord(to) },
      startedAt: Date.now(),
    };
  }
  if (mode === 'rebuild-rollups') {
    // Nothing is read from Kafka: every row is copied from the live raw table.
    const zero = Object.fromEntries(
      bounds.flatMap((t) => [...t.bounds.keys()].map((p) => [`${t.topic}:${p}`, '0'])),
    );
    return { mode, from: 'live', to: undefined, start: zero, end: zero, startedAt: Date.now() };
  }
  const fromText = req.from ?? 'earliest';
  const start = await resolvePosition(admin, parsePosition(fromText, '--from'), bounds, '--from');
  let end: Map<string, bigint> | undefined;
  if (req.to !== undefined) {
    end = await resolvePosition(admin, parsePosition(req.to, '--to'), bounds, '--to');
    for (const [key, e] of end)
      if (e < start.get(key)!)
        throw new ReplayInputError(
          `--to ${req.to} is before --from ${fromText} (${key}: ${e} < ${start.get(key)})`,
        );
  }
  return {
    mode,
    from: fromText,
    to: req.to,
    start: offsetsRecord(start),
    end: end ? offsetsRecord(end) : undefined,
    startedAt: Date.now(),
  };
}

/** The live group's committed offsets (a partition never committed: its log start). */
async function committedOffsets(
  admin: Admin,
  groupId: string,
  bounds: TopicOffsets[],
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  const fetched = await admin.fetchOffsets({ groupId, topics: bounds.map((b) => b.topic) });
  for (const t of fetched)
    for (const p of t.partitions) {
      const low = bounds.find((b) => b.topic === t.topic)!.bounds.get(p.partition)?.low ?? 0n;
      out.set(`${t.topic}:${p.partition}`, Number(p.offset) < 0 ? low : BigInt(p.offset));
    }
  return out;
}

/** Read from Kafka up to here: the plan's end, and never beyond what live has committed. */
export function limits(plan: Plan, live: Map<string, bigint>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [key, s] of Object.entries(plan.start)) {
    const l = live.get(key) ?? BigInt(s);
    const e = plan.end?.[key] !== undefined ? BigInt(plan.end[key]) : l;
    const lim = l < e ? l : e;
    out.set(key, lim > BigInt(s) ? lim : BigInt(s));
  }
  return out;
}

/**
 * Copies the live rows the plan keeps into the shadow raw tables (their views fill the shadow
 * rollups): offsets before the start, and with an end, offsets from the end up to `until`
 * (from `after` on, when a first copy went before). Offsets are computed, never operator text.
 */
async function copyFromLive(
  clickhouse: ClickHouseClient,
  family: StreamFamily,
  names: TableNames,
  plan: Plan,
  bounds: TopicOffsets[],
  until: Map<string, bigint>,
  after: Map<string, bigint> | undefined,
): Promise<number> {
  let copied = 0;
  for (const i of family.streams.keys()) {
    const t = bounds[i]!;
    const conditions = [...t.bounds.keys()].map((p) => {
      const key = `${t.topic}:${p}`;
      const start = BigInt(plan.start[key] ?? '0');
      const end = plan.end ? BigInt(plan.end[key] ?? '0') : undefined;
      const upTo = until.get(key) ?? 0n;
      const ranges: [bigint, bigint][] = [];
      if (!after) {
        // Everything before the start that live has; with an end, live's rows from it on.
        ranges.push([0n, start]);
        if (end !== undefined) ranges.push([end, upTo]);
      } else {
        // Under the hold: what live wrote since the first copy (live was behind, or the end).
        const since = after.get(key) ?? 0n;
        ranges.push([since, start < upTo ? start : upTo]);
        if (end !== undefined) ranges.push([end > since ? end : since, upTo]);
      }
      const parts = ranges
        .filter(([lo, hi]) => hi > lo)
        .map(([lo, hi]) => `(_offset >= ${lo} AND _offset < ${hi})`);
      return parts.length ? `(_partition = ${p} AND (${parts.join(' OR ')}))` : '';
    });
    const table = family.raw[i]!;
    const columns = await (
      await clickhouse.query({
        query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}
  AND name IN (SELECT name FROM system.columns WHERE database = {db:String} AND table = {s:String})
ORDER BY position`,
        query_params: { db: names.database, t: table, s: table + names.suffix },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    const cols = columns.map((c) => ident(c.name)).join(', ');
    const where = conditions.filter(Boolean).join(' OR ');
    if (!where) continue;
    const n = await countRows(clickhouse, qualified({ ...names, suffix: '' }, table), where);
    if (n === 0) continue;
    await clickhouse.command({
      query: `INSERT INTO ${qualified(names, table)} (${cols})
SELECT ${cols} FROM ${qualified({ ...names, suffix: '' }, table)} WHERE ${where}`,
      clickhouse_settings: { insert_deduplicate: 0, max_partitions_per_insert_block: '0' },
    });
    copied += n;
  }
  return copied;
}

interface RunContext {
  family: StreamFamily;
  names: TableNames;
  plan: Plan;
  runId: string;
  bounds: TopicOffsets[];
  replayGroup: string;
  ledger: RunLedger<Plan>;
  admin: Admin;
}

/** Reads Kafka into the shadow until caught up with live, then hands over and swaps. */
async function replayAndHandOver(
  env: ReplayEnv,
  req: ReplayRequest,
  ctx: RunContext,
): Promise<{ records: number; timings: ReplayOutcome['timings'] }> {
  const began = performance.now();
  const since = (t: number) => (performance.now() - t) / 1000;
  const timings = { ...NO_TIMINGS };
  const { clickhouse, database } = env;
  const { family, names, plan, runId, bounds, replayGroup, ledger, admin } = ctx;
  const print = env.print ?? (() => undefined);
  let lim = limits(plan, await committedOffsets(admin, env.liveGroup, bounds));
  const worker = new SinkWorker({
    kafka: env.kafka,
    registry: env.registry,
    clickhouse,
    database,
    groupId: replayGroup,
    logger: env.logger.child({ module: 'replay-reader' }),
    metrics: new WorkerMetrics({ defaultMetrics: false }),
    streams: family.streams,
    topics: env.topics ?? catalogTopics,
    suffix: names.suffix,
    limit: (topic, partition) => lim.get(`${topic}:${partition}`),
    deadLetter: false,
    maxRows: req.batchRows ?? 100_000,
    // Big inserts: a statement costs the local engine about as much as thousands of rows.
    maxWaitMs: req.batchWaitMs ?? 2000,
    fetchBytesPerPartition: 16 * 1024 * 1024,
    concurrency: req.concurrency ?? 2,
    sessionTimeoutMs: 10_000,
  });
  const progress = new Progress(env.progress);
  const firstPosition = await committedOffsets(admin, replayGroup, bounds);
  const records = (pos: Map<string, bigint>) => {
    let n = 0n;
    for (const [k, v] of pos) n += v - (firstPosition.get(k) ?? v);
    return Number(n);
  };
  const remaining = (pos: Map<string, bigint>) => {
    let n = 0n;
    for (const [k, l] of lim) {
      const p = pos.get(k) ?? BigInt(plan.start[k] ?? '0');
      if (l > p) n += l - p;
    }
    return Number(n);
  };
  const catchUp = req.catchUpRecords ?? 20_000;
  await worker.start();
  let fence: HandoverFence | undefined;
  try {
    // Phase 1: follow live until little is left.
    // The limit moves with live; the check uses the limit the reader has had 500 ms to reach.
    for (;;) {
      await sleep(500);
      const pos = await committedOffsets(admin, replayGroup, bounds);
      progress.update(records(pos), records(pos) + remaining(pos));
      if (remaining(pos) <= catchUp) break;
      lim = limits(plan, await committedOffsets(admin, env.liveGroup, bounds));
    }
    // Sessions that have ended are summarized in the shadow before the hold (it takes a while).
    const finalizing = performance.now();
    if (family.derived.length > 0) await finalizeAll(env, names);
    timings.finalize = since(finalizing);
    // A first verification outside the hold; under it, only the days touched since are read.
    const verifiedUpTo = await committedOffsets(admin, replayGroup, bounds);
    const preVerifying = performance.now();
    const pre = await verify(clickhouse, database, family, names.suffix);
    timings.verify = since(preVerifying);
    // Phase 2: live sinks hold their writes; the shadow reads up to exactly where live stopped.
    await req.onPhase?.('handover');
    const held = performance.now();
    fence = new HandoverFence(clickhouse, database, { family: family.name, runId }, req.holdTtlMs);
    await fence.request();
    await fence.acknowledged(admin, env.liveGroup, req.holdTimeoutMs ?? 30_000);
    env.logger.info({ ms: Math.round(performance.now() - held) }, 'live sinks hold their writes');
    const live = await committedOffsets(admin, env.liveGroup, bounds);
    lim = limits(plan, live);
    worker.setMaxWaitMs(50);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const pos = await committedOffsets(admin, replayGroup, bounds);
      progress.update(records(pos), records(pos) + remaining(pos));
      if (remaining(pos) === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `the replay did not reach live's position within 120 s (${remaining(pos)} records left)`,
        );
      await sleep(100);
    }
    progress.done();
    env.logger.info({ ms: Math.round(performance.now() - held) }, 'shadow at the live position');
    timings.read = since(began) - timings.finalize - timings.verify - since(held);
    const copiedHeld = await copyFromLive(
      clickhouse,
      family,
      names,
      plan,
      bounds,
      live,
      mapOf(plan.copiedUntil) ?? new Map(),
    );
    plan.copied = (plan.copied ?? 0) + copiedHeld;
    // Rows read from Kafka: what the shadow's raw tables hold beyond the copies from live.
    let read = -(plan.copied ?? 0);
    for (const t of family.raw) read += await countRows(clickhouse, qualified(names, t));
    // (Session hours ending since the summaries were made are left to the live finalizer.)
    await req.onPhase?.('verify');
    const verifying = performance.now();
    // Rows copied under the hold may lie below the first verification's offsets: read all again.
    const sinceOffsets = bounds.map(
      (t) =>
        new Map(
          [...t.bounds.keys()].map((p) => [p, verifiedUpTo.get(`${t.topic}:${p}`) ?? 0n] as const),
        ),
    );
    const v = await verify(
      clickhouse,
      database,
      family,
      names.suffix,
      copiedHeld > 0 ? undefined : { before: pre.figures, since: sinceOffsets },
    );
    v.duplicates.push(
      ...pre.duplicates.filter((d) => !v.duplicates.some((x) => x.table === d.table)),
    );
    timings.verifyHeld = since(verifying);
    env.logger.info(
      { ms: Math.round(performance.now() - held), days: v.tables[0]?.days },
      'verified',
    );
    for (const line of formatVerification(v)) print(line);
    if (v.duplicates.length > 0) {
      await fence.release();
      await ledger.set(runId, 'refused', plan);
      throw new ReplayMismatchError(
        'the shadow has a record twice: not swapping, even with --force (discard it with --discard)',
        v,
      );
    }
    if (v.differences.length > 0 && !req.force) {
      await fence.release();
      await ledger.set(runId, 'refused', plan);
      throw new ReplayMismatchError(
        `live and shadow differ on ${v.differences.length} table-days (listed above): not swapping. If that is what the replay is for (damaged tables, changed views), run again with --resume --force; or --discard`,
        v,
      );
    }
    // Phase 3: swap. From here the hold does not expire: a half-done swap is finished by --resume.
    plan.uuids = await uuids(clickhouse, family, names);
    plan.shadowRows = Object.fromEntries(v.tables.map((t) => [t.table, t.shadowRows]));
    await ledger.set(runId, 'swapping', plan);
    await fence.forever();
    await req.onPhase?.('swapping');
    const swapping = performance.now();
    await exchange(clickhouse, family, names, plan);
    timings.swap = since(swapping);
    await ledger.set(runId, 'swapped', plan);
    await fence.release();
    timings.hold = since(held);
    fence = undefined;
    // At its fixed limit the reader has nothing left to write; leaving the group takes seconds.
    await worker.stop();
    print(`swapped ${familyTables(family).length} tables of ${family.name}; live sinks resumed`);
    return { records: read, timings };
  } catch (err) {
    fence?.abandon();
    await worker.stop().catch(() => undefined);
    progress.done();
    throw err;
  }
}

const NO_TIMINGS = { read: 0, finalize: 0, verify: 0, verifyHeld: 0, hold: 0, swap: 0 };

const mapOf = (r: Record<string, string> | undefined) =>
  r ? new Map(Object.entries(r).map(([k, v]) => [k, BigInt(v)])) : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function finalizeAll(env: ReplayEnv, names: TableNames) {
  const finalizer = new SessionFinalizer({
    client: env.clickhouse,
    names,
    logger: env.logger.child({ module: 'replay-finalizer' }),
    maxHoursPerTick: 24 * 7,
  });
  while ((await finalizer.tick()).length > 0);
}

async function uuids(clickhouse: ClickHouseClient, family: StreamFamily, names: TableNames) {
  const rows = await (
    await clickhouse.query({
      query: `SELECT name, toString(uuid) AS uuid FROM system.tables WHERE database = {db:String}`,
      query_params: { db: names.database },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; uuid: string }>();
  const byName = new Map(rows.map((r) => [r.name, r.uuid]));
  return Object.fromEntries(
    familyTables(family).map((t) => [
      t,
      { live: byName.get(t) ?? '', shadow: byName.get(t + names.suffix) ?? '' },
    ]),
  );
}

/**
 * EXCHANGE TABLES per pair. Views route by name, so the live views now feed the rebuilt
 * tables. A pair whose live name already holds the shadow's table (a resumed swap) is skipped.
 */
async function exchange(
  clickhouse: ClickHouseClient,
  family: StreamFamily,
  names: TableNames,
  plan: Plan,
) {
  const now = await uuids(clickhouse, family, names);
  for (const t of familyTables(family)) {
    const recorded = plan.uuids?.[t];
    if (recorded && now[t]?.live === recorded.shadow) continue;
    await clickhouse.command({
      query: `EXCHANGE TABLES ${qualified({ ...names, suffix: '' }, t)} AND ${qualified(names, t)}`,
    });
  }
  // What was verified is what is live now.
  for (const t of family.raw) {
    const expected = plan.shadowRows?.[t];
    if (expected === undefined) continue;
    const n = await countRows(clickhouse, qualified({ ...names, suffix: '' }, t));
    if (n !== expected)
      throw new Error(
        `after the swap ${t} has ${n} rows, the verified shadow had ${expected}; old tables kept as ${t}${names.suffix}`,
      );
  }
}

async function dropShadow(clickhouse: ClickHouseClient, names: TableNames) {
  const rows = await (
    await clickhouse.query({
      query: `SELECT name, engine FROM system.tables WHERE database = {db:String} AND endsWith(name, {suffix:String})`,
      query_params: { db: names.database, suffix: names.suffix },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine: string }>();
  // Views first, so no view is left pointing at a dropped table.
  rows.sort(
    (a, b) => Number(b.engine === 'MaterializedView') - Number(a.engine === 'MaterializedView'),
  );
  for (const r of rows)
    await clickhouse.command({
      query: `DROP ${r.engine === 'MaterializedView' ? 'VIEW' : 'TABLE'} IF EXISTS ${ident(names.database)}.${ident(r.name)} SYNC`,
    });
}

/** Deletes the replay's consumer group; a member of a killed replay lingers until its session ends. */
async function deleteGroup(admin: Admin, groupId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const g = groups[0];
    if (!g || g.state === 'Dead') return;
    if (g.state === 'Empty') {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      return;
    }
    if (Date.now() > deadline)
      throw new ReplayConflictError(
        `consumer group ${groupId} still has members: is another replay reading?`,
      );
    await sleep(500);
  }
}

async function describePlan(
  env: ReplayEnv,
  admin: Admin,
  family: StreamFamily,
  plan: Plan,
  bounds: TopicOffsets[],
  print: (line: string) => void,
) {
  const live = await committedOffsets(admin, env.liveGroup, bounds);
  const lim = limits(plan, live);
  print(
    `dry run: ${plan.mode} of ${family.name} from ${plan.from}${plan.to ? ` to ${plan.to}` : ''}; nothing is changed`,
  );
  let total = 0n;
  const ordered = Object.entries(plan.start).sort(([a], [b]) => {
    const [x, y] = [splitKey(a), splitKey(b)];
    return x.topic.localeCompare(y.topic) || x.partition - y.partition;
  });
  for (const [key, s] of ordered) {
    const { topic, partition } = splitKey(key);
    const n = lim.get(key)! - BigInt(s);
    total += n;
    print(
      `  read ${topic} partition ${partition}: offsets ${s} to ${lim.get(key)} (${n} records, up to the live sink's position)`,
    );
  }
  print(
    `  ${total} records to read (offsets, transaction markers included); rows of the live raw tables outside that range are kept`,
  );
  print(
    `  rebuilds ${familyTables(family).join(', ')} as shadow tables, verifies them against live, then swaps`,
  );
}

/** events done of total, rate and ETA; one line every 2 s when not interactive. */
class Progress {
  private readonly began = Date.now();
  private lastLine = 0;
  constructor(private readonly out?: { write: (s: string) => void; interactive: boolean }) {}

  update(done: number, total: number) {
    if (!this.out) return;
    const secs = (Date.now() - this.began) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const pct = total > 0 ? Math.min(1, done / total) : 1;
    const bar = '#'.repeat(Math.round(pct * 30)).padEnd(30, '.');
    const line = `[${bar}] ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')}/s  ETA ${eta.toFixed(0)} s`;
    if (this.out.interactive) this.out.write(`\r${line}`);
    else if (Date.now() - this.lastLine >= 2000) {
      this.out.write(`${line}\n`);
      this.lastLine = Date.now();
    }
  }

  done() {
    if (this.out?.interactive) this.out.write('\n');
  }
}
