import { TABLES } from '@backbone/warehouse/tables';
import type { ClickHouseClient } from '@clickhouse/client';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Authenticate } from './auth.js';
import { badInput } from './errors.js';
import { chTime, checkRange } from './time-range.js';

/** What an export holds: identifiers and dimensions of class none/low, never masked values. */
const COLUMNS = `event_id, event_type, occurred_at, session_id, page_host, page_path, device_type,
  browser, os, country, region, traffic_source, traffic_medium, utm_source, utm_medium, utm_campaign,
  value, currency`;

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
  clickhouse: ClickHouseClient;
  database: string;
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
      const { stream } = await deps.clickhouse.exec({
        query: `SELECT ${COLUMNS} FROM ${deps.database}.${TABLES.webEvents}
WHERE tenant_id = {tenant:String}
  AND occurred_at >= {start:DateTime64(3, 'UTC')} AND occurred_at < {end:DateTime64(3, 'UTC')}
ORDER BY occurred_at, event_id
FORMAT ${format.clickhouse}`,
        query_params: {
          tenant: viewer.tenantId,
          start: chTime(range.start),
          end: chTime(range.end),
        },
      });
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
