import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { authenticate, planExecution, type UserProfile } from './access.js';
import type { BodyLimits } from './body.js';
import type { Engine, EngineAnswer } from './engine.js';
import { ClickHouseException, fromEngineError } from './errors.js';
import { readStatement, spoolInsert, type StatementInput } from './input.js';
import { requestOptions, type RequestOptions } from './request.js';
import { encoderFor, sendAnswer, sendError } from './respond.js';
import { isReadStatement } from './sql-scan.js';

export interface ClickHouseServerOptions extends BodyLimits {
  engine: Engine;
  users: readonly UserProfile[];
  logger: Logger;
  /** Where INSERT bodies wait for the engine to read them (emptied at start). */
  spoolDir: string;
}

/** X-ClickHouse-Summary of an answer: exact for statements that ran whole, else so far. */
function summaryOf(verb: string, answer: EngineAnswer): Record<string, string> {
  const { rowsRead, bytesRead, elapsed } = answer.stats;
  const written = verb === 'INSERT';
  return {
    read_rows: String(rowsRead),
    read_bytes: String(bytesRead),
    written_rows: String(written ? rowsRead : 0),
    written_bytes: String(written ? bytesRead : 0),
    total_rows_to_read: String(rowsRead),
    result_rows: String(written ? rowsRead : answer.stats.resultRows),
    result_bytes: '0',
    elapsed_ns: String(Math.round(elapsed * 1e9)),
  };
}

/** Statements that change the connection they run on beyond their own request. */
function changesConnection(input: StatementInput): boolean {
  const { verb } = input.scan;
  return verb === 'SET' || verb === 'USE' || /^\s*CREATE\s+TEMPORARY\b/i.test(input.sql);
}

/**
 * Formats that are one document (a header, the rows, a footer with counts and totals): the
 * engine writes them right only when it runs the statement whole.
 */
const DOCUMENT_FORMATS =
  /^(JSON|JSONCompact|JSONStrings|JSONCompactStrings|JSONColumns|JSONCompactColumns|JSONColumnsWithMetadata|JSONObjectEachRow|XML)$/i;

/** /ping, /replicas_status, `GET /` and unknown paths, answered as a server does. */
function answeredWithoutQuery(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const hasQuery = url.searchParams.has('query');
  if (
    url.pathname === '/ping' ||
    url.pathname === '/replicas_status' ||
    (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD') && !hasQuery)
  ) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
    res.end(req.method === 'HEAD' ? undefined : 'Ok.\n');
    return true;
  }
  if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
    res.end(`There is no handle ${url.pathname}\n`);
    return true;
  }
  return false;
}

/**
 * An HTTP server that speaks the ClickHouse HTTP interface over the embedded engine:
 * /ping, queries in the URL, the body or a multipart form, INSERT data of any format in the
 * body (spooled, never held whole), FORMAT and default_format, database, query_id,
 * param_<name>, settings as URL parameters (scoped to the request), HTTP sessions, Basic /
 * X-ClickHouse-User / URL authentication, compression both ways, streamed answers that a
 * disconnecting client cancels, and ClickHouse's errors and status codes. See
 * deploy/README.md for how it compares with a server.
 */
export function buildClickHouseServer(options: ClickHouseServerOptions): Server {
  const { engine } = options;
  const logger = moduleLogger(options.logger, 'clickhouse-http');
  rmSync(options.spoolDir, { recursive: true, force: true });
  mkdirSync(options.spoolDir, { recursive: true, mode: 0o700 });

  async function run(
    req: IncomingMessage,
    res: ServerResponse,
    request: RequestOptions,
    input: StatementInput,
    encoder: ReturnType<typeof encoderFor>,
  ): Promise<string> {
    const user = authenticate(options.users, request);
    const missing = input.scan.placeholders.find((name) => !(name in request.params));
    if (missing !== undefined) {
      throw new ClickHouseException(
        456,
        'UNKNOWN_QUERY_PARAMETER',
        `Substitution \`${missing}\` is not set`,
      );
    }
    const plan = planExecution(user, { ...request, sql: input.sql }, input.scan);
    const spoolFile = input.data ? path.join(options.spoolDir, randomUUID()) : undefined;
    try {
      const sql = spoolFile ? await spoolInsert(input, spoolFile) : plan.sql;
      const format = input.scan.outputFormat ?? request.defaultFormat ?? 'TabSeparated';
      const answer = await engine.execute(
        {
          sql,
          format,
          params: request.params,
          settings: plan.sessionSettings,
          ...(request.database ? { database: request.database } : {}),
          // wait_end_of_query=1 asks for the answer whole, with exact figures in its headers.
          stream:
            isReadStatement(input.scan) &&
            !DOCUMENT_FORMATS.test(format) &&
            !request.waitEndOfQuery,
          changesConnection: changesConnection(input),
        },
        request.session,
      );
      const sent = await sendAnswer(
        {
          req,
          res,
          queryId: request.queryId,
          format,
          version: engine.version,
          encoder,
          summary: (a) => summaryOf(input.scan.verb, a),
        },
        answer,
      );
      if (sent.failure) {
        logger.debug(
          { queryId: request.queryId, code: sent.failure.code, type: sent.failure.type },
          'query failed after its first bytes',
        );
      }
      return sent.cancelled ? 'cancelled' : sent.failure ? 'failed' : user.name;
    } finally {
      if (spoolFile) rmSync(spoolFile, { force: true });
    }
  }

  async function handleQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    let queryId = url.searchParams.get('query_id') ?? '';
    let encoder: ReturnType<typeof encoderFor>;
    let input: StatementInput | undefined;
    try {
      encoder = encoderFor(req, url.searchParams.get('enable_http_compression') === '1');
      input = await readStatement(req, url, options);
      const request = requestOptions(
        { method: req.method ?? 'POST', url, headers: req.headers },
        input.form,
      );
      queryId = request.queryId;
      const outcome = await run(req, res, request, input, encoder);
      logger.debug(
        {
          queryId,
          verb: input.scan.verb,
          outcome,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'query done',
      );
    } catch (err) {
      input?.discard();
      if (!(err instanceof ClickHouseException)) req.resume();
      if (res.destroyed || req.socket.destroyed) {
        // The client went away (mid-body or mid-answer): nobody to answer, nothing wrong here.
        logger.debug({ queryId, reason: (err as Error).message }, 'client went away');
        return;
      }
      const failure = fromEngineError(err);
      if (failure.type === 'UNKNOWN_EXCEPTION')
        logger.error({ err, queryId }, 'query failed unexpectedly');
      else logger.debug({ queryId, code: failure.code, type: failure.type }, 'query refused');
      sendError({ req, res, queryId, version: engine.version, encoder }, failure);
    }
  }

  // Long URLs are normal here: settings and parameters travel as URL parameters.
  return createServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (answeredWithoutQuery(req, res, url)) return;
    void handleQuery(req, res, url);
  });
}
