/**
 * ClickHouse-style errors: the HTTP endpoint answers every failure the way a ClickHouse
 * server does (`Code: N. DB::Exception: message (TYPE) (version V)`, the status from the
 * server's own code-to-status table, X-ClickHouse-Exception-Code), so @clickhouse/client's
 * ClickHouseError carries the same code and type against the local stack as in production.
 */

export class ClickHouseException extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClickHouseException';
  }
}

/** Error codes the endpoint raises itself, with ClickHouse's numbers and names. */
export const Codes = {
  SYNTAX_ERROR: [62, 'SYNTAX_ERROR'],
  BAD_ARGUMENTS: [36, 'BAD_ARGUMENTS'],
  UNKNOWN_FORMAT: [73, 'UNKNOWN_FORMAT'],
  READONLY: [164, 'READONLY'],
  SETTING_CONSTRAINT_VIOLATION: [452, 'SETTING_CONSTRAINT_VIOLATION'],
  INTO_OUTFILE_NOT_ALLOWED: [358, 'INTO_OUTFILE_NOT_ALLOWED'],
  UNKNOWN_QUERY_PARAMETER: [456, 'UNKNOWN_QUERY_PARAMETER'],
  BAD_QUERY_PARAMETER: [457, 'BAD_QUERY_PARAMETER'],
  AUTHENTICATION_FAILED: [516, 'AUTHENTICATION_FAILED'],
  QUERY_IS_TOO_LARGE: [229, 'QUERY_IS_TOO_LARGE'],
  NOT_IMPLEMENTED: [48, 'NOT_IMPLEMENTED'],
  TOO_MANY_SIMULTANEOUS_QUERIES: [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
  ABORTED: [236, 'ABORTED'],
  CANNOT_DECOMPRESS: [271, 'CANNOT_DECOMPRESS'],
  UNKNOWN_COMPRESSION_METHOD: [89, 'UNKNOWN_COMPRESSION_METHOD'],
  SESSION_NOT_FOUND: [372, 'SESSION_NOT_FOUND'],
  SESSION_IS_LOCKED: [373, 'SESSION_IS_LOCKED'],
  INVALID_SESSION_TIMEOUT: [374, 'INVALID_SESSION_TIMEOUT'],
  UNKNOWN_EXCEPTION: [1002, 'UNKNOWN_EXCEPTION'],
} as const satisfies Record<string, readonly [number, string]>;

export function exception(which: keyof typeof Codes, message: string): ClickHouseException {
  const [code, type] = Codes[which];
  return new ClickHouseException(code, type, message);
}

const BAD_REQUEST = new Set([
  'BAD_ARGUMENTS',
  'CANNOT_COMPILE_REGEXP',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
  'CANNOT_PARSE_IPV4',
  'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_UUID',
  'DUPLICATE_COLUMN',
  'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNKNOWN_TYPE_OF_AST_NODE',
  'THERE_IS_NO_COLUMN',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'UNKNOWN_COMPRESSION_METHOD',
  'CANNOT_DECOMPRESS',
]);
const NOT_FOUND = new Set([
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
]);
const FORBIDDEN = new Set([
  'UNKNOWN_USER',
  'WRONG_PASSWORD',
  'AUTHENTICATION_FAILED',
  'SET_NON_GRANTED_ROLE',
  'ACCESS_DENIED',
]);
const OTHER: Record<string, number> = {
  REQUIRED_PASSWORD: 401,
  QUERY_IS_TOO_LARGE: 413,
  NOT_IMPLEMENTED: 501,
  SOCKET_TIMEOUT: 503,
  CANNOT_OPEN_FILE: 503,
  CANNOT_SCHEDULE_TASK: 503,
  HTTP_LENGTH_REQUIRED: 411,
  TIMEOUT_EXCEEDED: 408,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** The HTTP status a ClickHouse server gives an exception of this type. */
export function httpStatusFor(type: string): number {
  if (FORBIDDEN.has(type)) return 403;
  if (BAD_REQUEST.has(type)) return 400;
  if (NOT_FOUND.has(type)) return 404;
  return OTHER[type] ?? 500;
}

const ENGINE_MESSAGE =
  /^Code: (\d+)\. DB::Exception: ([\s\S]*?)\s*\(([A-Z0-9_]+)\)\s*(?:\(version [^)]*\))?\.?\s*$/;

/**
 * Turns whatever the engine threw into a ClickHouseException. chDB errors carry
 * `clickhouseCode` and a `Code: N. DB::Exception: … (TYPE)` message; anything else is an
 * endpoint bug and becomes UNKNOWN_EXCEPTION rather than a crash.
 */
export function fromEngineError(err: unknown): ClickHouseException {
  if (err instanceof ClickHouseException) return err;
  const message = err instanceof Error ? err.message : String(err);
  const match = ENGINE_MESSAGE.exec(message.trim());
  if (match) {
    return new ClickHouseException(
      Number(match[1]),
      match[3] as string,
      (match[2] as string).replace(/\.+$/, ''),
    );
  }
  const code = (err as { clickhouseCode?: unknown }).clickhouseCode;
  if (typeof code === 'number' && code > 0) {
    return new ClickHouseException(code, 'UNKNOWN_EXCEPTION', message);
  }
  if ((err as { name?: unknown }).name === 'ChdbBindError') {
    const [c, t] = Codes.BAD_QUERY_PARAMETER;
    return new ClickHouseException(c, t, message);
  }
  const [c, t] = Codes.UNKNOWN_EXCEPTION;
  return new ClickHouseException(c, t, message);
}

/** The response body a ClickHouse server writes for an exception. */
export function errorBody(err: ClickHouseException, version: string): string {
  return `Code: ${err.code}. DB::Exception: ${err.message}. (${err.type}) (version ${version})\n`;
}
