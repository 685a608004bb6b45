import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * REFERENCE R5 (web analytics), so far: dashboardStats, topPages, trafficSources. Counts are
 * `Long` — JSON numbers up to 2^53 — because GraphQL's Int stops at 2^31.
 */
export const typeDefs = /* GraphQL */ `
  "An instant, ISO 8601 with a zone (e.g. 2025-01-15T10:30:00Z)."
  scalar DateTime
  "A whole number up to 2^53, for counts that outgrow Int."
  scalar Long

  enum Granularity {
    HOUR
    DAY
    WEEK
    MONTH
  }

  input TimeRange {
    start: DateTime!
    end: DateTime!
  }

  type TimeSeriesPoint {
    timestamp: DateTime!
    pageViews: Long!
    uniqueVisitors: Long!
    sessions: Long!
  }

  type DashboardStats {
    pageViews: Long!
    uniqueVisitors: Long!
    sessions: Long!
    "Share of sessions (started in the range) with exactly one page view, 0..1."
    bounceRate: Float!
    "Seconds from a session's first to its last event, averaged."
    avgSessionDuration: Float!
    conversions: Long!
    "Conversions per session, 0..1."
    conversionRate: Float!
    revenue: Float!
    timeSeries: [TimeSeriesPoint!]!
  }

  type PageStats {
    url: String!
    pageViews: Long!
    uniqueVisitors: Long!
    "Seconds until the session's next page view; the last page of a session is not counted."
    avgTimeOnPage: Float!
    "Of the sessions that entered on this page, the share that saw no other, 0..1."
    bounceRate: Float!
  }

  type TrafficSource {
    source: String!
    medium: String
    sessions: Long!
    percentage: Float!
  }

  type Query {
    dashboardStats(timeRange: TimeRange!, granularity: Granularity = HOUR): DashboardStats!
    topPages(timeRange: TimeRange!, limit: Int = 10): [PageStats!]!
    trafficSources(timeRange: TimeRange!): [TrafficSource!]!
  }
`;

const badValue = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

function parseDateTime(value: unknown): Date {
  if (
    typeof value !== 'string' ||
    !/([zZ]|[+-]\d\d:?\d\d)$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw badValue(`DateTime must be an ISO 8601 string with a zone, got ${JSON.stringify(value)}`);
  return new Date(value);
}

function parseLong(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw badValue('Long must be a safe integer');
  return value;
}

export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize: (value) => (value as Date).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast): Date => {
    if (ast.kind !== Kind.STRING) throw badValue('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

export const Long = new GraphQLScalarType<number, number>({
  name: 'Long',
  serialize: (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new GraphQLError(`Long out of range: ${String(value)}`);
    return n;
  },
  parseValue: parseLong,
  parseLiteral: (ast): number => {
    if (ast.kind !== Kind.INT) throw badValue('Long must be an integer');
    return parseLong(Number(ast.value));
  },
});
