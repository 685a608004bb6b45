import { finalizedUntil, liveSessions } from './live-sessions.js';
import { BUCKET, ClickHouseReader } from './reader.js';
import { chTime, trafficGrains, type Granularity, type TimeRange } from '../time-range.js';
import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';

/** Merges the rollups' distinct-count states (warehouse/README.md § Distinct counts). */
const DISTINCT = `uniqCombinedMerge(${DISTINCT_PRECISION})`;
const TRAFFIC = {
  minute: TABLES.webTraffic1m,
  hour: TABLES.webTraffic1h,
  day: TABLES.webTraffic1d,
};
const COLUMNS = 'page_views, visitors, sessions, conversions, revenue';
/** The figures of traffic rows (COLUMNS); names unlike the columns' (aliases resolve first). */
const FIGURES = `sum(page_views) AS views, ${DISTINCT}(visitors) AS people,
  ${DISTINCT}(sessions) AS visits, sum(conversions) AS orders, sum(revenue) AS money`;
const PAGES = { hour: TABLES.webPages1h, day: TABLES.webPages1d };
const DEVICES = { hour: TABLES.webDevices1h, day: TABLES.webDevices1d };
const GEO = { hour: TABLES.webGeo1h, day: TABLES.webGeo1d };
type Grains = ReturnType<typeof trafficGrains>;

/** The bounds of byHourDay: a range from the hour it starts in, whole days inside it. */
function hoursAndDays(range: TimeRange) {
  const start = new Date(Math.floor(range.start.getTime() / 3_600_000) * 3_600_000);
  const { m1: h1, d1, d2, end } = trafficGrains({ start, end: range.end }, 'day');
  return { h1, d1, d2, end };
}
/** The same grain bounds under other parameter names (`t` + name), for a second range split. */
const prefixed = (p: string, g: Grains) =>
  Object.fromEntries(Object.entries(g).map(([k, v]) => [p + k, v]));

export interface Overview {
  pageViews: number;
  uniqueVisitors: number;
  sessions: number;
  conversions: number;
  revenue: number;
}

/** A point of the time series from a row (bucket, views, people, visits). */
const point = (r: Record<string, unknown>) => ({
  timestamp: new Date(Number(r.bucket) * 1000),
  pageViews: Number(r.views),
  uniqueVisitors: Number(r.people),
  sessions: Number(r.visits),
});

const overviewOf = (r: Record<string, unknown>): Overview => ({
  pageViews: Number(r.views ?? 0),
  uniqueVisitors: Number(r.people ?? 0),
  sessions: Number(r.visits ?? 0),
  conversions: Number(r.orders ?? 0),
  revenue: Number(r.money ?? 0),
});

/** Which distinct counts a breakdown merges (GraphQL asks only for those selected). */
export interface Distincts {
  visitors: boolean;
  sessions: boolean;
}
const BOTH: Distincts = { visitors: true, sessions: true };
/** The merged distinct counts (`people`, `visits`) of rows with `states(distincts)`. */
const merged = (d: Distincts) =>
  `${d.visitors ? `${DISTINCT}(visitors)` : '0'} AS people, ${d.sessions ? `${DISTINCT}(sessions)` : '0'} AS visits`;
const states = (d: Distincts) =>
  `${d.visitors ? ', visitors' : ''}${d.sessions ? ', sessions' : ''}`;

export interface SessionStats {
  sessions: number;
  bounces: number;
  avgDurationSeconds: number;
}

/**
 * The web dashboard's numbers, read from the rollups (warehouse/README.md). Every value
 * from a request is a bound parameter; only the database name (validated config) and fixed
 * fragments are part of the SQL text. 64-bit counts arrive as numbers or strings depending on
 * the server's JSON settings, so they go through Number().
 */
export class StatsRepository extends ClickHouseReader {
  private params(tenant: string, range: TimeRange) {
    return { tenant, start: chTime(range.start), end: chTime(range.end) };
  }

  async overview(tenant: string, range: TimeRange): Promise<Overview> {
    const [r] = await this.rows<Record<string, unknown>>(
      `SELECT ${FIGURES} FROM (${this.byGrain(TRAFFIC, COLUMNS)})`,
      { tenant, ...trafficGrains(range, 'day') },
    );
    return overviewOf(r ?? {});
  }

  /**
   * The overview and its time series in one request: the points from the traffic rollups at
   * the series' grain, the whole range at the coarsest grain that fits it (30 days merge 30
   * day states for visitors and sessions, not the 720 hour states of an hourly series). The
   * whole-range row is the one where `whole` is 1; it exists even for a range without
   * traffic. (Not `WITH TOTALS`: the local engine, chDB, writes its JSON out of order when a
   * query with totals has no rows.)
   */
  async dashboard(tenant: string, range: TimeRange, granularity: Granularity) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT * FROM (
  SELECT 0 AS whole, bucket, views, people, visits, orders, money
  FROM (${this.series(granularity)})
  UNION ALL
  SELECT 1, 0, ${FIGURES} FROM (${this.byGrain(TRAFFIC, COLUMNS, { prefix: 't' })}))
ORDER BY whole, bucket`,
      {
        tenant,
        ...trafficGrains(range, granularity === 'HOUR' ? 'hour' : 'day'),
        ...prefixed('t', trafficGrains(range, 'day')),
      },
    );
    return {
      overview: overviewOf(rows.find((r) => Number(r.whole) === 1) ?? {}),
      timeSeries: rows.filter((r) => Number(r.whole) === 0).map(point),
    };
  }

  /**
   * A rollup kept by the hour and by the day over a range read by the hour (from the hour it
   * starts in): whole days from the daily table, the hours around them from the hourly one
   * (parameters of hoursAndDays).
   */
  private byHourDay(tables: { hour: string; day: string }, columns: string) {
    return `SELECT ${columns} FROM ${this.t(tables.hour)}
  WHERE tenant_id = {tenant:String}
    AND ((hour >= {h1:DateTime('UTC')} AND hour < {d1:DateTime('UTC')})
      OR (hour >= {d2:DateTime('UTC')} AND hour < {end:DateTime64(3, 'UTC')}))
  UNION ALL
  SELECT ${columns} FROM ${this.t(tables.day)}
  WHERE tenant_id = {tenant:String}
    AND day >= toDate({d1:DateTime('UTC')}) AND day < toDate({d2:DateTime('UTC')})`;
  }

  /**
   * Sessions that started in the range: bounce (one page view) and duration. Ended sessions
   * come from the session summaries (hours marked by the finalizer); the rest are merged
   * live from web_sessions, which is small: at most the last hour or two.
   */
  async sessionStats(tenant: string, range: TimeRange): Promise<SessionStats> {
    const [r] = await this.rows<Record<string, unknown>>(
      `${finalizedUntil(this.t)}
SELECT sum(n) AS n, sum(single) AS single, sum(ms) AS ms FROM (
  SELECT sum(sessions) AS n, sum(bounces) AS single, sum(duration_ms) AS ms
  FROM ${this.t(TABLES.webSessionStarts1m)}
  WHERE tenant_id = {tenant:String} AND end_hour < finalized_until
    AND minute >= toStartOfMinute({start:DateTime64(3, 'UTC')}) AND minute < {end:DateTime64(3, 'UTC')}
  UNION ALL
  SELECT count(), countIf(views = 1), toUInt64(sum(dateDiff('millisecond', began, ended)))
  FROM (${liveSessions(this.t)}))`,
      this.params(tenant, range),
    );
    const sessions = Number(r?.n ?? 0);
    return {
      sessions,
      bounces: Number(r?.single ?? 0),
      avgDurationSeconds: sessions ? Number(r?.ms ?? 0) / sessions / 1000 : 0,
    };
  }

  async timeSeries(tenant: string, range: TimeRange, granularity: Granularity) {
    // Hourly points need hourly rows at the least; days, weeks and months can use days.
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT * FROM (${this.series(granularity)}) ORDER BY bucket`,
      { tenant, ...trafficGrains(range, granularity === 'HOUR' ? 'hour' : 'day') },
    );
    return rows.map(point);
  }

  /**
   * The points of a series: (bucket, views, people, visits, orders, money) over the bounds
   * of trafficGrains. By the hour, distinct visitors and sessions of closed hours are the
   * finalizer's numbers (web_hour_counts) and only the other hours' states are merged; the
   * exact figures come from the traffic rollups without reading any state.
   */
  private series(granularity: Granularity): string {
    const bucket = `toUnixTimestamp(${BUCKET[granularity]})`;
    if (granularity !== 'HOUR')
      return `SELECT ${bucket} AS bucket, ${FIGURES} FROM (${this.byGrain(TRAFFIC, COLUMNS)}) GROUP BY bucket`;
    const counts = this.t(TABLES.webHourCounts);
    const inRange = `tenant_id = {tenant:String} AND hour >= {h1:DateTime('UTC')} AND hour < {h2:DateTime('UTC')}`;
    return `SELECT bucket, sum(views) AS views, sum(people) AS people, sum(visits) AS visits,
  sum(orders) AS orders, sum(money) AS money FROM (
  SELECT ${bucket} AS bucket, sum(page_views) AS views, toUInt64(0) AS people,
    toUInt64(0) AS visits, sum(conversions) AS orders, sum(revenue) AS money
  FROM (${this.byGrain(TRAFFIC, 'page_views, conversions, revenue')}) GROUP BY bucket
  UNION ALL
  SELECT toUnixTimestamp(hour), 0, visitors, sessions, 0, 0 FROM ${counts} FINAL WHERE ${inRange}
  UNION ALL
  SELECT ${bucket} AS bucket, 0, ${DISTINCT}(visitors), ${DISTINCT}(sessions), 0, 0
  FROM (${this.byGrain(TRAFFIC, 'visitors, sessions', { hourWhere: `hour NOT IN (SELECT hour FROM ${counts} WHERE ${inRange})` })})
  GROUP BY bucket)
GROUP BY bucket`;
  }

  /**
   * Pages by views (web_pages_1h); bounce rate of sessions that entered there (web_sessions);
   * average time on page from the next page view of the same session (raw events: no rollup
   * can know the next page).
   */
  async topPages(tenant: string, range: TimeRange, limit: number) {
    const params = { ...this.params(tenant, range), limit };
    const pages = await this.rows<Record<string, unknown>>(
      `SELECT page_path AS path, sum(page_views) AS views, ${DISTINCT}(visitors) AS people
FROM (${this.byHourDay(PAGES, 'page_path, page_views, visitors')})
GROUP BY path ORDER BY views DESC, path LIMIT {limit:UInt32}`,
      { ...params, ...hoursAndDays(range) },
    );
    if (pages.length === 0) return [];
    const paths = pages.map((p) => String(p.path));
    // Bounce rates and times on page of those pages, side by side.
    const [entries, times] = await Promise.all([
      this.rows<Record<string, unknown>>(
        `${finalizedUntil(this.t)}
SELECT entry, sum(entered) AS entered, sum(single) AS single FROM (
  SELECT entry_page AS entry, sum(sessions) AS entered, sum(bounces) AS single
  FROM ${this.t(TABLES.webSessionEntries1h)}
  WHERE tenant_id = {tenant:String} AND end_hour < finalized_until AND entry_page IN {paths:Array(String)}
    AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) AND hour < {end:DateTime64(3, 'UTC')}
  GROUP BY entry
  UNION ALL
  SELECT entry, count(), countIf(views = 1) FROM (${liveSessions(this.t)})
  WHERE entry IN {paths:Array(String)}
  GROUP BY entry)
GROUP BY entry`,
        { ...params, paths },
      ),
      this.rows<Record<string, unknown>>(
        `SELECT path, avg(dateDiff('millisecond', at, next_at) / 1000) AS avg_seconds FROM (
  SELECT page_path AS path, occurred_at AS at,
    leadInFrame(occurred_at) OVER w AS next_at,
    -- 1 where a next page view exists, the default 0 on a session's last one
    leadInFrame(toUInt8(1)) OVER w AS has_next
  FROM ${this.t(TABLES.webEvents)}
  WHERE tenant_id = {tenant:String} AND event_type = 'page_view'
    AND occurred_at >= {start:DateTime64(3, 'UTC')} AND occurred_at < {end:DateTime64(3, 'UTC')}
  -- event_id breaks ties: page views sent in the same second keep one order
  WINDOW w AS (PARTITION BY session_id ORDER BY occurred_at, event_id
    ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING))
WHERE has_next = 1 AND path IN {paths:Array(String)}
GROUP BY path`,
        { ...params, paths },
      ),
    ]);
    const entry = new Map(entries.map((e) => [String(e.entry), e]));
    const time = new Map(times.map((t) => [String(t.path), Number(t.avg_seconds)]));
    return pages.map((p) => {
      const e = entry.get(String(p.path));
      const entered = Number(e?.entered ?? 0);
      return {
        url: String(p.path),
        pageViews: Number(p.views),
        uniqueVisitors: Number(p.people),
        avgTimeOnPage: time.get(String(p.path)) ?? 0,
        bounceRate: entered ? Number(e?.single ?? 0) / entered : 0,
      };
    });
  }

  /** Sessions by the source of their first page view (summaries, then web_sessions). */
  async trafficSources(tenant: string, range: TimeRange) {
    const rows = await this.rows<Record<string, unknown>>(
      `${finalizedUntil(this.t)}
SELECT source, medium, sum(n) AS visits FROM (
  SELECT traffic_source AS source, traffic_medium AS medium, sum(sessions) AS n
  FROM ${this.t(TABLES.webSessionEntries1h)}
  WHERE tenant_id = {tenant:String} AND end_hour < finalized_until
    AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) AND hour < {end:DateTime64(3, 'UTC')}
  GROUP BY source, medium
  UNION ALL
  SELECT source, medium, count() FROM (${liveSessions(this.t)}) GROUP BY source, medium)
GROUP BY source, medium ORDER BY visits DESC, source`,
      this.params(tenant, range),
    );
    const total = rows.reduce((sum, r) => sum + Number(r.visits), 0);
    return rows.map((r) => ({
      source: String(r.source),
      medium: typeof r.medium === 'string' && r.medium !== '' ? r.medium : null,
      sessions: Number(r.visits),
      percentage: total ? (100 * Number(r.visits)) / total : 0,
    }));
  }

  /**
   * Events, page views, visitors and sessions by device type, browser and OS (distinct
   * counts not asked for are 0: merging their states is most of the cost).
   */
  async devices(tenant: string, range: TimeRange, distincts: Distincts = BOTH) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT device_type AS kind, browser AS agent, os AS system, sum(events) AS total,
  sum(page_views) AS views, ${merged(distincts)}
FROM (${this.byHourDay(DEVICES, `device_type, browser, os, events, page_views${states(distincts)}`)})
GROUP BY kind, agent, system ORDER BY total DESC, kind, agent, system`,
      { tenant, ...hoursAndDays(range) },
    );
    return rows.map((r) => ({
      deviceType: String(r.kind as string),
      browser: String(r.agent as string),
      os: String(r.system as string),
      events: Number(r.total),
      pageViews: Number(r.views),
      uniqueVisitors: Number(r.people),
      sessions: Number(r.visits),
    }));
  }

  /** The same by country and region (no city: it is never derived). */
  async geo(tenant: string, range: TimeRange, distincts: Distincts = BOTH) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT country AS nation, region AS area, sum(events) AS total, sum(page_views) AS views,
  ${merged(distincts)}
FROM (${this.byHourDay(GEO, `country, region, events, page_views${states(distincts)}`)})
GROUP BY nation, area ORDER BY total DESC, nation, area`,
      { tenant, ...hoursAndDays(range) },
    );
    return rows.map((r) => ({
      country: String(r.nation as string) || null,
      region: String(r.area as string) || null,
      events: Number(r.total),
      pageViews: Number(r.views),
      uniqueVisitors: Number(r.people),
      sessions: Number(r.visits),
    }));
  }
}
