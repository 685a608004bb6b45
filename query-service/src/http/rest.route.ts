import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput } from '../errors.js';
import type { Repositories } from '../repositories/index.js';
import { checkRange, GRANULARITIES, type Granularity, type TimeRange } from '../time-range.js';

type Handler = (viewer: Viewer, range: TimeRange, req: Request) => Promise<unknown>;

/** A query parameter that must be a date-time with a zone. */
function time(req: Request, name: string): Date {
  const raw = req.query[name];
  if (typeof raw !== 'string' || raw === '')
    throw badInput(`${name} is required (ISO 8601 date-time)`);
  if (!/([zZ]|[+-]\d\d:?\d\d)$/.test(raw) || Number.isNaN(Date.parse(raw)))
    throw badInput(`${name} must be an ISO 8601 date-time with a zone`);
  return new Date(raw);
}

function granularity(req: Request): Granularity {
  const given = req.query.granularity;
  const raw = (typeof given === 'string' ? given : 'HOUR').toUpperCase();
  if (!(raw in GRANULARITIES)) throw badInput('granularity must be one of HOUR, DAY, WEEK, MONTH');
  return raw as Granularity;
}

function limit(req: Request, fallback: number): number {
  const raw = req.query.limit;
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw badInput('limit must be between 1 and 100');
  return n;
}

/**
 * The REST API over the same repositories as GraphQL: GET /api/v1/stats/… with `start` and
 * `end` (ISO 8601 with a zone) and, where it applies, `granularity` or `limit`.
 */
export function restRoutes(deps: {
  authenticate: Authenticate;
  stats: Repositories['stats'];
  web: Repositories['web'];
  maxRangeDays: number;
}): Router {
  const router = Router();
  /** A route that needs only the viewer (lookups by id). */
  const byId = (path: string, handler: (viewer: Viewer, id: string) => Promise<unknown>) =>
    router.get(path, (req: Request<{ id: string }>, res: Response, next: NextFunction) => {
      void (async () => {
        const viewer = await deps.authenticate(req.headers.authorization);
        const found = await handler(viewer, req.params.id);
        if (found === null)
          res.status(404).json({
            status: 'error',
            code: 'NOT_FOUND',
            message: `no ${path.split('/')[3]?.replace(/s$/, '')} ${req.params.id}`,
          });
        else res.json({ data: found });
      })().catch(next);
    });
  byId('/api/v1/events/:id', (v, id) => deps.web.event(v.tenantId, id));
  byId('/api/v1/sessions/:id', async (v, id) => {
    const session = await deps.web.session(v.tenantId, id);
    return session ? { ...session, events: await deps.web.sessionEvents(v.tenantId, id) } : null;
  });
  const route = (path: string, handler: Handler) =>
    router.get(path, (req: Request, res: Response, next: NextFunction) => {
      void (async () => {
        const viewer = await deps.authenticate(req.headers.authorization);
        const range = checkRange(
          { start: time(req, 'start'), end: time(req, 'end') },
          deps.maxRangeDays,
        );
        res.json({ data: await handler(viewer, range, req) });
      })().catch(next);
    });
  route('/api/v1/stats/overview', async (v, range) => {
    const [overview, sessions] = await Promise.all([
      deps.stats.overview(v.tenantId, range),
      deps.stats.sessionStats(v.tenantId, range),
    ]);
    return {
      ...overview,
      bounceRate: sessions.sessions ? sessions.bounces / sessions.sessions : 0,
      avgSessionDuration: sessions.avgDurationSeconds,
      conversionRate: overview.sessions ? overview.conversions / overview.sessions : 0,
    };
  });
  route('/api/v1/stats/timeseries', (v, range, req) =>
    deps.stats.timeSeries(v.tenantId, range, granularity(req)),
  );
  route('/api/v1/stats/pages', (v, range, req) =>
    deps.stats.topPages(v.tenantId, range, limit(req, 10)),
  );
  route('/api/v1/stats/sources', (v, range) => deps.stats.trafficSources(v.tenantId, range));
  route('/api/v1/stats/devices', (v, range) => deps.stats.devices(v.tenantId, range));
  route('/api/v1/stats/geo', (v, range) => deps.stats.geo(v.tenantId, range));
  const after = (req: Request) => (typeof req.query.after === 'string' ? req.query.after : null);
  const text = (req: Request, name: string) => {
    const value = req.query[name];
    return typeof value === 'string' ? value : null;
  };
  route('/api/v1/events', (v, range, req) =>
    deps.web.events(
      v.tenantId,
      range,
      { eventType: text(req, 'event_type'), sessionId: text(req, 'session_id') },
      limit(req, 50),
      after(req),
    ),
  );
  route('/api/v1/sessions', (v, range, req) =>
    deps.web.sessions(v.tenantId, range, limit(req, 50), after(req)),
  );
  return router;
}
