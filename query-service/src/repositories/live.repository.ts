import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';
import { ClickHouseReader } from './reader.js';

export interface LiveStats {
  at: Date;
  windowMinutes: number;
  events: number;
  pageViews: number;
  uniqueVisitors: number;
  sessions: number;
  eventsPerMinute: number;
}

/** The live numbers of the last `windowMinutes`, from the per-minute web rollup. */
export class LiveRepository extends ClickHouseReader {
  async stats(tenant: string, windowMinutes: number): Promise<LiveStats> {
    const [r] = await this.rows(
      `SELECT sum(events) AS total, sum(page_views) AS views,
  uniqCombinedMerge(${DISTINCT_PRECISION})(visitors) AS people,
  uniqCombinedMerge(${DISTINCT_PRECISION})(sessions) AS visits
FROM ${this.t(TABLES.webTraffic1m)}
WHERE tenant_id = {tenant:String}
  AND minute >= toStartOfMinute(now() - toIntervalMinute({window:UInt32}))`,
      { tenant, window: windowMinutes },
    );
    const events = Number(r?.total ?? 0);
    return {
      at: new Date(),
      windowMinutes,
      events,
      pageViews: Number(r?.views ?? 0),
      uniqueVisitors: Number(r?.people ?? 0),
      sessions: Number(r?.visits ?? 0),
      eventsPerMinute: events / windowMinutes,
    };
  }
}
