import { randomUUID } from 'node:crypto';
import { exception } from './errors.js';
import type { HttpSessionRequest } from './sessions.js';

/** What one HTTP request asks of ClickHouse, independent of how it arrived. */
export interface QueryRequest {
  sql: string;
  database?: string;
  defaultFormat?: string;
  queryId: string;
  /** Engine settings given as URL parameters. */
  settings: Record<string, string>;
  /** Values for `{name:Type}` placeholders (from `param_<name>`). */
  params: Record<string, string>;
  user: string;
  password: string;
  /** 0 unless the request asked for readonly (a GET request implies 2, as in ClickHouse). */
  readonly: 0 | 1 | 2;
  /** enable_http_compression=1: compress the answer if the client accepts it. */
  compressResponse: boolean;
  /** wait_end_of_query=1: the answer is sent once the statement is done, with exact figures. */
  waitEndOfQuery: boolean;
  /** session_id (with session_timeout, session_check): the request runs in that session. */
  session?: HttpSessionRequest;
}

/** A request's options: everything but its SQL, which the body may still have to give. */
export type RequestOptions = Omit<QueryRequest, 'sql'>;

/**
 * URL parameters that belong to the HTTP layer, not to the engine.
 */
const HTTP_ONLY = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'quota_key',
  'session_id',
  'session_timeout',
  'session_check',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'add_http_cors_header',
  'cancel_http_readonly_queries_on_client_close',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'role',
  'readonly',
  'default_session_timeout',
  'max_query_size',
]);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface HttpRequestParts {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function header(headers: HttpRequestParts['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function credentials(parts: HttpRequestParts): { user: string; password: string } {
  const auth = header(parts.headers, 'authorization');
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1
      ? { user: decoded, password: '' }
      : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  const headerUser = header(parts.headers, 'x-clickhouse-user');
  if (headerUser !== undefined) {
    return { user: headerUser, password: header(parts.headers, 'x-clickhouse-key') ?? '' };
  }
  const q = parts.url.searchParams;
  return { user: q.get('user') ?? 'default', password: q.get('password') ?? '' };
}

function readonlyLevel(parts: HttpRequestParts): 0 | 1 | 2 {
  const asked = parts.url.searchParams.get('readonly');
  if (asked !== null && !/^[012]$/.test(asked)) {
    throw exception('BAD_ARGUMENTS', `Cannot parse readonly setting value '${asked}'`);
  }
  const level = asked === null ? 0 : (Number(asked) as 0 | 1 | 2);
  if (parts.method === 'GET' && level === 0) return 2;
  return level;
}

/** The SQL of a request as the server reads it: the query parameter, a newline, the body. */
export function parseQueryRequest(parts: HttpRequestParts): QueryRequest {
  const queryParam = parts.url.searchParams.get('query');
  const sql =
    queryParam === null
      ? parts.body
      : parts.body.length > 0
        ? `${queryParam}\n${parts.body}`
        : queryParam;
  if (sql.trim().length === 0) {
    throw exception('SYNTAX_ERROR', 'Empty query');
  }
  return { sql, ...requestOptions(parts) };
}

function sessionOf(q: URLSearchParams): HttpSessionRequest | undefined {
  const id = q.get('session_id');
  if (!id) return undefined;
  const timeout = q.get('session_timeout');
  if (timeout !== null && !/^\d+$/.test(timeout)) {
    throw exception('INVALID_SESSION_TIMEOUT', `Invalid session timeout: '${timeout}'`);
  }
  return {
    id,
    timeoutSeconds: timeout === null ? 60 : Number(timeout),
    check: q.get('session_check') === '1',
  };
}

/** Settings, parameters, credentials and HTTP options of a request (form fields included). */
export function requestOptions(
  parts: Omit<HttpRequestParts, 'body'>,
  form?: Map<string, string>,
): RequestOptions {
  const q = parts.url.searchParams;
  const settings: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const [key, value] of q) {
    if (key.startsWith('param_')) {
      params[key.slice('param_'.length)] = value;
    } else if (!HTTP_ONLY.has(key)) {
      if (!SETTING_NAME.test(key)) {
        throw exception('BAD_ARGUMENTS', `Invalid setting name '${key}'`);
      }
      settings[key] = value;
    }
  }
  for (const [key, value] of form ?? []) {
    if (key.startsWith('param_')) params[key.slice('param_'.length)] = value;
  }

  const database = q.get('database') ?? header(parts.headers, 'x-clickhouse-database');
  const defaultFormat = q.get('default_format') ?? header(parts.headers, 'x-clickhouse-format');
  const session = sessionOf(q);
  return {
    ...(database ? { database } : {}),
    ...(defaultFormat ? { defaultFormat } : {}),
    queryId: q.get('query_id') || randomUUID(),
    settings,
    params,
    ...credentials({ ...parts, body: '' }),
    readonly: readonlyLevel({ ...parts, body: '' }),
    compressResponse: q.get('enable_http_compression') === '1',
    waitEndOfQuery: q.get('wait_end_of_query') === '1',
    ...(session ? { session } : {}),
  };
}
