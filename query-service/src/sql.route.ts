import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { ClickHouseError, type ClickHouseClient, type Row } from '@clickhouse/client';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Counter, Histogram } from 'prom-client';
import type { Logger } from '@backbone/runtime';
import type { Authenticate, Viewer } from './auth.js';
import { badInput, forbidden, QueryError } from './errors.js';
import { parseExplainAst } from './sql-ast.js';
import type { AuditEntry, AuditOutcome, SqlAudit } from './sql-audit.js';
import { checkStatement, type SqlScope } from './sql-guard.js';

export interface SqlLimits {
  /** Most rows one statement may return (an admin may ask for fewer). */
  maxRows: number;
  maxResultBytes: number;
  maxExecutionSeconds: number;
}

export interface SqlDeps {
  authenticate: Authenticate;
  /** The read-only user, with the analytics database as its current database. */
  reader: ClickHouseClient;
  database: string;
  audit: SqlAudit;
  limits: SqlLimits;
  statements: Counter<'outcome'>;
  seconds: Histogram<'outcome'>;
  logger: Logger;
}

const MAX_SQL_BYTES = 64 * 1024;

/** ClickHouse error types that mean "your statement": 400, or 403 for the refusals. */
const REFUSED = new Set(['READONLY', 'ACCESS_DENIED', 'SETTING_CONSTRAINT_VIOLATION']);

/** A SQL string literal holding exactly `value` (for the filter expression). */
const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** `additional_table_filters`: every tenant table, filtered to one tenant (map literal). */
export function tenantFilters(scope: SqlScope, tenantId: string): string {
  const filter = literal(`tenant_id = ${literal(tenantId)}`);
  const entries = [...scope.tenantTables].map(
    (t) => `${literal(`${scope.database}.${t}`)}:${filter}`,
  );
  return `{${entries.join(',')}}`;
}

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

/** A ClickHouse error about the statement itself, as the service's own error. */
function statementError(err: unknown): QueryError | undefined {
  if (!(err instanceof ClickHouseError)) return undefined;
  const message = `ClickHouse: ${err.message.replace(/\s*\(version [^)]*\)\s*$/, '')}`;
  return REFUSED.has(err.type ?? '') ? forbidden(message) : badInput(message);
}

/**
 * ClickHouse's parse of the statement. Sent with `exec`, which appends no FORMAT of its own
 * (the parser would hang one on the inner statement); the answer is TabSeparated text.
 */
async function explainAst(reader: ClickHouseClient, sql: string): Promise<string> {
  const { stream } = await reader.exec({ query: `EXPLAIN AST ${sql}` });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  // TabSeparated escapes backslashes and tabs; the node layout (spaces, newlines) is plain.
  return Buffer.concat(chunks).toString('utf8').replace(/\\\\/g, '\\');
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
 * ClickHouse parses the statement first (EXPLAIN AST) and the guard decides from that parse;
 * it runs as the read-only user with the service's limits and a row filter on every tenant
 * table, and the answer streams to the client. Every statement — run, refused or failed — is
 * in the audit table, and none runs unless its start could be recorded there.
 */
export function sqlRoute(deps: SqlDeps & { scope: () => Promise<SqlScope> }): Router {
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

async function run(
  deps: SqlDeps & { scope: () => Promise<SqlScope> },
  req: Request,
  res: Response,
): Promise<void> {
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
    const scope = await deps.scope();
    const ast = await explainAst(deps.reader, body.sql);
    entry.tables = checkStatement(parseExplainAst(ast), scope).tables;
    await deps.audit.started(entry).catch((err: unknown) => {
      throw new QueryError('UNAVAILABLE', 503, 'the SQL audit log cannot be written; nothing ran', {
        cause: err,
      });
    });
    running = true;
    const result = await deps.reader.query({
      query: body.sql,
      query_id: entry.queryId,
      format: body.format === 'csv' ? 'CSVWithNames' : 'JSONCompactEachRowWithNamesAndTypes',
      clickhouse_settings: {
        // A string is what the HTTP interface sends anyway; the client's type wants its Map.
        additional_table_filters: tenantFilters(scope, viewer.tenantId) as never,
        max_result_rows: String(body.maxRows),
        max_result_bytes: String(deps.limits.maxResultBytes),
        max_execution_time: deps.limits.maxExecutionSeconds,
        // The answer is complete before the first byte goes out, so an error is a status.
        wait_end_of_query: 1,
      },
    });
    res.setHeader('x-query-id', entry.queryId);
    const counted = await stream(result.stream<unknown>(), res, body.format);
    res.end();
    await finish(deps, entry, { status: 'ok', rows: counted.rows, bytes: counted.bytes }, started);
  } catch (err) {
    const mapped = statementError(err) ?? err;
    if (!(mapped instanceof QueryError && mapped.code === 'UNAVAILABLE')) {
      const errorCode = mapped instanceof QueryError ? (errorType(err) ?? mapped.code) : 'INTERNAL';
      await finish(deps, entry, { status: running ? 'failed' : 'refused', errorCode }, started);
    }
    throw mapped;
  }
}

const errorType = (err: unknown) =>
  err instanceof ClickHouseError ? (err.type ?? err.code) : undefined;

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
  rows: AsyncIterable<Row<unknown>[]>,
  res: Response,
  format: 'json' | 'csv',
): Promise<{ rows: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  if (format === 'csv') {
    res.status(200).type('text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="query.csv"');
    let header = true;
    for await (const batch of rows)
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
  for await (const batch of rows)
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

/**
 * The tables of the database, told apart by whether they carry tenant_id (MergeTree family
 * only: views and ledgers are never read here), re-read at most every `ttlMs`.
 */
export function tableScope(reader: ClickHouseClient, database: string, ttlMs = 30_000) {
  let cached: { at: number; scope: Promise<SqlScope> } | undefined;
  const load = async (): Promise<SqlScope> => {
    const rows = await reader
      .query({
        query: `SELECT name, engine LIKE '%MergeTree' AND name IN (
  SELECT table FROM system.columns WHERE database = {db:String} AND name = 'tenant_id'
) AS tenant
FROM system.tables WHERE database = {db:String}`,
        query_params: { db: database },
        format: 'JSONEachRow',
      })
      .then((r) => r.json<{ name: string; tenant: number | boolean }>());
    const tenantTables = new Set(rows.filter((r) => Boolean(r.tenant)).map((r) => r.name));
    const otherTables = new Set(rows.filter((r) => !r.tenant).map((r) => r.name));
    return { database, tenantTables, otherTables };
  };
  return (): Promise<SqlScope> => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const scope = load();
      cached = { at: Date.now(), scope };
      scope.catch(() => (cached = undefined));
    }
    return cached.scope;
  };
}
