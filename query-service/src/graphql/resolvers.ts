import type { GraphQLResolveInfo } from 'graphql';
import type { Viewer } from '../auth.js';
import { badInput } from '../errors.js';
import { breakdown, checkFilter, dashboardStats } from '../overview.js';
import type { Repositories } from '../repositories/index.js';
import { checkRange, type Granularity, type TimeRange } from '../time-range.js';
import { liveIterator, type LiveHub } from './live.js';
import { selects } from './selection.js';
import { DateTime, JSONScalar, Long } from './schema.js';

export interface QueryContext {
  viewer: Viewer;
  web: Repositories['web'];
  live: LiveHub;
  stats: Repositories['stats'];
  segments: Repositories['segments'];
  speech: Repositories['speech'];
  maxRangeDays: number;
}

const MAX_LIMIT = 100;

function pageSize(pagination: { first?: number | null } | null | undefined): number {
  const first = pagination?.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > MAX_LIMIT)
    throw badInput(`pagination.first must be between 1 and ${MAX_LIMIT}`);
  return first;
}

type Pagination = { first?: number | null; after?: string | null } | null | undefined;
type Filter = Record<string, unknown> | null;
type Breakdown = { timeRange: TimeRange; filter?: Filter };

/** A model or language argument: a code, not a text. */
function code(value: string | null | undefined, name: string): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > 128) throw badInput(`${name} must be at most 128 characters`);
  return value;
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw badInput(`limit must be between 1 and ${MAX_LIMIT}`);
  return limit;
}

const breakdownOf = (
  ctx: QueryContext,
  by: 'trafficSources' | 'devices' | 'geo',
  args: Breakdown,
  info: GraphQLResolveInfo,
) =>
  breakdown(
    ctx,
    by,
    ctx.viewer.tenantId,
    checkRange(args.timeRange, ctx.maxRangeDays),
    checkFilter(args.filter),
    // The distinct counts only where the query shows them (the dashboard's do not).
    { visitors: selects(info, 'uniqueVisitors'), sessions: selects(info, 'sessions') },
  );

/** Every resolver reads for the token's tenant only; the tenant is never an argument. */
export const resolvers = {
  DateTime,
  Long,
  JSON: JSONScalar,
  Session: {
    events: (parent: { id: string }, _: unknown, ctx: QueryContext) =>
      ctx.web.sessionEvents(ctx.viewer.tenantId, parent.id),
  },
  Subscription: {
    liveStats: {
      subscribe: (_: unknown, args: { windowMinutes: number }, ctx: QueryContext) => {
        if (
          !Number.isInteger(args.windowMinutes) ||
          args.windowMinutes < 1 ||
          args.windowMinutes > 1440
        )
          throw badInput('windowMinutes must be between 1 and 1440');
        return liveIterator(ctx.live, ctx.viewer.tenantId, args.windowMinutes);
      },
    },
  },
  Query: {
    events: (
      _: unknown,
      args: {
        filter: { timeRange: TimeRange; eventType?: string | null; sessionId?: string | null };
        pagination?: Pagination;
      },
      ctx: QueryContext,
    ) =>
      ctx.web.events(
        ctx.viewer.tenantId,
        checkRange(args.filter.timeRange, ctx.maxRangeDays),
        { eventType: args.filter.eventType ?? null, sessionId: args.filter.sessionId ?? null },
        pageSize(args.pagination),
        args.pagination?.after,
      ),
    event: (_: unknown, args: { id: string }, ctx: QueryContext) =>
      ctx.web.event(ctx.viewer.tenantId, args.id),
    sessions: (
      _: unknown,
      args: { filter: { timeRange: TimeRange }; pagination?: Pagination },
      ctx: QueryContext,
    ) =>
      ctx.web.sessions(
        ctx.viewer.tenantId,
        checkRange(args.filter.timeRange, ctx.maxRangeDays),
        pageSize(args.pagination),
        args.pagination?.after,
      ),
    session: (_: unknown, args: { id: string }, ctx: QueryContext) =>
      ctx.web.session(ctx.viewer.tenantId, args.id),
    dashboardStats: (
      _: unknown,
      args: { timeRange: TimeRange; granularity: Granularity; filter?: Filter },
      ctx: QueryContext,
    ) =>
      dashboardStats(
        ctx,
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        args.granularity,
        checkFilter(args.filter),
      ),
    topPages: (_: unknown, args: { timeRange: TimeRange; limit: number }, ctx: QueryContext) =>
      ctx.stats.topPages(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        checkLimit(args.limit),
      ),
    landingPages: (
      _: unknown,
      args: { timeRange: TimeRange; limit: number; filter?: Filter },
      ctx: QueryContext,
    ) =>
      ctx.segments.landingPages(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        checkFilter(args.filter),
        checkLimit(args.limit),
      ),
    trafficSources: (_: unknown, args: Breakdown, ctx: QueryContext, info: GraphQLResolveInfo) =>
      breakdownOf(ctx, 'trafficSources', args, info),
    devices: (_: unknown, args: Breakdown, ctx: QueryContext, info: GraphQLResolveInfo) =>
      breakdownOf(ctx, 'devices', args, info),
    geo: (_: unknown, args: Breakdown, ctx: QueryContext, info: GraphQLResolveInfo) =>
      breakdownOf(ctx, 'geo', args, info),
    sttQuality: (
      _: unknown,
      args: {
        timeRange: TimeRange;
        granularity: Granularity;
        model?: string | null;
        language?: string | null;
      },
      ctx: QueryContext,
    ) =>
      ctx.speech.quality(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        args.granularity,
        { model: code(args.model, 'model'), language: code(args.language, 'language') },
      ),
    sttSessions: (
      _: unknown,
      args: { timeRange: TimeRange; first: number; after?: string | null },
      ctx: QueryContext,
    ) => {
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_LIMIT)
        throw badInput(`first must be between 1 and ${MAX_LIMIT}`);
      return ctx.speech.sessions(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        args.first,
        args.after,
      );
    },
    sttSession: (_: unknown, args: { id: string }, ctx: QueryContext) =>
      ctx.speech.session(ctx.viewer.tenantId, args.id),
    speakerMetrics: (_: unknown, args: { sessionId: string }, ctx: QueryContext) =>
      ctx.speech.speakers(ctx.viewer.tenantId, args.sessionId),
    modelPerformance: (
      _: unknown,
      args: { timeRange: TimeRange; language?: string | null },
      ctx: QueryContext,
    ) =>
      ctx.speech.modelPerformance(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        code(args.language, 'language'),
      ),
    sttLanguages: (
      _: unknown,
      args: { timeRange: TimeRange; model?: string | null },
      ctx: QueryContext,
    ) =>
      ctx.speech.languages(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        code(args.model, 'model'),
      ),
    realtimeSummary: (_: unknown, _args: unknown, ctx: QueryContext) =>
      ctx.speech.realtime(ctx.viewer.tenantId),
  },
};
