import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { authenticate, planExecution, type UserProfile } from './access.js';
import type { Engine } from './engine.js';
import {
  ClickHouseException,
  errorBody,
  exception,
  fromEngineError,
  httpStatusFor,
} from './errors.js';
import { contentTypeFor, countResultRows, isBinaryFormat } from './formats.js';
import { parseQueryRequest } from './request.js';
import { scanStatement, SqlScanError } from './sql-scan.js';

export interface ClickHouseServerOptions {
  engine: Engine;
  users: readonly UserProfile[];
  logger: Logger;
  /** Largest request body accepted (after decompression). */
  maxBodyBytes: number;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw exception('QUERY_IS_TOO_LARGE', `Request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === '' || encoding === 'identity') return raw;
  if (encoding === 'gzip') return gunzip(raw);
  if (encoding === 'deflate') return inflate(raw);
  if (encoding === 'br') return brotliDecompress(raw);
  throw exception(
    'BAD_ARGUMENTS',
    `Content-Encoding '${encoding}' is not supported by the local endpoint`,
  );
}

function compress(req: IncomingMessage, body: Buffer): { body: Buffer; encoding?: string } {
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (/\bgzip\b/.test(accepted)) return { body: zlib.gzipSync(body), encoding: 'gzip' };
  if (/\bdeflate\b/.test(accepted)) return { body: zlib.deflateSync(body), encoding: 'deflate' };
  if (/\bbr\b/.test(accepted)) return { body: zlib.brotliCompressSync(body), encoding: 'br' };
  return { body };
}

/**
 * An HTTP server that speaks the ClickHouse HTTP interface over the embedded engine:
 * /ping, queries in the URL or the body, INSERT data in the body, FORMAT and
 * default_format, database, query_id, param_<name>, settings as URL parameters,
 * Basic / X-ClickHouse-User / URL-parameter authentication, compression, and
 * ClickHouse-style errors.
 */
export function buildClickHouseServer(options: ClickHouseServerOptions): Server {
  const { engine } = options;
  const logger = moduleLogger(options.logger, 'clickhouse-http');

  async function handleQuery(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    let queryId = url.searchParams.get('query_id') ?? '';
    try {
      const body = await readBody(req, options.maxBodyBytes);
      const request = parseQueryRequest({
        method: req.method ?? 'POST',
        url,
        headers: req.headers,
        body: body.toString('utf8'),
      });
      queryId = request.queryId;
      const user = authenticate(options.users, request);
      let scan;
      try {
        scan = scanStatement(request.sql);
      } catch (err) {
        if (err instanceof SqlScanError)
          throw exception('SYNTAX_ERROR', `${err.message} at position ${err.position + 1}`);
        throw err;
      }
      if (scan.insertFormat && isBinaryFormat(scan.insertFormat)) {
        throw exception(
          'NOT_IMPLEMENTED',
          `INSERT in binary format ${scan.insertFormat} is not supported by the local endpoint; use a text format such as JSONEachRow`,
        );
      }
      const missing = scan.placeholders.find((name) => !(name in request.params));
      if (missing !== undefined) {
        throw exception('UNKNOWN_QUERY_PARAMETER', `Substitution \`${missing}\` is not set`);
      }
      const plan = planExecution(user, request, scan);
      const format = scan.outputFormat ?? request.defaultFormat ?? 'TabSeparated';
      const result = await engine.execute({
        sql: plan.sql,
        format,
        params: request.params,
        settings: plan.sessionSettings,
        ...(request.database ? { database: request.database } : {}),
      });
      const resultRows = countResultRows(format, result.body);
      const summary = {
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        written_rows: '0',
        written_bytes: '0',
        total_rows_to_read: String(result.rowsRead),
        result_rows: String(resultRows ?? 0),
        result_bytes: String(result.body.length),
        elapsed_ns: String(Math.round(result.elapsedSeconds * 1e9)),
      };
      const out = request.compressResponse ? compress(req, result.body) : { body: result.body };
      res.writeHead(200, {
        'Content-Type': contentTypeFor(format),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': format,
        'X-ClickHouse-Timezone': 'UTC',
        'X-ClickHouse-Server-Display-Name': 'backbone-local',
        'X-ClickHouse-Summary': JSON.stringify(summary),
        'Content-Length': out.body.length,
        ...(out.encoding ? { 'Content-Encoding': out.encoding } : {}),
      });
      res.end(out.body);
      logger.debug(
        {
          queryId,
          user: user.name,
          verb: scan.verb,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'query done',
      );
    } catch (err) {
      const failure = err instanceof ClickHouseException ? err : fromEngineError(err);
      const status = httpStatusFor(failure.type);
      if (failure.type === 'UNKNOWN_EXCEPTION')
        logger.error({ err, queryId }, 'query failed unexpectedly');
      else logger.debug({ queryId, code: failure.code, type: failure.type }, 'query refused');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = errorBody(failure, engine.version);
      res.writeHead(status, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Exception-Code': String(failure.code),
        ...(queryId ? { 'X-ClickHouse-Query-Id': queryId } : {}),
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    }
  }

  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hasQuery = url.searchParams.has('query');
    if (
      url.pathname === '/ping' ||
      url.pathname === '/replicas_status' ||
      (url.pathname === '/' && req.method === 'GET' && !hasQuery)
    ) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end(req.method === 'HEAD' ? undefined : 'Ok.\n');
      return;
    }
    if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end(`There is no handle ${url.pathname}\n`);
      return;
    }
    void handleQuery(req, res, url);
  });
}
