import { buildSchema, GraphQLError, GraphQLScalarType, Kind, printSchema } from 'graphql';

/**
 * Web analytics and speech analytics: dashboard, pages, sources, devices,
 * geo; STT quality, sessions and speakers. Counts are
 * `Long` — JSON numbers up to 2^53 — because GraphQL's Int stops at 2^31.
 */
export const typeDefs = /* GraphQL */ `
  "An instant, ISO 8601 with a zone (e.g. 2025-01-15T10:30:00Z)."
  scalar DateTime
  "A whole number up to 2^53, for counts that outgrow Int."
  scalar Long

  "Any JSON value (an event's properties)."
  scalar JSON

  "Cursor pagination: at most 100 a page; pass the previous page's endCursor as after."
  input PaginationInput {
    first: Int = 50
    after: String
  }

  input EventFilter {
    timeRange: TimeRange!
    eventType: String
    sessionId: ID
  }

  input SessionFilter {
    timeRange: TimeRange!
  }

  type Event {
    id: ID!
    eventType: String!
    timestamp: DateTime!
    sessionId: ID!
    "Payload fields after masking (a page view's url and title, a conversion's value, …)."
    properties: JSON
    url: String
    deviceType: String
    country: String
  }

  type EventConnection {
    nodes: [Event!]!
    pageInfo: PageInfo!
  }

  type Session {
    id: ID!
    startedAt: DateTime!
    endedAt: DateTime
    durationSeconds: Int
    pageViews: Long!
    isBounce: Boolean!
    entryPage: String
    exitPage: String
    source: String
    "In order, at most 1,000."
    events: [Event!]!
  }

  type SessionConnection {
    nodes: [Session!]!
    pageInfo: PageInfo!
  }

  enum Granularity {
    HOUR
    DAY
    WEEK
    MONTH
  }

  """
  A segment of sessions: the source of a session's first page view, its device type and
  country, the page it entered on. Every field is optional (null: any) and they combine.
  Under a filter every figure is the sessions': those that started in the range (its edges
  taken to whole hours), with all they did. "" matches sessions where the value is unknown.
  """
  input WebFilter {
    source: String
    deviceType: String
    country: String
    landingPage: String
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

  "Sessions that entered on a page (no distinct visitors: a state per page and segment to merge)."
  type LandingPageStats {
    url: String!
    sessions: Long!
    pageViews: Long!
    "Of these sessions, the share with exactly one page view, 0..1."
    bounceRate: Float!
    avgSessionDuration: Float!
    conversions: Long!
    conversionRate: Float!
    revenue: Float!
  }

  type TrafficSource {
    source: String!
    medium: String
    sessions: Long!
    percentage: Float!
  }

  type DeviceStats {
    deviceType: String!
    browser: String!
    os: String!
    events: Long!
    pageViews: Long!
    uniqueVisitors: Long!
    sessions: Long!
  }

  type GeoStats {
    "ISO 3166-1 alpha-2; null when the IP had no match."
    country: String
    region: String
    events: Long!
    pageViews: Long!
    uniqueVisitors: Long!
    sessions: Long!
  }

  "STT quality of one model and language in one time bucket."
  type SttQualityPoint {
    timestamp: DateTime!
    model: String!
    language: String!
    segments: Long!
    finalWords: Long!
    "Final words per minute of final audio."
    wordsPerMinute: Float
    avgConfidence: Float
    latencyP50: Float
    latencyP95: Float
    latencyP99: Float
    "Processing time / audio duration, per segment."
    realTimeFactorP50: Float
    realTimeFactorP95: Float
    realTimeFactorP99: Float
    sessionsStarted: Long!
    errors: Long!
    "Errors per session started."
    errorRate: Float!
  }

  type SttSession {
    id: ID!
    startedAt: DateTime!
    endedAt: DateTime!
    model: String
    language: String
    diarization: Boolean!
    durationMs: Long
    words: Long!
    speakers: Long!
    speakerChanges: Long!
    "active, completed, cancelled, failed, timeout or error"
    status: String!
    errors: Long!
    avgConfidence: Float
    avgLatencyMs: Float
    avgRealTimeFactor: Float
    events: Long!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
  }
  type SttSessionConnection {
    nodes: [SttSession!]!
    pageInfo: PageInfo!
  }

  type SpeakerStats {
    speakerId: String!
    "Speech time from final segments' timing."
    talkMs: Long!
    "Share of the session's talk time, 0..1."
    talkShare: Float!
    segments: Long!
    words: Long!
    "Times the conversation turned to this speaker."
    changesTo: Long!
  }

  "Traffic of the last windowMinutes, recomputed every second."
  type LiveStats {
    at: DateTime!
    windowMinutes: Int!
    events: Long!
    pageViews: Long!
    uniqueVisitors: Long!
    sessions: Long!
    eventsPerMinute: Float!
  }

  type Subscription {
    "Pushed every second over WebSocket (graphql-ws); windowMinutes from 1 to 1440."
    liveStats(windowMinutes: Int = 5): LiveStats!
  }

  type SttLanguage {
    "The language code ('' when none was detected or given)."
    language: String!
    sessionsStarted: Long!
    segments: Long!
  }

  type ModelPerformance {
    model: String!
    sessionsStarted: Long!
    segments: Long!
    finalWords: Long!
    avgConfidence: Float
    latencyP50: Float
    latencyP95: Float
    latencyP99: Float
    realTimeFactorP50: Float
    errors: Long!
    errorRate: Float!
  }

  "Right now: live STT sessions, traffic, latency and how sessions end."
  type RealtimeSummary {
    at: DateTime!
    "STT sessions not ended whose last event is under 10 minutes old."
    activeSessions: Long!
    "Web events and STT segments per minute, over the last 5 minutes."
    eventsPerMinute: Float!
    "Median STT segment latency over the last 5 minutes."
    latencyP50Ms: Float
    "Of the STT sessions that ended in the last hour, the share that completed."
    successRate: Float
  }

  type Query {
    "Web events, newest first."
    events(filter: EventFilter!, pagination: PaginationInput): EventConnection!
    event(id: ID!): Event
    "Web sessions that started in the range, newest first."
    sessions(filter: SessionFilter!, pagination: PaginationInput): SessionConnection!
    session(id: ID!): Session
    dashboardStats(
      timeRange: TimeRange!
      granularity: Granularity = HOUR
      filter: WebFilter
    ): DashboardStats!
    "Pages by views: every page view, whatever the session (no filter)."
    topPages(timeRange: TimeRange!, limit: Int = 10): [PageStats!]!
    "Pages sessions entered on, by sessions; filtered like the overview."
    landingPages(timeRange: TimeRange!, limit: Int = 10, filter: WebFilter): [LandingPageStats!]!
    trafficSources(timeRange: TimeRange!, filter: WebFilter): [TrafficSource!]!
    "Under a filter, by device type only (browser and os are empty)."
    devices(timeRange: TimeRange!, filter: WebFilter): [DeviceStats!]!
    "Under a filter, by country only (region is null)."
    geo(timeRange: TimeRange!, filter: WebFilter): [GeoStats!]!
    sttQuality(
      timeRange: TimeRange!
      granularity: Granularity = HOUR
      model: String
      language: String
    ): [SttQualityPoint!]!
    "Sessions that started in the range, newest first; at most 100 a page."
    sttSessions(timeRange: TimeRange!, first: Int = 20, after: String): SttSessionConnection!
    sttSession(id: ID!): SttSession
    speakerMetrics(sessionId: ID!): [SpeakerStats!]!
    "Every model's totals; of one language when language is given."
    modelPerformance(timeRange: TimeRange!, language: String): [ModelPerformance!]!
    "The languages transcribed, by sessions started; of one model when model is given."
    sttLanguages(timeRange: TimeRange!, model: String): [SttLanguage!]!
    realtimeSummary: RealtimeSummary!
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
  // Dates from ClickHouse, or their ISO text when the answer came from the cache.
  serialize: (value) => new Date(value as Date | string).toISOString(),
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

export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (value) => value,
  parseValue: (value) => value,
});

/**
 * The schema as SDL, served at /graphql/schema.graphql and committed as
 * query-service/schema.graphql (a unit test keeps the two equal).
 */
export const schemaSDL = () => `${printSchema(buildSchema(typeDefs))}\n`;
