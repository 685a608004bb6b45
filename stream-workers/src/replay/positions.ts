import type { Admin } from 'kafkajs';

import { ReplayInputError } from '../errors.js';

export type Position =
  | { kind: 'earliest' }
  | { kind: 'time'; at: Date }
  /** Offsets per partition; `stream` names the topic when the family has several. */
  | {
      kind: 'offsets';
      offsets: { stream: string | undefined; partition: number; offset: bigint }[];
    };

/** `earliest`, an ISO time, or offsets: `0:1200,1:980` (or `stt.session@0:12,…`). */
export function parsePosition(text: string, option: string): Position {
  const t = text.trim();
  if (t === 'earliest') return { kind: 'earliest' };
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const at = new Date(t);
    if (Number.isNaN(at.getTime()))
      throw new ReplayInputError(
        `${option} ${t}: not a time (ISO 8601, e.g. 2026-11-30T12:00:00Z)`,
      );
    return { kind: 'time', at };
  }
  const offsets = t.split(',').map((part) => {
    const m = /^(?:([\w.-]+)@)?(\d+):(\d+)$/.exec(part.trim());
    if (!m)
      throw new ReplayInputError(
        `${option} ${t}: expected earliest, an ISO time, or offsets as partition:offset[,…] (got "${part}")`,
      );
    return { stream: m[1], partition: Number(m[2]), offset: BigInt(m[3]!) };
  });
  return { kind: 'offsets', offsets };
}

export interface TopicOffsets {
  topic: string;
  stream: string;
  /** Partition → [log start, high-water mark). */
  bounds: Map<number, { low: bigint; high: bigint }>;
}

export async function topicBounds(
  admin: Admin,
  topic: string,
  stream: string,
): Promise<TopicOffsets> {
  const offsets = await admin.fetchTopicOffsets(topic).catch((err: Error) => {
    throw new ReplayInputError(`topic ${topic} cannot be read: ${err.message}`);
  });
  return {
    topic,
    stream,
    bounds: new Map(
      offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]),
    ),
  };
}

/**
 * A position as one offset per partition of each topic, checked against what the topics
 * hold: a time before the earliest retained record (when retention has deleted some) and
 * offsets outside [log start, high-water mark] are refused, naming topic and partition.
 */
export async function resolvePosition(
  admin: Admin,
  position: Position,
  topics: TopicOffsets[],
  option: string,
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  for (const t of topics) {
    if (position.kind === 'earliest') {
      for (const [p, b] of t.bounds) out.set(`${t.topic}:${p}`, b.low);
    } else if (position.kind === 'time') {
      const found = await admin.fetchTopicOffsetsByTimestamp(t.topic, position.at.getTime());
      for (const f of found) {
        const b = t.bounds.get(f.partition)!;
        const offset = BigInt(f.offset) < 0n ? b.high : BigInt(f.offset);
        if (b.low > 0n && offset <= b.low && b.high > b.low)
          throw new ReplayInputError(
            `${option} ${position.at.toISOString()} is before the earliest event still in ${t.topic} partition ${f.partition} (it starts at offset ${b.low}; older records were deleted by retention). Use ${option} earliest to replay what is left, or a later time.`,
          );
        out.set(`${t.topic}:${f.partition}`, offset);
      }
    } else {
      for (const [p, b] of t.bounds) out.set(`${t.topic}:${p}`, b.low);
      for (const o of position.offsets) {
        if (o.stream === undefined && topics.length > 1)
          throw new ReplayInputError(
            `${option}: this stream family has several topics; name each: ${topics.map((x) => `${x.stream}@${o.partition}:${o.offset}`).join(',')}`,
          );
        if (o.stream !== undefined && o.stream !== t.stream) continue;
        const b = t.bounds.get(o.partition);
        if (!b)
          throw new ReplayInputError(
            `${option}: ${t.topic} has no partition ${o.partition} (it has ${t.bounds.size})`,
          );
        if (o.offset > b.high)
          throw new ReplayInputError(
            `${option}: offset ${o.offset} of ${t.topic} partition ${o.partition} is beyond its end (high-water mark ${b.high})`,
          );
        if (o.offset < b.low)
          throw new ReplayInputError(
            `${option}: offset ${o.offset} of ${t.topic} partition ${o.partition} is before its start (offset ${b.low}; older records were deleted by retention)`,
          );
        out.set(`${t.topic}:${o.partition}`, o.offset);
      }
    }
  }
  if (position.kind === 'offsets') {
    const known = new Set(topics.map((t) => t.stream));
    const stray = position.offsets.find((o) => o.stream !== undefined && !known.has(o.stream));
    if (stray)
      throw new ReplayInputError(`${option}: ${stray.stream} is not a stream of this family`);
  }
  return out;
}
