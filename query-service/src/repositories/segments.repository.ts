import { SEGMENT_DIMENSIONS } from '@backbone/warehouse';
import { DISTINCT_PRECISION, SESSION_SUMMARY_TABLES } from '@backbone/warehouse/tables';
import { chTime, type Granularity, type TimeRange } from '../time-range.js';
import { finalizedUntil, liveSessions } from './live-sessions.js';
import { BUCKET, ClickHouseReader } from './reader.js';

/**
 * What the web overview may be filtered by: the segment of a session — the source of its
 * first page view, its device type and country, the page it entered on. Null: any. Every
 * filter is session-scoped, so any combination is one segment (docs/dashboard-filters.md).
 */
export interface WebFilter {
  source?: string | null;
  deviceType?: string | null;
  country?: string | null;
  landingPage?: string | null;
}

type Key = keyof WebFilter | 'medium' | 'hour';
/** Each key's column in the session summaries and in live sessions (live-sessions.ts). */
const COLUMNS: Record<Key, readonly [summary: string, live: string]> = {
  source: SEGMENT_DIMENSIONS[0],
  medium: SEGMENT_DIMENSIONS[1],
  deviceType: SEGMENT_DIMENSIONS[2],
  country: SEGMENT_DIMENSIONS[3],
  landingPage: ['entry_page', 'entry'],
  hour: ['hour', 'toStartOfHour(began)'],
};
const FILTERS = ['source', 'deviceType', 'country', 'landingPage'] as const;

/** Whether a filter narrows anything (an all-null filter is the unfiltered overview). */
export const isFiltered = (filter: WebFilter | null | undefined): filter is WebFilter =>
  !!filter && FILTERS.some((k) => typeof filter[k] === 'string');

const MERGE = `uniqCombinedMerge(${DISTINCT_PRECISION})`;
/** The figures of segment rows, merged (names unlike any column: aliases resolve first). */
const FIGURES = `sum(n) AS visits, sum(single) AS bounced, sum(ms) AS millis, sum(acts) AS total,
  sum(pv) AS views, sum(o) AS orders, sum(m) AS money, ${MERGE}(v) AS people`;

const num = (v: unknown) => Number(v ?? 0);
const HOUR = 3_600_000;

/** The totals of a segment, as the overview shows them. */
function totals(r: Record<string, unknown> | undefined) {
  const sessions = num(r?.visits);
  return {
    pageViews: num(r?.views),
    uniqueVisitors: num(r?.people),
    sessions,
    bounceRate: sessions ? num(r?.bounced) / sessions : 0,
    avgSessionDuration: sessions ? num(r?.millis) / sessions / 1000 : 0,
    conversions: num(r?.orders),
    conversionRate: sessions ? num(r?.orders) / sessions : 0,
    revenue: num(r?.money),
  };
}

/**
 * The web overview for one segment, from the session summaries by start hour and segment
 * (web_session_segments_1h, or web_session_landings_1h when the landing page is filtered)
 * and the sessions not finalized yet. Figures are those of the sessions that started in the
 * range, its edges taken to whole hours (the summaries' grain).
 */
export class SegmentRepository extends ClickHouseReader {
  /** Rows (`keys`…, n, single, ms, acts, pv, o, m, v) of the segment, grouped by `keys`. */
  private segmentRows(keys: Key[], filter: WebFilter, byLanding: boolean): string {
    const table = byLanding ? SESSION_SUMMARY_TABLES.landings : SESSION_SUMMARY_TABLES.segments;
    const where = (side: 0 | 1) =>
      [
        '1',
        ...FILTERS.filter((k) => typeof filter[k] === 'string').map(
          (k) => `${COLUMNS[k][side]} = {${k}:String}`,
        ),
      ].join(' AND ');
    const select = (side: 0 | 1) => keys.map((k) => `${COLUMNS[k][side]} AS k_${k}`);
    const group = keys.length ? `GROUP BY ${keys.map((k) => `k_${k}`).join(', ')}` : '';
    return `SELECT ${[
      ...select(0),
      `sum(sessions) AS n, sum(bounces) AS single, sum(duration_ms) AS ms, sum(events) AS acts,
    sum(page_views) AS pv, sum(conversions) AS o, sum(revenue) AS m,
    uniqCombinedMergeState(${DISTINCT_PRECISION})(visitors) AS v`,
    ].join(', ')}
  FROM ${this.t(table)}
  WHERE tenant_id = {tenant:String} AND end_hour < finalized_until
    AND hour >= {start:DateTime64(3, 'UTC')} AND hour < {end:DateTime64(3, 'UTC')}
    AND ${where(0)}
  ${group}
  UNION ALL
  SELECT ${[
    ...select(1),
    `count(), countIf(views = 1), toUInt64(sum(dateDiff('millisecond', began, ended))),
    sum(actions), sum(views), sum(orders), sum(money), uniqCombinedState(${DISTINCT_PRECISION})(who)`,
  ].join(', ')}
  FROM (${liveSessions(this.t)})
  WHERE ${where(1)}
  ${group}`;
  }

  /** Parameters: the tenant, the range widened to whole hours, the filters given. */
  private params(tenant: string, range: TimeRange, filter: WebFilter): Record<string, unknown> {
    const start = Math.floor(range.start.getTime() / HOUR) * HOUR;
    const end = Math.ceil(range.end.getTime() / HOUR) * HOUR;
    const given: Record<string, string> = {};
    for (const k of FILTERS) if (typeof filter[k] === 'string') given[k] = filter[k];
    return { tenant, start: chTime(new Date(start)), end: chTime(new Date(end)), ...given };
  }

  private query(keys: Key[], filter: WebFilter, select: (rows: string) => string) {
    return `${finalizedUntil(this.t)}
${select(this.segmentRows(keys, filter, typeof filter.landingPage === 'string' || keys.includes('landingPage')))}`;
  }

  /** The overview's figures and series (points by start hour, day, week or month). */
  async dashboard(tenant: string, range: TimeRange, granularity: Granularity, filter: WebFilter) {
    const rows = await this.rows<Record<string, unknown>>(
      this.query(
        ['hour'],
        filter,
        (segment) => `SELECT * FROM (
  SELECT 0 AS whole, toUnixTimestamp(${BUCKET[granularity]}) AS bucket, ${FIGURES}
  FROM (SELECT k_hour AS minute, * FROM (${segment})) GROUP BY bucket
  UNION ALL
  SELECT 1, 0, ${FIGURES} FROM (${segment}))
ORDER BY whole, bucket`,
      ),
      this.params(tenant, range, filter),
    );
    return {
      ...totals(rows.find((r) => num(r.whole) === 1)),
      timeSeries: rows
        .filter((r) => num(r.whole) === 0)
        .map((r) => ({
          timestamp: new Date(num(r.bucket) * 1000),
          pageViews: num(r.views),
          uniqueVisitors: num(r.people),
          sessions: num(r.visits),
        })),
    };
  }

  /** The segment's figures by `keys`, largest by sessions first. */
  private async breakdown(
    tenant: string,
    range: TimeRange,
    filter: WebFilter,
    keys: Key[],
    limit = 1000,
  ) {
    const names = keys.map((k) => `k_${k}`).join(', ');
    return this.rows<Record<string, unknown>>(
      this.query(
        keys,
        filter,
        (segment) => `SELECT ${names}, ${FIGURES} FROM (${segment})
GROUP BY ${names} ORDER BY visits DESC, ${names} LIMIT {limit:UInt32}`,
      ),
      { ...this.params(tenant, range, filter), limit },
    );
  }

  /** Sessions of the segment by source and medium. */
  async trafficSources(tenant: string, range: TimeRange, filter: WebFilter) {
    const rows = await this.breakdown(tenant, range, filter, ['source', 'medium']);
    const total = rows.reduce((sum, r) => sum + num(r.visits), 0);
    return rows.map((r) => ({
      source: String(r.k_source),
      medium: typeof r.k_medium === 'string' && r.k_medium !== '' ? r.k_medium : null,
      sessions: num(r.visits),
      percentage: total ? (100 * num(r.visits)) / total : 0,
    }));
  }

  /** The segment by device type (a session's browser and OS are not summarized: ''). */
  async devices(tenant: string, range: TimeRange, filter: WebFilter) {
    const rows = await this.breakdown(tenant, range, filter, ['deviceType']);
    return rows.map((r) => ({
      deviceType: String(r.k_deviceType),
      browser: '',
      os: '',
      events: num(r.total),
      pageViews: num(r.views),
      uniqueVisitors: num(r.people),
      sessions: num(r.visits),
    }));
  }

  /** The segment by country (regions are not summarized: null). */
  async geo(tenant: string, range: TimeRange, filter: WebFilter) {
    const rows = await this.breakdown(tenant, range, filter, ['country']);
    return rows.map((r) => ({
      country: String(r.k_country) || null,
      region: null,
      events: num(r.total),
      pageViews: num(r.views),
      uniqueVisitors: num(r.people),
      sessions: num(r.visits),
    }));
  }

  /** The pages sessions of the segment entered on, by sessions. */
  async landingPages(tenant: string, range: TimeRange, filter: WebFilter, limit: number) {
    const rows = await this.breakdown(tenant, range, filter, ['landingPage'], limit);
    return rows.map((r) => ({ url: String(r.k_landingPage), ...totals(r) }));
  }
}
