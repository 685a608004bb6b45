import type { Viewer } from './auth.js';
import { badInput } from './errors.js';
import type { StatsRepository } from './stats.repository.js';
import { checkRange, type Granularity, type TimeRange } from './time-range.js';
import { DateTime, Long } from './schema.js';

export interface QueryContext {
  viewer: Viewer;
  stats: StatsRepository;
  maxRangeDays: number;
}

const MAX_LIMIT = 100;

/** Every resolver reads for the token's tenant only; the tenant is never an argument. */
export const resolvers = {
  DateTime,
  Long,
  Query: {
    dashboardStats: async (
      _: unknown,
      args: { timeRange: TimeRange; granularity: Granularity },
      ctx: QueryContext,
    ) => {
      const range = checkRange(args.timeRange, ctx.maxRangeDays);
      const tenant = ctx.viewer.tenantId;
      const [overview, sessions, timeSeries] = await Promise.all([
        ctx.stats.overview(tenant, range),
        ctx.stats.sessionStats(tenant, range),
        ctx.stats.timeSeries(tenant, range, args.granularity),
      ]);
      return {
        ...overview,
        bounceRate: sessions.sessions ? sessions.bounces / sessions.sessions : 0,
        avgSessionDuration: sessions.avgDurationSeconds,
        conversionRate: overview.sessions ? overview.conversions / overview.sessions : 0,
        timeSeries,
      };
    },
    topPages: (_: unknown, args: { timeRange: TimeRange; limit: number }, ctx: QueryContext) => {
      if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > MAX_LIMIT)
        throw badInput(`limit must be between 1 and ${MAX_LIMIT}`);
      return ctx.stats.topPages(
        ctx.viewer.tenantId,
        checkRange(args.timeRange, ctx.maxRangeDays),
        args.limit,
      );
    },
    trafficSources: (_: unknown, args: { timeRange: TimeRange }, ctx: QueryContext) =>
      ctx.stats.trafficSources(ctx.viewer.tenantId, checkRange(args.timeRange, ctx.maxRangeDays)),
  },
};
