import { BUCKET, ClickHouseReader } from './reader.js';
import { chTime, type Granularity, type TimeRange } from './time-range.js';

export interface Overview {
  pageViews: number;
  uniqueVisitors: number;
  sessions: number;
  conversions: number;
  revenue: number;
}

export interface SessionStats {
  sessions: number;
  bounces: number;
  avgDurationSeconds: number;
}

/**
 * The web dashboard's numbers, read from the rollups (stream-workers/README.md). Every value
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
      `SELECT sumIf(events, event_type = 'page_view') AS views, uniqMerge(visitors) AS people,
  uniqMerge(sessions) AS visits, sumIf(events, event_type = 'conversion') AS orders,
  sum(revenue) AS money
FROM ${this.t('web_traffic_1m')}
WHERE tenant_id = {tenant:String}
  AND minute >= toStartOfMinute({start:DateTime64(3, 'UTC')}) AND minute < {end:DateTime64(3, 'UTC')}`,
      this.params(tenant, range),
    );
    return {
      pageViews: Number(r?.views ?? 0),
      uniqueVisitors: Number(r?.people ?? 0),
      sessions: Number(r?.visits ?? 0),
      conversions: Number(r?.orders ?? 0),
      revenue: Number(r?.money ?? 0),
    };
  }

  /** Sessions that started in the range: bounce (one page view) and duration. */
  async sessionStats(tenant: string, range: TimeRange): Promise<SessionStats> {
    const [r] = await this.rows<Record<string, unknown>>(
      `SELECT count() AS n, countIf(views = 1) AS single, avg(seconds) AS avg_seconds FROM (
  SELECT session_id, sum(page_views) AS views, minMerge(started_at) AS began,
    dateDiff('millisecond', minMerge(started_at), maxMerge(ended_at)) / 1000 AS seconds
  FROM ${this.t('web_sessions')}
  WHERE tenant_id = {tenant:String}
    AND day >= toDate({start:DateTime64(3, 'UTC')}) - 1 AND day <= toDate({end:DateTime64(3, 'UTC')})
  GROUP BY session_id
  HAVING views > 0 AND began >= {start:DateTime64(3, 'UTC')} AND began < {end:DateTime64(3, 'UTC')})`,
      this.params(tenant, range),
    );
    return {
      sessions: Number(r?.n ?? 0),
      bounces: Number(r?.single ?? 0),
      avgDurationSeconds: Number(r?.avg_seconds ?? 0) || 0,
    };
  }

  async timeSeries(tenant: string, range: TimeRange, granularity: Granularity) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT toUnixTimestamp(${BUCKET[granularity]}) AS bucket,
  sumIf(events, event_type = 'page_view') AS views, uniqMerge(visitors) AS people,
  uniqMerge(sessions) AS visits
FROM ${this.t('web_traffic_1m')}
WHERE tenant_id = {tenant:String}
  AND minute >= toStartOfMinute({start:DateTime64(3, 'UTC')}) AND minute < {end:DateTime64(3, 'UTC')}
GROUP BY bucket ORDER BY bucket`,
      this.params(tenant, range),
    );
    return rows.map((r) => ({
      timestamp: new Date(Number(r.bucket) * 1000),
      pageViews: Number(r.views),
      uniqueVisitors: Number(r.people),
      sessions: Number(r.visits),
    }));
  }

  /**
   * Pages by views (web_pages_1h); bounce rate of sessions that entered there (web_sessions);
   * average time on page from the next page view of the same session (raw events: no rollup
   * can know the next page).
   */
  async topPages(tenant: string, range: TimeRange, limit: number) {
    const params = { ...this.params(tenant, range), limit };
    const pages = await this.rows<Record<string, unknown>>(
      `SELECT page_path AS path, sum(page_views) AS views, uniqMerge(visitors) AS people
FROM ${this.t('web_pages_1h')}
WHERE tenant_id = {tenant:String}
  AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) AND hour < {end:DateTime64(3, 'UTC')}
GROUP BY path ORDER BY views DESC, path LIMIT {limit:UInt32}`,
      params,
    );
    if (pages.length === 0) return [];
    const paths = pages.map((p) => String(p.path));
    const entries = await this.rows<Record<string, unknown>>(
      `SELECT entry, count() AS entered, countIf(views = 1) AS single FROM (
  SELECT argMinMerge(entry_page) AS entry, sum(page_views) AS views, minMerge(started_at) AS began
  FROM ${this.t('web_sessions')}
  WHERE tenant_id = {tenant:String}
    AND day >= toDate({start:DateTime64(3, 'UTC')}) - 1 AND day <= toDate({end:DateTime64(3, 'UTC')})
  GROUP BY session_id
  HAVING began >= {start:DateTime64(3, 'UTC')} AND began < {end:DateTime64(3, 'UTC')})
WHERE entry IN {paths:Array(String)}
GROUP BY entry`,
      { ...params, paths },
    );
    const times = await this.rows<Record<string, unknown>>(
      `SELECT path, avg(dateDiff('millisecond', at, next_at) / 1000) AS avg_seconds FROM (
  SELECT page_path AS path, occurred_at AS at,
    leadInFrame(occurred_at) OVER w AS next_at,
    -- 1 where a next page view exists, the default 0 on a session's last one
    leadInFrame(toUInt8(1)) OVER w AS has_next
  FROM ${this.t('web_events')}
  WHERE tenant_id = {tenant:String} AND event_type = 'page_view'
    AND occurred_at >= {start:DateTime64(3, 'UTC')} AND occurred_at < {end:DateTime64(3, 'UTC')}
  -- event_id breaks ties: page views sent in the same second keep one order
  WINDOW w AS (PARTITION BY session_id ORDER BY occurred_at, event_id
    ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING))
WHERE has_next = 1 AND path IN {paths:Array(String)}
GROUP BY path`,
      { ...params, paths },
    );
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

  /** Sessions by the source of their first page view (web_sessions). */
  async trafficSources(tenant: string, range: TimeRange) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT source, medium, count() AS visits FROM (
  SELECT argMinMerge(traffic_source) AS source, argMinMerge(traffic_medium) AS medium,
    sum(page_views) AS views, minMerge(started_at) AS began
  FROM ${this.t('web_sessions')}
  WHERE tenant_id = {tenant:String}
    AND day >= toDate({start:DateTime64(3, 'UTC')}) - 1 AND day <= toDate({end:DateTime64(3, 'UTC')})
  GROUP BY session_id
  HAVING views > 0 AND began >= {start:DateTime64(3, 'UTC')} AND began < {end:DateTime64(3, 'UTC')})
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

  /** Events, page views, visitors and sessions by device type, browser and OS. */
  async devices(tenant: string, range: TimeRange) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT device_type AS kind, browser AS agent, os AS system, sum(events) AS total,
  sum(page_views) AS views, uniqMerge(visitors) AS people, uniqMerge(sessions) AS visits
FROM ${this.t('web_devices_1h')}
WHERE tenant_id = {tenant:String}
  AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) AND hour < {end:DateTime64(3, 'UTC')}
GROUP BY kind, agent, system ORDER BY total DESC, kind, agent, system`,
      this.params(tenant, range),
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
  async geo(tenant: string, range: TimeRange) {
    const rows = await this.rows<Record<string, unknown>>(
      `SELECT country AS nation, region AS area, sum(events) AS total, sum(page_views) AS views,
  uniqMerge(visitors) AS people, uniqMerge(sessions) AS visits
FROM ${this.t('web_geo_1h')}
WHERE tenant_id = {tenant:String}
  AND hour >= toStartOfHour({start:DateTime64(3, 'UTC')}) AND hour < {end:DateTime64(3, 'UTC')}
GROUP BY nation, area ORDER BY total DESC, nation, area`,
      this.params(tenant, range),
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
