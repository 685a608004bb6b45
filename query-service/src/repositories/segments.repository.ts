import type { ClickHouseClient } from '@clickhouse/client';
import DataLoader from 'dataloader';
import { LANDING_DIMENSION, SEGMENT_DIMENSIONS } from '@backbone/warehouse';
import { DISTINCT_PRECISION, SESSION_SUMMARY_TABLES } from '@backbone/warehouse/tables';
import { chTime, type Granularity, type TimeRange } from '../time-range.js';
import { finalizedUntil, liveSessions } from './live-sessions.js';
import { BUCKET, ClickHouseReader } from './reader.js';

/**
 * What the web overview may be filtered by: the segment of a session — the source of its
 * first page view, its device type and country, the page it entered on. Null: any. Every
 * filter is session-scoped, so any combination is one segment (query-service/README.md
 * § Filters).
 */
export interface WebFilter {
  source?: string | null;
  deviceType?: string | null;
  country?: string | null;
  landingPage?: string | null;
}

type Dimension = keyof WebFilter | 'medium';
/** Each dimension's column in the session summaries and in live sessions (live-sessions.ts). */
const COLUMNS: Record<Dimension, readonly [summary: string, live: string]> = {
  source: SEGMENT_DIMENSIONS[0],
  medium: SEGMENT_DIMENSIONS[1],
  deviceType: SEGMENT_DIMENSIONS[2],
  country: SEGMENT_DIMENSIONS[3],
  landingPage: LANDING_DIMENSION,
};
/** The fields of a WebFilter, in the order statements name them. */
export const FILTERS = ['source', 'deviceType', 'country', 'landingPage'] as const;

/** Whether a filter narrows anything (an all-null filter is the unfiltered overview). */
export const isFiltered = (filter: WebFilter | null | undefined): filter is WebFilter =>
  !!filter && FILTERS.some((k) => typeof filter[k] === 'string');

/** A question about a segment: its totals, its series at a grain, or a breakdown. */
type Question = 'total' | 'sources' | 'devices' | 'geo' | 'landing' | `series:${Granularity}`;
/** The keys each question groups by: dimensions, or a series' bucket (`bucket_<grain>`). */
const KEYS: Record<Exclude<Question, `series:${string}`>, Dimension[]> = {
  total: [],
  sources: ['source', 'medium'],
  devices: ['deviceType'],
  geo: ['country'],
  landing: ['landingPage'],
};
const keysOf = (q: Question): string[] =>
  q.startsWith('series:') ? [`bucket_${q.slice(7)}`] : KEYS[q as keyof typeof KEYS];

interface Ask {
  tenant: string;
  /** The range's edges taken to whole hours (ClickHouse DateTime64 text). */
  start: string;
  end: string;
  filter: WebFilter;
  question: Question;
  limit: number;
  /** Whether its distinct visitors are asked for (merging their states is the costly part). */
  people: boolean;
}

type Row = Record<string, unknown>;
const MERGE = `uniqCombinedMerge(${DISTINCT_PRECISION})`;
/** The figures of segment rows, merged (names unlike any column: aliases resolve first). */
const FIGURES = `sum(n) AS visits, sum(single) AS bounced, sum(ms) AS millis, sum(acts) AS total,
  sum(pv) AS views, sum(o) AS orders, sum(m) AS money, ${MERGE}(v) AS people`;
const num = (v: unknown) => Number(v ?? 0);
const HOUR = 3_600_000;

/** The totals of a segment, as the overview shows them. */
function totals(r: Row | undefined) {
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
 * (web_session_segments_1h; web_session_landings_1h where the landing page is asked about)
 * and the sessions not finalized yet. Figures are those of the sessions that started in the
 * range, its edges taken to whole hours (the summaries' grain).
 *
 * The overview asks five questions of a segment at once (totals and series, sources,
 * devices, countries, landing pages). Those asked within a few milliseconds of each other
 * about the same segment and range are answered by one statement with GROUPING SETS: the
 * segment's rows are read and its live sessions merged once, not five times.
 */
export class SegmentRepository extends ClickHouseReader {
  private readonly asks: DataLoader<Ask, Row[], string>;

  constructor(clickhouse: ClickHouseClient, database: string) {
    super(clickhouse, database);
    this.asks = new DataLoader((asks) => this.answer(asks), {
      cache: false,
      cacheKeyFn: (a) => JSON.stringify(a),
      // The resolvers of one request reach here after their own cache lookups (Redis round
      // trips), not always in the same tick.
      batchScheduleFn: (run) => setTimeout(run, 3),
    });
  }

  private ask(
    tenant: string,
    range: TimeRange,
    filter: WebFilter,
    question: Question,
    { limit = 1000, people = true }: { limit?: number; people?: boolean } = {},
  ) {
    const start = Math.floor(range.start.getTime() / HOUR) * HOUR;
    const end = Math.ceil(range.end.getTime() / HOUR) * HOUR;
    const given: WebFilter = {};
    for (const k of FILTERS) if (typeof filter[k] === 'string') given[k] = filter[k];
    return this.asks.load({
      tenant,
      start: chTime(new Date(start)),
      end: chTime(new Date(end)),
      filter: given,
      question,
      limit,
      people,
    });
  }

  /**
   * One statement for each segment, range and summary table among the questions, and apart
   * for those that ask for visitors: a statement merges visitor states for all its grouping
   * sets or none.
   */
  private async answer(asks: readonly Ask[]): Promise<Row[][]> {
    const groups = new Map<string, Ask[]>();
    for (const a of asks) {
      const byLanding = typeof a.filter.landingPage === 'string' || a.question === 'landing';
      const key = JSON.stringify([a.tenant, a.start, a.end, a.filter, byLanding, a.people]);
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    const answers = new Map<Ask, Row[]>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const questions = [...new Set(group.map((a) => a.question))];
        const { sql, mask } = this.statement(questions, group);
        const rows = await this.rows<Row>(sql, {
          tenant: group[0]!.tenant,
          start: group[0]!.start,
          end: group[0]!.end,
          ...group[0]!.filter,
        });
        for (const a of group)
          answers.set(a, rows.filter((r) => num(r.g) === mask(a.question)).slice(0, a.limit));
      }),
    );
    return asks.map((a) => answers.get(a)!);
  }

  /**
   * The statement answering `questions` about one segment: its rows (summaries of ended
   * sessions, then live ones) grouped by every key any question needs, then by each
   * question's keys as a grouping set; `g` says which set a row is of (`mask`).
   */
  private statement(questions: Question[], group: Ask[]) {
    const { filter, people } = group[0]!;
    // Only landing pages: the pages with most sessions are all it needs.
    const only = questions.length === 1 && questions[0] === 'landing';
    const keys = [...new Set(questions.flatMap(keysOf))];
    const dimensions = keys.filter((k): k is Dimension => k in COLUMNS);
    const series = keys.filter((k) => k.startsWith('bucket_'));
    const table =
      typeof filter.landingPage === 'string' || questions.includes('landing')
        ? SESSION_SUMMARY_TABLES.landings
        : SESSION_SUMMARY_TABLES.segments;
    const inner = (side: 0 | 1) => [
      ...dimensions.map((d) => `${COLUMNS[d][side]} AS k_${d}`),
      ...(series.length ? [side === 0 ? 'hour AS minute' : 'toStartOfHour(began) AS minute'] : []),
    ];
    const where = (side: 0 | 1) =>
      [
        '1',
        ...FILTERS.filter((k) => typeof filter[k] === 'string').map(
          (k) => `${COLUMNS[k][side]} = {${k}:String}`,
        ),
      ].join(' AND ');
    const groupBy = (side: 0 | 1) =>
      inner(side).length
        ? `GROUP BY ${inner(side)
            .map((c) => c.split(' AS ')[1])
            .join(', ')}`
        : '';
    const rows = `SELECT ${[
      ...inner(0),
      `sum(sessions) AS n, sum(bounces) AS single, sum(duration_ms) AS ms, sum(events) AS acts,
    sum(page_views) AS pv, sum(conversions) AS o, sum(revenue) AS m,
    ${people ? `uniqCombinedMergeState(${DISTINCT_PRECISION})(visitors)` : '0'} AS v`,
    ].join(', ')}
  FROM ${this.t(table)}
  WHERE tenant_id = {tenant:String} AND end_hour < finalized_until
    AND hour >= {start:DateTime64(3, 'UTC')} AND hour < {end:DateTime64(3, 'UTC')}
    AND ${where(0)}
  ${groupBy(0)}
  UNION ALL
  SELECT ${[
    ...inner(1),
    `count(), countIf(views = 1), toUInt64(sum(dateDiff('millisecond', began, ended))),
    sum(actions), sum(views), sum(orders), sum(money),
    ${people ? `uniqCombinedState(${DISTINCT_PRECISION})(who)` : '0'}`,
  ].join(', ')}
  FROM (${liveSessions(this.t)})
  WHERE ${where(1)}
  ${groupBy(1)}`;
    const outer = keys.map((k) =>
      k.startsWith('bucket_')
        ? `toUnixTimestamp(${BUCKET[k.slice(7) as Granularity]}) AS k_${k}`
        : `k_${k}`,
    );
    const names = keys.map((k) => `k_${k}`);
    // grouping(…) has a bit for each key, first key highest: 1 where the key is not in the set.
    const mask = (q: Question) =>
      keys.reduce((m, k, i) => (keysOf(q).includes(k) ? m : m | (1 << (keys.length - 1 - i))), 0);
    const sets = questions.map(
      (q) =>
        `(${keysOf(q)
          .map((k) => `k_${k}`)
          .join(', ')})`,
    );
    const sql = `${finalizedUntil(this.t)}
SELECT ${[names.length ? `grouping(${names.join(', ')}) AS g` : '0 AS g', ...outer].join(', ')},
  ${people ? FIGURES : FIGURES.replace(`${MERGE}(v)`, '0')}
FROM (${rows})
${keys.length ? `GROUP BY GROUPING SETS (${sets.join(', ')})` : ''}
ORDER BY g, visits DESC${names.length ? `, ${names.join(', ')}` : ''}
${only ? `LIMIT ${Math.max(...group.map((a) => a.limit))}` : ''}`;
    return { sql, mask };
  }

  /** The overview's figures and series (points by start hour, day, week or month). */
  async dashboard(tenant: string, range: TimeRange, granularity: Granularity, filter: WebFilter) {
    const [[total], points] = await Promise.all([
      this.ask(tenant, range, filter, 'total'),
      this.ask(tenant, range, filter, `series:${granularity}`, { limit: Number.MAX_SAFE_INTEGER }),
    ]);
    return {
      ...totals(total),
      timeSeries: points
        .map((r) => ({
          timestamp: new Date(num(r[`k_bucket_${granularity}`]) * 1000),
          pageViews: num(r.views),
          uniqueVisitors: num(r.people),
          sessions: num(r.visits),
        }))
        .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime()),
    };
  }

  /** Sessions of the segment by source and medium. */
  async trafficSources(tenant: string, range: TimeRange, filter: WebFilter) {
    const rows = await this.ask(tenant, range, filter, 'sources', { people: false });
    const all = rows.reduce((sum, r) => sum + num(r.visits), 0);
    return rows.map((r) => ({
      source: String(r.k_source),
      medium: typeof r.k_medium === 'string' && r.k_medium !== '' ? r.k_medium : null,
      sessions: num(r.visits),
      percentage: all ? (100 * num(r.visits)) / all : 0,
    }));
  }

  /**
   * The segment by device type (a session's browser and OS are not summarized: ''); its
   * visitors are 0 unless `visitors` (sessions here are exact sums: always counted).
   */
  async devices(tenant: string, range: TimeRange, filter: WebFilter, visitors = true) {
    const rows = await this.ask(tenant, range, filter, 'devices', { people: visitors });
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

  /** The segment by country (regions are not summarized: null); visitors as for devices. */
  async geo(tenant: string, range: TimeRange, filter: WebFilter, visitors = true) {
    const rows = await this.ask(tenant, range, filter, 'geo', { people: visitors });
    return rows.map((r) => ({
      country: String(r.k_country) || null,
      region: null,
      events: num(r.total),
      pageViews: num(r.views),
      uniqueVisitors: num(r.people),
      sessions: num(r.visits),
    }));
  }

  /**
   * The pages sessions of the segment entered on, by sessions; no visitors (a state a row to
   * merge, in a table with every page in its key).
   */
  async landingPages(tenant: string, range: TimeRange, filter: WebFilter, limit: number) {
    const rows = await this.ask(tenant, range, filter, 'landing', { limit, people: false });
    return rows.map((r) => {
      const { uniqueVisitors: _, ...figures } = totals(r);
      return { url: String(r.k_landingPage), ...figures };
    });
  }
}
