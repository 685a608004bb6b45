import type { StreamName } from '@backbone/schemas';
import { rawTable, streamColumns } from './columns.js';
import { DEDUP_WINDOW, qualified, type TableNames } from './raw-tables.js';
import { DISTINCT_PRECISION, TABLES, viewOf } from './tables.js';

/**
 * Web rollups: AggregatingMergeTree tables fed by materialized views on web_events. They hold
 * only `none` and `low` values (no identifiers in clear: visitors are counted from the keyed
 * hash of anonymous_id), so they are kept as long as the low class allows, 2 years.
 * Grain and questions per table: warehouse/README.md.
 */
const TIME = "DateTime64(3, 'UTC')";
const SETTINGS = `SETTINGS non_replicated_deduplication_window = ${DEDUP_WINDOW}`;
const LC = 'LowCardinality(String)';
// A visitor: the pseudonymous device id, or the session when consent removed it.
const VISITOR = 'coalesce(anonymous_id, session_id)';

const DISTINCT = `uniqCombined(${DISTINCT_PRECISION})`;
const DISTINCT_STATE = `uniqCombinedState(${DISTINCT_PRECISION})`;

interface Rollup {
  table: string;
  columns: string[];
  orderBy: string;
  partitionBy: string;
  ttl?: string;
  /** SELECT … FROM {SOURCE} … that the view runs on every inserted block. */
  select: string;
  source: StreamName;
}

/**
 * Qualifies the source table's columns (`e.page_path`) before GROUP BY: ClickHouse resolves a
 * bare name to a SELECT alias first, so `coalesce(page_path, '') AS page_path` next to a
 * `WHERE page_path IS NOT NULL` would test the alias, and an aggregate aliased like a column
 * would be nested in the next expression that reads that column.
 */
export function qualifySource(select: string, stream: StreamName): string {
  const names = new Set(streamColumns(stream).map((c) => c.name));
  const at = select.search(/\nGROUP BY /);
  const head = at < 0 ? select : select.slice(0, at);
  const qualifiedHead = head
    .split(/('[^']*')/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(
            /(?<![.\w])([a-z_][a-z0-9_]*)\b(?!\s*\()/g,
            (word: string, _n, offset: number) =>
              names.has(word) && !/\bAS\s+$/.test(part.slice(0, offset)) ? `e.${word}` : word,
          ),
    )
    .join('');
  return qualifiedHead + (at < 0 ? '' : select.slice(at));
}

export function rollupDdl(names: TableNames, r: Rollup): string[] {
  const table = qualified(names, r.table);
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (
  ${r.columns.join(',\n  ')}
) ENGINE = AggregatingMergeTree
PARTITION BY ${r.partitionBy}
ORDER BY (${r.orderBy})${r.ttl ? `\nTTL ${r.ttl}` : ''}
${SETTINGS}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(names, viewOf(r.table))} TO ${table} AS
${qualifySource(r.select, r.source).replace('{SOURCE}', `${qualified(names, rawTable(r.source))} AS e`)}`,
  ];
}

/** A rollup by hour (or, for long ranges, by day) and some dimensions. */
const hourly = (
  table: string,
  dims: [string, string][],
  where: string,
  measures: { column: string; expr: string }[],
  grain: 'hour' | 'day' = 'hour',
): Rollup => ({
  table,
  source: 'web',
  columns: [
    `tenant_id ${LC}`,
    grain === 'hour' ? "hour DateTime('UTC')" : 'day Date',
    ...dims.map(([d]) => `${d} ${LC}`),
    ...measures.map((m) => m.column),
  ],
  partitionBy: `toYYYYMM(${grain})`,
  orderBy: ['tenant_id', grain, ...dims.map(([d]) => d)].join(', '),
  ttl: `${grain} + INTERVAL 730 DAY`,
  select: `SELECT tenant_id, ${BUCKETS[grain]} AS ${grain}, ${dims
    .map(([d, expr]) => `${expr} AS ${d}`)
    .join(', ')}, ${measures.map((m) => m.expr).join(', ')}
FROM {SOURCE}${where ? ` WHERE ${where}` : ''}
GROUP BY tenant_id, ${grain}, ${dims.map(([d]) => d).join(', ')}`,
});

export type Grain = 'minute' | 'hour' | 'day';
/** A raw row's bucket at each grain. */
export const BUCKETS: Record<Grain, string> = {
  minute: 'toStartOfMinute(occurred_at)',
  hour: 'toStartOfHour(occurred_at)',
  day: 'toDate(occurred_at)',
};

const DISTINCTS = [
  {
    column: `visitors AggregateFunction(${DISTINCT}, String)`,
    expr: `${DISTINCT_STATE}(${VISITOR}) AS visitors`,
  },
  {
    column: `sessions AggregateFunction(${DISTINCT}, String)`,
    expr: `${DISTINCT_STATE}(session_id) AS sessions`,
  },
];

const VISITS = [
  {
    column: 'page_views SimpleAggregateFunction(sum, UInt64)',
    expr: "countIf(event_type = 'page_view') AS page_views",
  },
  ...DISTINCTS,
];

/**
 * Traffic per tenant and bucket at one grain: exact counts (events, page views, conversions,
 * revenue) and distinct visitors and sessions. No event type in the key: one visitor state
 * per bucket, so 30 days by the day merge 30 of them (per event type, they merged several
 * times as many, and the same visitors over again). The minute grain answers short ranges;
 * hours and days (migration 0007) answer long ones.
 */
function trafficRollup(table: string, time: Grain): Rollup {
  return {
    table,
    source: 'web',
    columns: [
      `tenant_id ${LC}`,
      `${time} ${time === 'day' ? 'Date' : "DateTime('UTC')"}`,
      'events SimpleAggregateFunction(sum, UInt64)',
      ...VISITS.map((m) => m.column),
      'conversions SimpleAggregateFunction(sum, UInt64)',
      'revenue SimpleAggregateFunction(sum, Float64)',
    ],
    partitionBy: `toYYYYMM(${time})`,
    orderBy: `tenant_id, ${time}`,
    ttl: `${time} + INTERVAL 730 DAY`,
    select: `SELECT tenant_id, ${BUCKETS[time]} AS ${time}, count() AS events,
  ${VISITS.map((m) => m.expr).join(', ')},
  countIf(event_type = 'conversion') AS conversions,
  sumIf(coalesce(value, 0), event_type = 'conversion') AS revenue
FROM {SOURCE}
GROUP BY tenant_id, ${time}`,
  };
}

/** Page views, visitors and sessions per page. */
const pagesRollup = (grain: 'hour' | 'day') =>
  hourly(
    grain === 'hour' ? TABLES.webPages1h : TABLES.webPages1d,
    [
      ['page_host', "coalesce(page_host, '')"],
      ['page_path', "coalesce(page_path, '')"],
    ],
    "event_type = 'page_view'",
    VISITS,
    grain,
  );

const EVENTS_AND_VISITS = [
  { column: 'events SimpleAggregateFunction(sum, UInt64)', expr: 'count() AS events' },
  ...VISITS,
];

/** Events, page views, visitors and sessions by device type, browser and OS. */
const devicesRollup = (grain: 'hour' | 'day') =>
  hourly(
    grain === 'hour' ? TABLES.webDevices1h : TABLES.webDevices1d,
    [
      ['device_type', 'device_type'],
      ['browser', 'browser'],
      ['os', 'os'],
    ],
    '',
    EVENTS_AND_VISITS,
    grain,
  );

/** The same by country and region. */
const geoRollup = (grain: 'hour' | 'day') =>
  hourly(
    grain === 'hour' ? TABLES.webGeo1h : TABLES.webGeo1d,
    [
      ['country', "coalesce(country, '')"],
      ['region', "coalesce(region, '')"],
    ],
    '',
    EVENTS_AND_VISITS,
    grain,
  );

/** Migration 0009: devices and countries by day, for long ranges. */
export function coarseBreakdownRollups(names: TableNames): string[] {
  return [devicesRollup('day'), geoRollup('day')].flatMap((r) => rollupDdl(names, r));
}

/** Migration 0007: traffic by hour and by day, pages by day, for long ranges. */
export function coarseTrafficRollups(names: TableNames): string[] {
  return [
    trafficRollup(TABLES.webTraffic1h, 'hour'),
    trafficRollup(TABLES.webTraffic1d, 'day'),
    pagesRollup('day'),
  ].flatMap((r) => rollupDdl(names, r));
}

export function webRollups(names: TableNames): string[] {
  const rollups: Rollup[] = [
    trafficRollup(TABLES.webTraffic1m, 'minute'),
    pagesRollup('hour'),
    hourly(
      TABLES.webSources1h,
      [
        ['traffic_source', "coalesce(traffic_source, '')"],
        ['traffic_medium', "coalesce(traffic_medium, '')"],
        ['utm_source', "coalesce(utm_source, '')"],
        ['utm_medium', "coalesce(utm_medium, '')"],
        ['utm_campaign', "coalesce(utm_campaign, '')"],
      ],
      // Landings: a page reached from outside the site (internal navigation is not a source).
      "event_type = 'page_view' AND coalesce(traffic_source, '') != '(internal)'",
      VISITS,
    ),
    devicesRollup('hour'),
    geoRollup('hour'),
    {
      // One row per session per day it was active in; merge by session_id when reading.
      table: TABLES.webSessions,
      source: 'web',
      columns: [
        `tenant_id ${LC}`,
        'day Date',
        'session_id String',
        `started_at AggregateFunction(min, ${TIME})`,
        `ended_at AggregateFunction(max, ${TIME})`,
        'events SimpleAggregateFunction(sum, UInt64)',
        'page_views SimpleAggregateFunction(sum, UInt64)',
        'conversions SimpleAggregateFunction(sum, UInt64)',
        'revenue SimpleAggregateFunction(sum, Float64)',
        ...[
          'visitor',
          'entry_page',
          'traffic_source',
          'traffic_medium',
          'device_type',
          'country',
        ].map((c) => `${c} AggregateFunction(argMin, String, ${TIME})`),
        `exit_page AggregateFunction(argMax, String, ${TIME})`,
      ],
      partitionBy: 'toYYYYMM(day)',
      orderBy: 'tenant_id, day, session_id',
      ttl: 'day + INTERVAL 730 DAY',
      select: `SELECT tenant_id, toDate(min(occurred_at)) AS day, session_id,
  minState(occurred_at) AS started_at, maxState(occurred_at) AS ended_at,
  count() AS events, countIf(event_type = 'page_view') AS page_views,
  countIf(event_type = 'conversion') AS conversions,
  sumIf(coalesce(value, 0), event_type = 'conversion') AS revenue,
  argMinState(${VISITOR}, occurred_at) AS visitor,
  argMinIfState(coalesce(page_path, ''), occurred_at, event_type = 'page_view') AS entry_page,
  argMaxIfState(coalesce(page_path, ''), occurred_at, event_type = 'page_view') AS exit_page,
  argMinIfState(coalesce(traffic_source, ''), occurred_at, event_type = 'page_view') AS traffic_source,
  argMinIfState(coalesce(traffic_medium, ''), occurred_at, event_type = 'page_view') AS traffic_medium,
  argMinState(toString(device_type), occurred_at) AS device_type,
  argMinState(coalesce(country, ''), occurred_at) AS country
FROM {SOURCE}
GROUP BY tenant_id, session_id`,
    },
  ];
  return rollups.flatMap((r) => rollupDdl(names, r));
}
