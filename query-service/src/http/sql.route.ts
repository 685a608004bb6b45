import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import { moduleLogger, type Logger } from '@backbone/runtime';
import type { Authenticate, Viewer } from '../auth.js';
import { badInput, forbidden, QueryError } from '../errors.js';
import type { AuditEntry, AuditLog, AuditOutcome } from '../sql/audit.js';
import type { SqlEngine, SqlLimits, SqlLine } from '../sql/engine.js';
import { checkStatement } from '../sql/guard.js';

export interface SqlDeps {
  authenticate: Authenticate;
  engine: SqlEngine;
  audit: AuditLog;
  limits: SqlLimits;
  statements: Counter<'outcome'>;
  seconds: Histogram<'outcome'>;
  logger: Logger;
}

const MAX_SQL_BYTES = 64 * 1024;

interface SqlBody {
  sql: string;
  format: 'json' | 'csv';
  maxRows: number;
}

function parseBody(body: unknown, limits: SqlLimits): SqlBody {
  if (typeof body !== 'object' || body === null)
    throw badInput('the body must be a JSON object with a sql field');
  const {
    sql,
    format = 'json',
    max_rows: maxRows = limits.maxRows,
  } = body as Record<string, unknown>;
  if (typeof sql !== 'string' || sql.trim() === '') throw badInput('sql is required (a string)');
  if (Buffer.byteLength(sql) > MAX_SQL_BYTES)
    throw badInput(`sql is longer than ${MAX_SQL_BYTES} bytes`);
  if (format !== 'json' && format !== 'csv') throw badInput('format must be json or csv');
  if (
    typeof maxRows !== 'number' ||
    !Number.isInteger(maxRows) ||
    maxRows < 1 ||
    maxRows > limits.maxRows
  )
    throw badInput(`max_rows must be an integer from 1 to ${limits.maxRows}`);
  return { sql, format, maxRows };
}

/** Writes one chunk, waiting for the client when its buffer is full (back-pressure). */
async function send(res: Writable, chunk: string): Promise<void> {
  if (res.destroyed) throw new Error('the client closed the connection');
  if (res.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const drained = () => {
      res.off('close', closed);
      resolve();
    };
    const closed = () => {
      res.off('drain', drained);
      reject(new Error('the client closed the connection'));
    };
    res.once('drain', drained);
    res.once('close', closed);
  });
}

/**
 * POST /api/v1/sql — admins' ad-hoc SQL, `{"sql", "format": "json"|"csv", "max_rows"}`.
 * The engine parses the statement first and the guard decides from that parse; it runs as
 * the read-only user with the service's limits and a row filter on every tenant table, and
 * the answer streams to the client. Every statement — run, refused or failed — is in the
 * audit table, and none runs unless its start could be recorded there.
 */
export function sqlRoute(given: SqlDeps): Router {
  const deps = { ...given, logger: moduleLogger(given.logger, 'sql') };
  const router = Router();
  router.post(
    '/api/v1/sql',
    express.json({ limit: MAX_SQL_BYTES * 2 }),
    (req: Request, res: Response, next: NextFunction) => {
      void run(deps, req, res).catch(next);
    },
  );
  return router;
}

/** The SQL endpoint of an instance without it: 503 that says so. */
export function sqlUnavailable(): Router {
  const router = Router();
  router.post('/api/v1/sql', (_req, res) => {
    res.status(503).json({
      status: 'error',
      code: 'UNAVAILABLE',
      message: 'the SQL endpoint is not configured on this instance',
    });
  });
  return router;
}

async function run(deps: SqlDeps, req: Request, res: Response): Promise<void> {
  const viewer: Viewer = await deps.authenticate(req.headers.authorization);
  const started = process.hrtime.bigint();
  const given = (req.body as { sql?: unknown } | undefined)?.sql;
  const entry = {
    queryId: randomUUID(),
    viewer,
    requestId: String(res.locals.requestId ?? ''),
    startedAt: new Date(),
    sql: typeof given === 'string' ? given : '',
    tables: [] as string[],
  };
  let running = false;
  try {
    if (viewer.role !== 'admin') throw forbidden('the SQL endpoint is for the admin role only');
    const body = parseBody(req.body, deps.limits);
    const scope = await deps.engine.scope();
    entry.tables = checkStatement(await deps.engine.parse(body.sql), scope).tables;
    await deps.audit.started(entry).catch((err: unknown) => {
      throw new QueryError('UNAVAILABLE', 503, 'the SQL audit log cannot be written; nothing ran', {
        cause: err,
      });
    });
    running = true;
    const lines = await deps.engine.run(body.sql, {
      queryId: entry.queryId,
      format: body.format,
      tenantId: viewer.tenantId,
      scope,
      maxRows: body.maxRows,
    });
    res.setHeader('x-query-id', entry.queryId);
    const counted = await stream(lines, res, body.format);
    res.end();
    await finish(deps, entry, { status: 'ok', rows: counted.rows, bytes: counted.bytes }, started);
  } catch (err) {
    const engineError = deps.engine.statementError(err);
    const mapped = engineError?.error ?? err;
    if (!(mapped instanceof QueryError && mapped.code === 'UNAVAILABLE')) {
      const errorCode =
        mapped instanceof QueryError ? (engineError?.type ?? mapped.code) : 'INTERNAL';
      await finish(deps, entry, { status: running ? 'failed' : 'refused', errorCode }, started);
    }
    throw mapped;
  }
}

/** The statement's end on record (best effort: its start already is) and in the metrics. */
async function finish(
  deps: SqlDeps,
  entry: AuditEntry,
  outcome: AuditOutcome,
  started: bigint,
): Promise<void> {
  deps.statements.inc({ outcome: outcome.status });
  deps.seconds.observe(
    { outcome: outcome.status },
    Number(process.hrtime.bigint() - started) / 1e9,
  );
  await deps.audit.finished(entry, outcome).catch((err: unknown) => {
    deps.logger.error(
      { err, queryId: entry.queryId },
      'could not record the end of a SQL statement in the audit table; its start is recorded',
    );
  });
}

/** Streams the result as one JSON document (meta, data, rows) or as CSV; counts rows, bytes. */
async function stream(
  lines: AsyncIterable<SqlLine[]>,
  res: Response,
  format: 'json' | 'csv',
): Promise<{ rows: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  if (format === 'csv') {
    res.status(200).type('text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="query.csv"');
    let header = true;
    for await (const batch of lines)
      for (const row of batch) {
        const line = `${row.text}\n`;
        bytes += Buffer.byteLength(line);
        if (header) header = false;
        else count++;
        await send(res, line);
      }
    return { rows: count, bytes };
  }
  res.status(200).type('application/json; charset=utf-8');
  let names: string[] | undefined;
  let types: string[] | undefined;
  for await (const batch of lines)
    for (const row of batch) {
      if (!names) names = JSON.parse(row.text) as string[];
      else if (!types) {
        types = JSON.parse(row.text) as string[];
        const meta = names.map((name, i) => ({ name, type: types?.[i] ?? '' }));
        await send(res, `{"meta":${JSON.stringify(meta)},"data":[`);
      } else {
        bytes += row.text.length;
        await send(res, `${count === 0 ? '' : ','}${row.text}`);
        count++;
      }
    }
  if (!types) await send(res, `{"meta":[],"data":[`);
  await send(res, `],"rows":${count}}`);
  return { rows: count, bytes };
}
