import type { Admin } from 'kafkajs';
import type { StreamName } from '@backbone/schemas';
import { SessionFinalizer, type TableNames } from '@backbone/warehouse';
import { WorkerMetrics } from '../metrics.js';
import { SinkWorker, type SinkBounds } from '../sink/sink.worker.js';
import { catalogTopics } from '../topics.js';
import { committedOffsets, limits, type Plan, type ReplayEnv, type ReplayRequest } from './plan.js';
import type { TopicOffsets } from './positions.js';
import { Progress } from './progress.js';

export interface ReaderContext {
  plan: Plan;
  names: TableNames;
  streams: readonly StreamName[];
  bounds: TopicOffsets[];
  replayGroup: string;
  admin: Admin;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the family's events.* topics into its shadow tables with a sink of its own consumer
 * group, never past the live sink's position: the bound moves with live while the replay
 * follows, and is fixed at live's held position during the hand-over.
 */
export class ShadowReader implements SinkBounds {
  private lim: Map<string, bigint> = new Map();
  private waitMs: number;
  private readonly sink: SinkWorker;
  private readonly progress: Progress;
  private firstPosition = new Map<string, bigint>();

  constructor(
    private readonly env: ReplayEnv,
    req: ReplayRequest,
    private readonly ctx: ReaderContext,
  ) {
    // Big inserts: a statement costs the local engine about as much as thousands of rows.
    this.waitMs = req.batchWaitMs ?? 2000;
    this.progress = new Progress(env.progress);
    this.sink = new SinkWorker({
      kafka: env.kafka,
      registry: env.registry,
      clickhouse: env.clickhouse,
      database: env.database,
      groupId: ctx.replayGroup,
      logger: env.logger.child({ part: 'reader' }),
      metrics: new WorkerMetrics({ defaultMetrics: false }),
      streams: ctx.streams,
      topics: env.topics ?? catalogTopics,
      names: ctx.names,
      clickhouseRegistryUrl: env.clickhouseRegistryUrl,
      bounds: this,
      deadLetter: false,
      maxRows: req.batchRows ?? 100_000,
      fetch: { bytesPerPartition: 16 * 1024 * 1024 },
      concurrency: req.concurrency ?? 2,
      sessionTimeoutMs: 10_000,
      ...(env.texts ? { texts: env.texts } : {}),
    });
  }

  limit(topic: string, partition: number): bigint | undefined {
    return this.lim.get(`${topic}:${partition}`);
  }

  maxWaitMs(): number {
    return this.waitMs;
  }

  async start(): Promise<void> {
    await this.followLive();
    this.firstPosition = await this.position();
    await this.sink.start();
  }

  async stop(): Promise<void> {
    this.progress.done();
    await this.sink.stop();
  }

  /** Reads until no more than `catchUp` records are left behind live. */
  async follow(catchUp: number): Promise<void> {
    // The bound moves with live; the check uses the bound the reader has had 500 ms to reach.
    for (;;) {
      await sleep(500);
      if (this.report(await this.position()) <= catchUp) return;
      await this.followLive();
    }
  }

  /** Under the hold: reads up to exactly live's position, then stops reading. */
  async reach(live: Map<string, bigint>, timeoutMs = 120_000): Promise<void> {
    this.lim = limits(this.ctx.plan, live);
    // The last batches are written at once: the hold waits for them.
    this.waitMs = 50;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = this.report(await this.position());
      if (left === 0) break;
      if (Date.now() > deadline)
        throw new Error(
          `the replay did not reach live's position within ${timeoutMs / 1000} s (${left} records left)`,
        );
      await sleep(100);
    }
    this.progress.done();
  }

  /** Where the replay's group has committed. */
  position(): Promise<Map<string, bigint>> {
    return committedOffsets(this.ctx.admin, this.ctx.replayGroup, this.ctx.bounds);
  }

  private async followLive(): Promise<void> {
    const { admin, bounds, plan } = this.ctx;
    this.lim = limits(plan, await committedOffsets(admin, this.env.liveGroup, bounds));
  }

  /** Updates the progress bar; returns the records left to read. */
  private report(pos: Map<string, bigint>): number {
    let done = 0n;
    for (const [k, v] of pos) done += v - (this.firstPosition.get(k) ?? v);
    let left = 0n;
    for (const [k, l] of this.lim) {
      const p = pos.get(k) ?? BigInt(this.ctx.plan.start[k] ?? '0');
      if (l > p) left += l - p;
    }
    this.progress.update(Number(done), Number(done + left));
    return Number(left);
  }
}

/** Summarizes every ended session hour of the shadow (before the hold: it takes a while). */
export async function finalizeAll(env: ReplayEnv, names: TableNames): Promise<void> {
  const finalizer = new SessionFinalizer({
    client: env.clickhouse,
    names,
    logger: env.logger.child({ part: 'finalizer' }),
    maxHoursPerTick: 24 * 7,
  });
  while ((await finalizer.tick()).length > 0);
}
