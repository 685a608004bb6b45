import { badInput } from './errors.js';
import { FILTERS, isFiltered, type Repositories, type WebFilter } from './repositories/index.js';
import type { Distincts } from './repositories/stats.repository.js';
import type { Granularity, TimeRange } from './time-range.js';

/**
 * The web overview, unfiltered or for one segment: GraphQL and REST ask here, and the
 * answer comes from the traffic rollups or, under a filter, the session segments
 * (query-service/README.md § Filters).
 */
type Reads = Pick<Repositories, 'stats' | 'segments'>;

const MAX_LENGTH = 512;

/** A filter as given (GraphQL input or query parameters), checked; `name` names a field in errors. */
export function checkFilter(
  given: Record<string, unknown> | null | undefined,
  name: (field: string) => string = (field) => `filter.${field}`,
) {
  const filter: WebFilter = {};
  for (const field of FILTERS) {
    const value = given?.[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw badInput(`${name(field)} must be one string`);
    if (value.length > MAX_LENGTH)
      throw badInput(`${name(field)} must be at most ${MAX_LENGTH} characters`);
    filter[field] = value;
  }
  return filter;
}

/** Bounce, duration and conversion rate of the unfiltered overview, beside its counts. */
async function withSessions<T extends { sessions: number; conversions: number }>(
  reads: Reads,
  tenant: string,
  range: TimeRange,
  counts: Promise<T>,
) {
  const [overview, sessions] = await Promise.all([counts, reads.stats.sessionStats(tenant, range)]);
  return {
    ...overview,
    bounceRate: sessions.sessions ? sessions.bounces / sessions.sessions : 0,
    avgSessionDuration: sessions.avgDurationSeconds,
    conversionRate: overview.sessions ? overview.conversions / overview.sessions : 0,
  };
}

/** The overview's figures and its series (GraphQL's dashboardStats). */
export function dashboardStats(
  reads: Reads,
  tenant: string,
  range: TimeRange,
  granularity: Granularity,
  filter: WebFilter,
) {
  if (isFiltered(filter)) return reads.segments.dashboard(tenant, range, granularity, filter);
  const counts = reads.stats
    .dashboard(tenant, range, granularity)
    .then((d) => ({ ...d.overview, timeSeries: d.timeSeries }));
  return withSessions(reads, tenant, range, counts);
}

/** The overview's figures without a series (REST's /stats/overview). */
export async function overviewStats(
  reads: Reads,
  tenant: string,
  range: TimeRange,
  filter: WebFilter,
) {
  if (!isFiltered(filter))
    return withSessions(reads, tenant, range, reads.stats.overview(tenant, range));
  const { timeSeries: _, ...figures } = await reads.segments.dashboard(
    tenant,
    range,
    'DAY',
    filter,
  );
  return figures;
}

/**
 * Sources, devices or countries: of every event, or of the segment's sessions. `distincts`
 * says which distinct counts are wanted (the others come as 0; REST wants both).
 */
export function breakdown(
  reads: Reads,
  by: 'trafficSources' | 'devices' | 'geo',
  tenant: string,
  range: TimeRange,
  filter: WebFilter,
  distincts: Distincts = { visitors: true, sessions: true },
) {
  if (by === 'trafficSources')
    return isFiltered(filter)
      ? reads.segments.trafficSources(tenant, range, filter)
      : reads.stats.trafficSources(tenant, range);
  return isFiltered(filter)
    ? reads.segments[by](tenant, range, filter, distincts.visitors)
    : reads.stats[by](tenant, range, distincts);
}
