import type { Admin } from 'kafkajs';
import {
  familyTables,
  qualified,
  shadowSuffix,
  type StreamFamily,
  type TableNames,
} from '@backbone/warehouse';
import { catalogTopics, type TopicNamer } from '../topics.js';
import { copyFromLive } from './copy.js';
import { countRows } from './count.js';
import { HandoverFence } from './handover.js';
import { ReplayConflictError, ReplayInputError, ReplayMismatchError } from '../errors.js';
import { RunLedger, type RunState } from './ledger.js';
import {
  committedOffsets,
  describePlan,
  makePlan,
  mapOf,
  offsetsRecord,
  resolveFamily,
  type Plan,
  type ReplayEnv,
  type ReplayOutcome,
  type ReplayRequest,
} from './plan.js';
import { topicBounds, type TopicOffsets } from './positions.js';
import { finalizeAll, ShadowReader } from './read.js';
import { reenrichInto } from './reenrich.js';
import { dropShadow, exchange, uuids } from './swap.js';
import { formatVerification, verify, type Verification } from './verify.js';
import { expectedByErasures } from '../subjects/erasure.js';
import { moduleLogger } from '@backbone/runtime';

export type { ReplayEnv, ReplayOutcome, ReplayRequest } from './plan.js';

/** One run of a family, as the steps below share it. */
interface Run {
  env: ReplayEnv;
  req: ReplayRequest;
  family: StreamFamily;
  names: TableNames;
  topics: TopicNamer;
  replayGroup: string;
  ledger: RunLedger<Plan>;
  admin: Admin;
  bounds: TopicOffsets[];
  print: (line: string) => void;
}

const NO_TIMINGS = { read: 0, finalize: 0, verify: 0, verifyHeld: 0, hold: 0, swap: 0 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const since = (t: number) => (performance.now() - t) / 1000;

/**
 * Rebuilds a stream family's tables from the event log into shadow tables and swaps them in
 * with the live ones, while live ingestion goes on. A run is a ledger of states (preparing →
 * replaying → swapping → swapped → done), so a run that stopped anywhere is resumed where it
 * was. See stream-workers/README.md § Replay.
 */
export async function runReplay(given: ReplayEnv, req: ReplayRequest): Promise<ReplayOutcome> {
  const env = { ...given, logger: moduleLogger(given.logger, 'replay') };
  const started = Date.now();
  const family = resolveFamily(req.stream);
  const topics = env.topics ?? catalogTopics;
  const admin = env.kafka.admin();
  await admin.connect();
  try {
    const run: Run = {
      env,
      req,
      family,
      names: { database: env.database, suffix: shadowSuffix(family) },
      topics,
      replayGroup: `${env.liveGroup}-replay-${family.name}`,
      ledger: new RunLedger<Plan>(env.clickhouse, env.database, family.name),
      admin,
      bounds: await Promise.all(
        family.streams.map((s) => topicBounds(admin, topics('events', s), s)),
      ),
      print: env.print ?? (() => undefined),
    };
    const unfinished = await run.ledger.unfinished();
    const outcome = (runId: string, state: ReplayOutcome['state']): ReplayOutcome => ({
      runId,
      state,
      records: 0,
      copied: 0,
      seconds: (Date.now() - started) / 1000,
      timings: { ...NO_TIMINGS },
    });
    if (req.discard) {
      if (!unfinished)
        throw new ReplayInputError(`no unfinished replay of ${family.name} to discard`);
      await discard(run, unfinished.runId, unfinished.state, unfinished.detail);
      return outcome(unfinished.runId, 'discarded');
    }
    if (unfinished && !req.resume)
      throw new ReplayConflictError(
        `an unfinished replay of ${family.name} exists (run ${unfinished.runId}, ${unfinished.state} since ${unfinished.updatedAt}): --resume to finish it, or --discard to drop its shadow tables`,
      );
    if (req.resume && !unfinished)
      throw new ReplayInputError(`no unfinished replay of ${family.name} to resume`);
    if (unfinished)
      return await drive(run, unfinished.runId, unfinished.detail, unfinished.state, started);
    const plan = await makePlan(env, admin, family, req.mode ?? 'replay', req, run.bounds);
    if (req.dryRun) {
      await describePlan(env, admin, family, plan, run.bounds, run.print);
      return outcome('', 'dry-run');
    }
    const runId = `${family.name}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${process.pid}`;
    return await drive(run, runId, plan, 'preparing', started, true);
  } finally {
    await admin.disconnect();
  }
}

/** Drops the shadow of a run that will not be finished; live tables are untouched. */
async function discard(run: Run, runId: string, state: RunState, plan: Plan): Promise<void> {
  const { env, family, ledger } = run;
  const lock = await ledger.lock();
  try {
    if (state === 'swapping')
      throw new ReplayConflictError(
        `run ${runId} was swapping tables when it stopped: finish it with --resume (it cannot be discarded half-swapped)`,
      );
    await new HandoverFence(env.clickhouse, env.database, { family: family.name, runId }).release();
    await dropShadow(env.clickhouse, run.names);
    await deleteGroup(run.admin, run.replayGroup);
    await ledger.set(runId, 'discarded', plan);
    run.print(`discarded run ${runId}: shadow tables dropped, live tables untouched`);
  } finally {
    await lock.release();
  }
}

/** Steps a run from its state to done, recording each state before going on. */
async function drive(
  run: Run,
  runId: string,
  plan: Plan,
  from: RunState,
  started: number,
  isNew = false,
): Promise<ReplayOutcome> {
  const { env, req, family, names, ledger } = run;
  const lock = await ledger.lock();
  let records = 0;
  let timings = { ...NO_TIMINGS };
  let state = from;
  try {
    if (isNew) await ledger.set(runId, 'preparing', plan);
    for (;;) {
      await req.onPhase?.(state);
      if (state === 'preparing') {
        await prepare(run, plan);
        state = 'replaying';
        await ledger.set(runId, state, plan);
      } else if (state === 'replaying' || state === 'refused') {
        ({ records, timings } = await replayAndHandOver(run, runId, plan));
        state = 'swapped';
      } else if (state === 'swapping') {
        const fence = new HandoverFence(env.clickhouse, env.database, {
          family: family.name,
          runId,
        });
        await fence.forever();
        await exchange(env.clickhouse, family, names, plan);
        await ledger.set(runId, 'swapped', plan);
        await fence.release();
        state = 'swapped';
      } else if (state === 'swapped') {
        await dropShadow(env.clickhouse, names);
        await deleteGroup(run.admin, run.replayGroup);
        await ledger.set(runId, 'done', plan);
        state = 'done';
      } else break;
    }
  } finally {
    await lock.release();
  }
  const seconds = (Date.now() - started) / 1000;
  run.print(
    `run ${runId} done: ${records} records replayed, ${plan.copied ?? 0} rows kept from live, in ${seconds.toFixed(1)} s`,
  );
  return { runId, state, records, copied: plan.copied ?? 0, seconds, timings };
}

/** Fresh shadow tables, the replay group at the plan's start, and what is kept of live. */
async function prepare(run: Run, plan: Plan): Promise<void> {
  const { env, family, names, admin, bounds, replayGroup, topics } = run;
  await dropShadow(env.clickhouse, names);
  for (const sql of family.ddl(names)) await env.clickhouse.command({ query: sql });
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
  if (plan.mode !== 'reenrich') {
    plan.copied = await copyFromLive(env.clickhouse, family, names, plan, bounds, live, undefined);
    return;
  }
  const r = await reenrichInto(
    { ...env, topics, context: env.enrich!.context },
    family,
    names,
    { from: mapOf(plan.raw?.from)!, to: mapOf(plan.raw?.to)! },
    (stream, alias) => {
      const topic = topics('events', stream);
      const t = bounds.find((b) => b.topic === topic)!;
      const below = [...t.bounds.keys()].map(
        (p) =>
          `(${alias}_partition = ${p} AND ${alias}_offset < ${live.get(`${topic}:${p}`) ?? 0n})`,
      );
      return below.join(' OR ') || '0';
    },
  );
  run.print(
    `re-enriched ${r.reenriched} live rows from ${r.read} raw records; ${r.kept} kept as they were (raw record past retention or before --from)`,
  );
  plan.copied = r.reenriched + r.kept;
}

/**
 * Reads Kafka into the shadow until caught up with live; then live sinks hold their writes,
 * the shadow reads up to exactly where live stopped, is verified, and swapped in.
 */
async function replayAndHandOver(
  run: Run,
  runId: string,
  plan: Plan,
): Promise<{ records: number; timings: ReplayOutcome['timings'] }> {
  const began = performance.now();
  const timings = { ...NO_TIMINGS };
  const { env, req, family, names, bounds, admin } = run;
  const reader = new ShadowReader(env, req, { ...run, plan, streams: family.streams });
  await reader.start();
  let fence: HandoverFence | undefined;
  try {
    await reader.follow(req.catchUpRecords ?? 20_000);
    const finalizing = performance.now();
    if (family.derived.length > 0) await finalizeAll(env, names);
    timings.finalize = since(finalizing);
    // A first verification outside the hold; under it, only the days touched since are read.
    const verifiedUpTo = await reader.position();
    const preVerifying = performance.now();
    const pre = await verify(env.clickhouse, env.database, family, names.suffix);
    timings.verify = since(preVerifying);
    await req.onPhase?.('handover');
    const held = performance.now();
    fence = new HandoverFence(
      env.clickhouse,
      env.database,
      { family: family.name, runId },
      req.holdTtlMs,
    );
    await fence.request();
    await fence.acknowledged(admin, env.liveGroup, req.holdTimeoutMs ?? 30_000);
    env.logger.info({ ms: Math.round(since(held) * 1000) }, 'live sinks hold their writes');
    const live = await committedOffsets(admin, env.liveGroup, bounds);
    await reader.reach(live);
    env.logger.info({ ms: Math.round(since(held) * 1000) }, 'shadow at the live position');
    timings.read = since(began) - timings.finalize - timings.verify - since(held);
    const held0 = mapOf(plan.copiedUntil) ?? new Map<string, bigint>();
    const copiedHeld = await copyFromLive(env.clickhouse, family, names, plan, bounds, live, held0);
    plan.copied = (plan.copied ?? 0) + copiedHeld;
    // Rows read from Kafka: what the shadow's raw tables hold beyond the copies from live.
    let read = -(plan.copied ?? 0);
    for (const t of family.raw) read += await countRows(env.clickhouse, qualified(names, t));
    await req.onPhase?.('verify');
    const verifying = performance.now();
    const v = await verifyHeld(run, pre, copiedHeld > 0 ? undefined : verifiedUpTo);
    timings.verifyHeld = since(verifying);
    env.logger.info({ ms: Math.round(since(held) * 1000), days: v.tables[0]?.days }, 'verified');
    for (const line of formatVerification(v)) run.print(line);
    await refuseUnlessSame(run, runId, plan, v, fence);
    timings.swap = await swapIn(run, runId, plan, v, fence);
    timings.hold = since(held);
    fence = undefined;
    // At its fixed bound the reader has nothing left to write; leaving the group takes seconds.
    await reader.stop();
    run.print(
      `swapped ${familyTables(family).length} tables of ${family.name}; live sinks resumed`,
    );
    return { records: read, timings };
  } catch (err) {
    fence?.abandon();
    await reader.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * The verification under the hold: only the days touched since the first one, unless rows
 * were copied under the hold (they may lie below its offsets: then everything again).
 */
async function verifyHeld(
  run: Run,
  pre: Awaited<ReturnType<typeof verify>>,
  verifiedUpTo: Map<string, bigint> | undefined,
): Promise<Verification> {
  const { env, family, names, bounds } = run;
  const sinceOffsets = verifiedUpTo
    ? bounds.map(
        (t) =>
          new Map(
            [...t.bounds.keys()].map(
              (p) => [p, verifiedUpTo.get(`${t.topic}:${p}`) ?? 0n] as const,
            ),
          ),
      )
    : undefined;
  const v = await verify(
    env.clickhouse,
    env.database,
    family,
    names.suffix,
    sinceOffsets ? { before: pre.figures, since: sinceOffsets } : undefined,
  );
  v.duplicates.push(
    ...pre.duplicates.filter((d) => !v.duplicates.some((x) => x.table === d.table)),
  );
  return v;
}

/** A shadow with a record twice is never swapped; one that differs only with --force. */
async function refuseUnlessSame(
  run: Run,
  runId: string,
  plan: Plan,
  v: Verification,
  fence: HandoverFence,
): Promise<void> {
  const refuse = async (message: string) => {
    await fence.release();
    await run.ledger.set(runId, 'refused', plan);
    throw new ReplayMismatchError(message, v);
  };
  if (v.duplicates.length > 0)
    await refuse(
      'the shadow has a record twice: not swapping, even with --force (discard it with --discard)',
    );
  const expected = await expectedByErasures(run.env.clickhouse, run.env.database, run.family, v);
  if (expected > 0)
    run.print(
      `${expected} of the differing table-days are rollups on days an erasure deleted rows from: expected, the shadow leaves the erased rows out`,
    );
  if (v.differences.length > expected && !run.req.force)
    await refuse(
      `live and shadow differ on ${v.differences.length - expected} table-days (listed above): not swapping. If that is what the replay is for (damaged tables, changed views), run again with --resume --force; or --discard`,
    );
}

/** Swaps the verified shadow in. From here the hold does not expire: --resume finishes it. */
async function swapIn(
  run: Run,
  runId: string,
  plan: Plan,
  v: Verification,
  fence: HandoverFence,
): Promise<number> {
  const { env, family, names, ledger } = run;
  plan.uuids = await uuids(env.clickhouse, family, names);
  plan.shadowRows = Object.fromEntries(v.tables.map((t) => [t.table, t.shadowRows]));
  await ledger.set(runId, 'swapping', plan);
  await fence.forever();
  await run.req.onPhase?.('swapping');
  const swapping = performance.now();
  await exchange(env.clickhouse, family, names, plan);
  const seconds = since(swapping);
  await ledger.set(runId, 'swapped', plan);
  await fence.release();
  return seconds;
}

/** Deletes the replay's consumer group; a member of a killed replay lingers until its session ends. */
async function deleteGroup(admin: Admin, groupId: string): Promise<void> {
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
