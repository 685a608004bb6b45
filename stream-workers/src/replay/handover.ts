import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { moduleLogger, type Logger } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import { clickhouseTime, FAMILIES, qualified, TABLES } from '@backbone/warehouse';

/**
 * The hand-over between a replay and the live sinks, through one ClickHouse table
 * (`replay_handover`, migration 0008), since every sink already talks to ClickHouse:
 * the replay writes a `hold` row for its stream family; each live sink sees it within a poll,
 * inserts and commits what it has buffered, stops writing the family's tables and answers
 * with an `ack` row; the replay swaps and writes `release`. A hold carries an expiry, renewed
 * while the replay runs, so a replay that dies before swapping cannot stop ingestion for long;
 * the swap itself is held without expiry (a swap half done must be finished, not written into).
 */
export const HOLD_FOREVER = '2100-01-01 00:00:00.000';

export interface Hold {
  family: string;
  runId: string;
}

const table = (database: string) => qualified({ database, suffix: '' }, TABLES.replayHandover);

/** The holds in force now. */
export async function activeHolds(client: ClickHouseClient, database: string): Promise<Hold[]> {
  const t = table(database);
  const rows = await (
    await client.query({
      query: `SELECT family, run_id FROM ${t}
WHERE kind = 'hold' AND run_id NOT IN (SELECT run_id FROM ${t} WHERE kind = 'release')
GROUP BY family, run_id HAVING max(expires_at) > now64(3)`,
      format: 'JSONEachRow',
    })
  ).json<{ family: string; run_id: string }>();
  return rows.map((r) => ({ family: r.family, runId: r.run_id }));
}

async function write(
  client: ClickHouseClient,
  database: string,
  row: { family: string; run_id: string; kind: string; member?: string; partitions?: string[] },
  expiresAt: string,
) {
  await client.insert({
    table: table(database),
    format: 'JSONEachRow',
    values: [
      { member: '', partitions: [], ...row, expires_at: expiresAt, at: clickhouseTime(Date.now()) },
    ],
  });
}

/** What a hand-over needs of a live sink: stop writing some streams, and go on again. */
export interface DrainableSink {
  /** Writes what is buffered and stops; undefined while a batch may still land later. */
  drain(
    streams: readonly StreamName[],
  ): Promise<{ memberId: string; partitions: string[] } | undefined>;
  resume(streams: readonly StreamName[]): void;
}

/** Another writer of a family's tables in the sink process (the session finalizer). */
export interface FamilyWriter {
  family: string;
  stop(): Promise<void>;
  resume(): void;
}

export interface HandoverWatchOptions {
  client: ClickHouseClient;
  database: string;
  logger: Logger;
  sink: DrainableSink;
  writers?: readonly FamilyWriter[];
  /** Called with 1 when a family is held, 0 when released (a metric). */
  onChange?: (family: string, held: 0 | 1) => void;
  /** How often the sink looks for holds (default 2 s: a replay's hand-over waits that long at most). */
  pollMs?: number;
}

/** The live sink's side: polls for holds and keeps the sink's writes out while one is on. */
export class HandoverWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly held = new Map<string, string>();
  private readonly acked = new Map<string, string>();
  private polling: Promise<void> = Promise.resolve();

  private readonly options: HandoverWatchOptions;

  constructor(options: HandoverWatchOptions) {
    this.options = { ...options, logger: moduleLogger(options.logger, 'replay-handover') };
  }

  /** Stops writing the family; resolves with the ack, or undefined when it cannot yet. */
  private async hold(family: string) {
    const ack = await this.options.sink.drain(FAMILIES[family]?.streams ?? []);
    for (const w of this.options.writers ?? []) if (w.family === family) await w.stop();
    if (ack) this.options.onChange?.(family, 1);
    return ack;
  }

  private release(family: string) {
    this.options.sink.resume(FAMILIES[family]?.streams ?? []);
    for (const w of this.options.writers ?? []) if (w.family === family) w.resume();
    this.options.onChange?.(family, 0);
  }

  /** One poll: take new holds, end released ones. Called before consuming starts, too. */
  async poll(): Promise<void> {
    const { client, database, logger } = this.options;
    const holds = await activeHolds(client, database);
    for (const h of holds) {
      // Idempotent: a sink that joined the group again (new member id) answers again.
      const ack = await this.hold(h.family);
      if (!ack) {
        logger.warn({ family: h.family, run: h.runId }, 'replay hand-over: cannot hold yet');
        continue;
      }
      const key = `${h.runId}/${ack.memberId}`;
      if (this.acked.get(h.family) === key) continue;
      await write(
        client,
        database,
        {
          family: h.family,
          run_id: h.runId,
          kind: 'ack',
          partitions: ack.partitions,
          member: ack.memberId,
        },
        clickhouseTime(0),
      );
      if (!this.held.has(h.family))
        logger.info({ family: h.family, run: h.runId }, 'replay hand-over: writes held');
      this.held.set(h.family, h.runId);
      this.acked.set(h.family, key);
    }
    for (const [family, runId] of this.held) {
      if (holds.some((h) => h.family === family && h.runId === runId)) continue;
      this.held.delete(family);
      this.acked.delete(family);
      this.release(family);
      logger.info({ family, run: runId }, 'replay hand-over: writes resumed');
    }
  }

  /** Families held now (for readiness and logs). */
  get holding(): string[] {
    return [...this.held.keys()];
  }

  start(): void {
    const pollMs = this.options.pollMs ?? 2000;
    const loop = () => {
      this.polling = this.poll()
        .catch((err: unknown) =>
          this.options.logger.warn({ err }, 'replay hand-over poll failed; retrying'),
        )
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, pollMs);
        });
    };
    this.timer = setTimeout(loop, pollMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }
}

/** The replay's side of one hand-over. */
export class HandoverFence {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly database: string,
    private readonly hold: Hold,
    private readonly ttlMs = 30_000,
  ) {}

  private row(kind: string) {
    return { family: this.hold.family, run_id: this.hold.runId, kind };
  }

  /** Asks the live sinks to hold, and keeps the hold alive until release or forever(). */
  async request(): Promise<void> {
    const renew = () =>
      write(this.client, this.database, this.row('hold'), clickhouseTime(Date.now() + this.ttlMs));
    await renew();
    this.timer = setInterval(() => void renew().catch(() => undefined), this.ttlMs / 6);
  }

  /** The swap is starting: the hold no longer expires by itself. */
  async forever(): Promise<void> {
    clearInterval(this.timer);
    await write(this.client, this.database, this.row('hold'), HOLD_FOREVER);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    await write(this.client, this.database, this.row('release'), clickhouseTime(0));
  }

  /** Stops renewing without a release row (the process is going away; the hold expires). */
  abandon(): void {
    clearInterval(this.timer);
  }

  /**
   * Waits until every member of the live group has acknowledged (or the group has none),
   * so no live insert of the family can happen until release.
   */
  async acknowledged(admin: Admin, groupId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const {
        groups: [group],
      } = await admin.describeGroups([groupId]);
      const members = (group?.members ?? []).map((m) => m.memberId);
      const acked = new Set(
        (
          await (
            await this.client.query({
              query: `SELECT DISTINCT member FROM ${table(this.database)}
WHERE kind = 'ack' AND run_id = {run:String}`,
              query_params: { run: this.hold.runId },
              format: 'JSONEachRow',
            })
          ).json<{ member: string }>()
        ).map((r) => r.member),
      );
      const missing = members.filter((m) => !acked.has(m));
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `live sink group ${groupId}: ${missing.length} of ${members.length} members did not hold their writes within ${timeoutMs} ms (a batch ClickHouse refuses, or a sink without hand-over support)`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
