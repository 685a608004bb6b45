/**
 * One steady run of the pipeline bench: events offered at a fixed rate straight onto
 * raw.web.v1 for a while, with what a user sizing a deployment wants to know of it.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Producer } from 'kafkajs';
import type { StreamSerde } from '@backbone/schemas';
import { CpuMeter, quantile, ThreadMeter } from '@backbone/test';
import { TABLES } from '@backbone/warehouse/tables';
import { benchWebEvent as event } from './web-events.js';

export interface SteadyContext {
  producer: Producer;
  serde: StreamSerde;
  clickhouse: ClickHouseClient;
  admin: Admin;
  /** The topic offered to, and the worker groups whose lag is watched (group → topic). */
  raw: string;
  groups: Record<string, string>;
  services: Record<string, number>;
}

export interface SteadyResult {
  rate: number;
  offered: number;
  landed: number;
  /** Freshness samples in ms, sorted, and markers still not visible 60 s after the run. */
  freshness: { p50: number; p95: number; p99: number; samples: number; unseen: number };
  /**
   * How fast the workers' total lag grew (events/s): its mean over the last quarter of the run
   * against its mean over the second quarter. Means, not a slope: the sink's lag is a sawtooth
   * (read, then committed a batch at a time).
   */
  lagGrowth: number;
  cpuUsPerEvent: Record<string, number>;
  threadCpuUsPerEvent: Record<string, [string, number][]>;
}

let runs = 0;

/** Total lag of the watched groups: end offsets minus committed ones. */
export async function totalLag(ctx: SteadyContext): Promise<number> {
  let lag = 0;
  for (const [groupId, topic] of Object.entries(ctx.groups)) {
    const [ends, [committed]] = await Promise.all([
      ctx.admin.fetchTopicOffsets(topic),
      ctx.admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const at = new Map(committed!.partitions.map((p) => [p.partition, Number(p.offset)]));
    for (const e of ends)
      lag += Math.max(0, Number(e.high) - Math.max(0, at.get(e.partition) ?? 0));
  }
  return lag;
}

/** Lag growth between the second and the last quarter of a run's (seconds, lag) samples. */
export function growth(points: [number, number][], seconds: number): number {
  const mean = (from: number, to: number) => {
    const inside = points.filter(([t]) => t >= from * seconds && t < to * seconds);
    return inside.length ? inside.reduce((s, [, lag]) => s + lag, 0) / inside.length : 0;
  };
  return (mean(0.75, 1.01) - mean(0.25, 0.5)) / (seconds / 2);
}

/**
 * Offers `rate` events/s for `seconds`. Ten times a second one event is a marker (a tenant of
 * its own); its freshness sample is the time from Kafka's ack (what the gateway's 202 waits
 * for) until its session shows in the rollup (web_sessions), looked up by key every 100 ms.
 * CPU per landed event of every process and of its thread pools; the lag of the workers
 * sampled every second.
 */
export async function steadyRun(
  ctx: SteadyContext,
  rate: number,
  seconds: number,
): Promise<SteadyResult> {
  const tag = `f${++runs}-`;
  const meter = new CpuMeter(ctx.services);
  const threadMeters = Object.entries(ctx.services).map(
    ([n, pid]) => [n, new ThreadMeter(pid)] as const,
  );
  const acked = new Map<string, number>(); // marker tenant → when Kafka acknowledged it
  const samples: number[] = [];
  let sending = true;
  let sent = 0;
  let markers = 0;
  let markedAt = 0;
  const begun = performance.now();
  const sender = (async () => {
    while (sending) {
      // At most a tenth of a second's events a request: after a stall (a busy machine) the
      // backlog goes in several, not in one larger than the broker's message size.
      const due = Math.min(
        Math.floor(((performance.now() - begun) / 1000) * rate) - sent,
        Math.max(100, Math.ceil(rate / 10)),
      );
      if (due > 0) {
        const now = Date.now();
        const marker = now - markedAt >= 100 ? `${tag}m${markers++}` : undefined;
        if (marker) markedAt = now;
        const messages = Array.from({ length: due }, (_, j) => {
          const e = event(sent + j, j === 0 && marker ? marker : `${tag}bulk`, now);
          return { key: e.envelope.session_id, value: ctx.serde.encode('web', e) };
        });
        sent += due;
        await ctx.producer.send({ topic: ctx.raw, acks: -1, messages });
        if (marker) acked.set(marker, Date.now());
      } else await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const visible = new Set<string>();
  const lookUp = async () => {
    const open = [...acked.keys()].filter((m) => !visible.has(m));
    if (open.length === 0) return;
    const rows = await (
      await ctx.clickhouse.query({
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
  const lags: [number, number][] = [];
  let lagAt = 0;
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    await lookUp();
    const t = (performance.now() - begun) / 1000;
    if (t - lagAt >= 1) {
      lagAt = t;
      lags.push([t, await totalLag(ctx)]);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  sending = false;
  await sender;
  const landed = Number(
    (
      await (
        await ctx.clickhouse.query({
          query: `SELECT count() AS n FROM analytics.${TABLES.webEvents} WHERE startsWith(tenant_id, {tag:String})`,
          query_params: { tag },
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>()
    )[0]!.n,
  );
  const cpuUsPerEvent = meter.perEvent(landed);
  const threadCpuUsPerEvent = Object.fromEntries(
    threadMeters.map(([n, m]) => [n, m.perEvent(landed).slice(0, 6)]),
  );
  // Markers still in flight are waited for (up to 60 s): leaving them out would hide the tail.
  const drainUntil = Date.now() + 60_000;
  while (visible.size < acked.size && Date.now() < drainUntil) {
    await lookUp();
    await new Promise((r) => setTimeout(r, 100));
  }
  samples.sort((a, b) => a - b);
  return {
    rate,
    offered: sent / seconds,
    landed: landed / seconds,
    freshness: {
      p50: quantile(samples, 0.5),
      p95: quantile(samples, 0.95),
      p99: quantile(samples, 0.99),
      samples: samples.length,
      unseen: acked.size - visible.size,
    },
    lagGrowth: growth(lags, seconds),
    cpuUsPerEvent,
    threadCpuUsPerEvent,
  };
}
