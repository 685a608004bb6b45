import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticate } from '../auth.js';
import { badInput } from '../errors.js';
import type { Repositories } from '../repositories/index.js';
import { checkRange } from '../time-range.js';

const FORMATS = {
  csv: { clickhouse: 'CSVWithNames', type: 'text/csv; charset=utf-8', ext: 'csv' },
  json: { clickhouse: 'JSONEachRow', type: 'application/x-ndjson', ext: 'ndjson' },
} as const;

/**
 * GET /api/v1/export?start&end&format=csv|json — the tenant's web events of a time range,
 * streamed from ClickHouse to the client as they come (never held whole in memory).
 */
export function exportRoute(deps: {
  authenticate: Authenticate;
  exports: Repositories['exports'];
  maxRangeDays: number;
}): Router {
  const router = Router();
  router.get('/api/v1/export', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const viewer = await deps.authenticate(req.headers.authorization);
      const start = typeof req.query.start === 'string' ? new Date(req.query.start) : new Date(NaN);
      const end = typeof req.query.end === 'string' ? new Date(req.query.end) : new Date(NaN);
      const range = checkRange({ start, end }, deps.maxRangeDays);
      const name = typeof req.query.format === 'string' ? req.query.format : 'csv';
      if (!(name in FORMATS)) throw badInput('format must be csv or json');
      const format = FORMATS[name as keyof typeof FORMATS];
      const stream = await deps.exports.webEvents(viewer.tenantId, range, format.clickhouse);
      res.status(200).type(format.type);
      res.setHeader(
        'content-disposition',
        `attachment; filename="events-${range.start.toISOString().slice(0, 10)}.${format.ext}"`,
      );
      stream.on('error', (err) => res.destroy(err));
      // Back-pressure: a slow client slows the read from ClickHouse instead of filling memory.
      stream.pipe(res);
    })().catch(next);
  });
  return router;
}
