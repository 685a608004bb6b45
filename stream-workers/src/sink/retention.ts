import type { ClickHouseClient } from '@clickhouse/client';
import type { Counter } from 'prom-client';
import type { Logger } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import { retentionDeletes, type RetentionClass } from '@backbone/warehouse';

/** What one run removed: rows per tenant, class and table. */
export interface RetentionOutcome {
  tenant: string;
  retentionClass: RetentionClass;
  table: string;
  rows: number;
}

/**
 * Tenants' retention per privacy class (docs/privacy.md § Retention), as lightweight deletes
 * of the rows older than the policy, run by the sink instance that holds each stream's first
 * partition. A policy change applies to the rows already stored at the next run; rows a
 * replay brings back from Kafka are removed again at the next run.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly o: {
      clickhouse: ClickHouseClient;
      database: string;
      /** CLICKHOUSE_CLUSTER: deletes go to the shards' local tables. */
      cluster?: string | undefined;
      /** The streams this instance does the housekeeping of, now. */
      streams: () => readonly StreamName[];
      policies: () => ReadonlyMap<string, Partial<Record<RetentionClass, number>>>;
      logger: Logger;
      deleted?: Counter<'class'>;
      now?: () => number;
    },
  ) {}

  /** Counts and deletes each tenant's expired rows; returns what it removed. */
  async runOnce(): Promise<RetentionOutcome[]> {
    const done: RetentionOutcome[] = [];
    const streams = this.o.streams();
    if (streams.length === 0) return done;
    const now = (this.o.now ?? Date.now)();
    for (const [tenant, days] of this.o.policies()) {
      for (const d of retentionDeletes(
        this.o.database,
        streams,
        tenant,
        days,
        now,
        this.o.cluster,
      )) {
        const [row] = await (
          await this.o.clickhouse.query({
            query: `SELECT count() AS n FROM ${d.table} WHERE ${d.where}`,
            query_params: d.params,
            format: 'JSONEachRow',
          })
        ).json<{ n: string | number }>();
        const rows = Number(row?.n ?? 0);
        if (rows === 0) continue;
        await this.o.clickhouse.command({
          query: `DELETE FROM ${d.target} WHERE ${d.where}`,
          query_params: d.params,
          // Returns once the rows are gone for every reader.
          clickhouse_settings: { lightweight_deletes_sync: '2' },
        });
        this.o.deleted?.inc({ class: d.retentionClass }, rows);
        done.push({ tenant, retentionClass: d.retentionClass, table: d.table, rows });
      }
    }
    if (done.length > 0)
      this.o.logger.info({ removed: done }, 'expired rows removed by tenants’ retention');
    return done;
  }

  /** A run every interval (none overlap); a failed run is logged and tried at the next. */
  start(intervalMs: number): void {
    const run = () => {
      this.running ??= this.runOnce()
        .catch((err: unknown) =>
          this.o.logger.warn({ err }, 'retention run failed; trying again at the next'),
        )
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
