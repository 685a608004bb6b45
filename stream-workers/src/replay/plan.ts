import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import { STREAM_NAMES, type SchemaRegistryClient, type StreamName } from '@backbone/schemas';
import { FAMILIES, familyOf, familyTables, type StreamFamily } from '@backbone/warehouse';
import type { EnrichContext } from '../enrich/enrich.step.js';
import { catalogTopics, type TopicNamer } from '../topics.js';
import type { RunState } from './ledger.js';
import { ReplayInputError } from '../errors.js';
import { parsePosition, resolvePosition, topicBounds, type TopicOffsets } from './positions.js';
import type { Verification } from './verify.js';
import type { TextKeys } from '../subjects/store.js';

export interface ReplayEnv {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  clickhouse: ClickHouseClient;
  database: string;
  logger: Logger;
  /** The live sink's consumer group, whose position the hand-over takes over. */
  liveGroup: string;
  /** The registry as ClickHouse reaches it: the replay's sink sends bytes (see SinkWorker). */
  clickhouseRegistryUrl?: string | undefined;
  topics?: TopicNamer;
  /** The subject keys, for transcript text encrypted with them (as the live sink has them). */
  texts?: TextKeys;
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
export type Mode = 'replay' | 'rebuild-rollups' | 'reenrich';

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

export const offsetsRecord = (m: Map<string, bigint>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, String(v)]));
export const splitKey = (key: string) => {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
};

export const mapOf = (r: Record<string, string> | undefined) =>
  r ? new Map(Object.entries(r).map(([k, v]) => [k, BigInt(v)])) : undefined;

/** The plan of a new run: what to read from Kafka, and what to keep of live. */
export async function makePlan(
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
export async function committedOffsets(
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

/** What a dry run prints: the plan, nothing changed. */
export async function describePlan(
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
