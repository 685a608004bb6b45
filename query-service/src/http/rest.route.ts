import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput } from '../errors.js';
import { breakdown, checkFilter, overviewStats } from '../overview.js';
import { isFiltered, type Repositories } from '../repositories/index.js';
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

/** The overview's filter from `source`, `device_type`, `country` and `landing_page`. */
function filter(req: Request) {
  const param = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const q = req.query;
  return checkFilter(
    {
      source: q.source,
      deviceType: q[param('deviceType')],
      country: q.country,
      landingPage: q[param('landingPage')],
    },
    param,
  );
}

/**
 * The REST API over the same repositories as GraphQL: GET /api/v1/stats/… with `start` and
 * `end` (ISO 8601 with a zone) and, where it applies, `granularity`, `limit` or the
 * overview's filter (`source`, `device_type`, `country`, `landing_page`).
 */
export function restRoutes(deps: {
  authenticate: Authenticate;
  stats: Repositories['stats'];
  segments: Repositories['segments'];
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
  route('/api/v1/stats/overview', (v, range, req) =>
    overviewStats(deps, v.tenantId, range, filter(req)),
  );
  route('/api/v1/stats/timeseries', async (v, range, req) => {
    const given = filter(req);
    return isFiltered(given)
      ? (await deps.segments.dashboard(v.tenantId, range, granularity(req), given)).timeSeries
      : deps.stats.timeSeries(v.tenantId, range, granularity(req));
  });
  route('/api/v1/stats/pages', (v, range, req) =>
    deps.stats.topPages(v.tenantId, range, limit(req, 10)),
  );
  route('/api/v1/stats/landing-pages', (v, range, req) =>
    deps.segments.landingPages(v.tenantId, range, filter(req), limit(req, 10)),
  );
  route('/api/v1/stats/sources', (v, range, req) =>
    breakdown(deps, 'trafficSources', v.tenantId, range, filter(req)),
  );
  route('/api/v1/stats/devices', (v, range, req) =>
    breakdown(deps, 'devices', v.tenantId, range, filter(req)),
  );
  route('/api/v1/stats/geo', (v, range, req) =>
    breakdown(deps, 'geo', v.tenantId, range, filter(req)),
  );
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
