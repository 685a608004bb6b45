import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { sqlString } from './access.js';
import { decodedBody, formFields, Head, isMultipart, spool, type BodyLimits } from './body.js';
import { exception } from './errors.js';
import { scanStatement, SqlScanError, type StatementScan } from './sql-scan.js';

/** A request's statement, and where its INSERT data waits when it has some. */
export interface StatementInput {
  sql: string;
  scan: StatementScan;
  /** multipart/form-data fields (the query, `param_<name>`). */
  form?: Map<string, string>;
  /** INSERT data: the body from this byte of the head on. */
  data?: { head: Head; from: number };
  /** Lets the rest of an unread body go (after a refusal). */
  discard: () => void;
}

/** How much of the body is read before the statement is scanned. */
const HEAD_BYTES = 256 * 1024;

function scan(sql: string): StatementScan {
  try {
    return scanStatement(sql);
  } catch (err) {
    if (err instanceof SqlScanError)
      throw exception('SYNTAX_ERROR', `${err.message} at position ${err.position + 1}`);
    throw err;
  }
}

/**
 * Where INSERT data starts after the format name, as the server reads it: spaces and tabs
 * are skipped, then one line end; anything else is data.
 */
export function dataStart(sql: string, afterFormat: number): number {
  let i = afterFormat;
  while (sql[i] === ' ' || sql[i] === '\t') i++;
  if (sql[i] === '\r' && sql[i + 1] === '\n') return i + 2;
  if (sql[i] === '\n') return i + 1;
  return i;
}

/**
 * Reads a request's statement: the query parameter, then a newline, then the body, as the
 * server joins them; or the fields of a multipart form. INSERT data is left in the body,
 * to be spooled; everything else must fit in the query limit.
 */
export async function readStatement(
  req: IncomingMessage,
  url: URL,
  limits: BodyLimits,
): Promise<StatementInput> {
  const body: Readable = decodedBody(req, limits);
  const discard = () => {
    body.resume();
    req.resume();
  };
  if (isMultipart(req)) {
    const form = await formFields(req, body, limits);
    const sql = form.get('query') ?? url.searchParams.get('query') ?? '';
    if (sql.trim() === '') throw exception('SYNTAX_ERROR', 'Empty query');
    return { sql, scan: scan(sql), form, discard };
  }
  const queryParam = url.searchParams.get('query');
  const prefix = queryParam === null ? undefined : Buffer.from(`${queryParam}\n`, 'utf8');
  const head = new Head(body, prefix);
  await head.fill((prefix?.length ?? 0) + HEAD_BYTES);
  for (;;) {
    const text = head.bytes.toString('utf8');
    if (text.trim() === '') throw exception('SYNTAX_ERROR', 'Empty query');
    let found: StatementScan | undefined;
    try {
      found = scan(text);
    } catch (err) {
      // A head cut in the middle of a literal: read on, unless the statement is all there.
      if (head.ended || head.bytes.length > limits.maxQueryBytes) throw err;
    }
    if (found?.insertDataAt !== undefined) {
      const from = Buffer.byteLength(text.slice(0, dataStart(text, found.insertDataAt)), 'utf8');
      return { sql: text, scan: found, data: { head, from }, discard };
    }
    if (found && head.ended) return { sql: text, scan: found, discard };
    if (head.bytes.length > limits.maxQueryBytes) {
      throw exception(
        'QUERY_IS_TOO_LARGE',
        `Query is too large (more than ${limits.maxQueryBytes} bytes); send large values as parameters or INSERT data`,
      );
    }
    await head.fill(head.bytes.length + HEAD_BYTES);
  }
}

/** Spools INSERT data into `file` and gives the statement that reads it there. */
export async function spoolInsert(input: StatementInput, file: string): Promise<string> {
  const { scan: s, data } = input;
  if (!data || s.insertClauseAt === undefined || s.insertKeywordAt === undefined) {
    throw new Error('spoolInsert needs an INSERT with data');
  }
  const format = s.insertFormat ?? 'Values';
  if (!/^[A-Za-z0-9_]+$/.test(format)) {
    throw exception('UNKNOWN_FORMAT', `Unknown input format ${format}`);
  }
  await spool(data.head, data.from, file);
  const target = input.sql.slice(0, s.insertClauseAt).trimEnd();
  const settings = input.sql.slice(s.insertClauseAt, s.insertKeywordAt).trim();
  return `${target} FROM INFILE ${sqlString(file)}${settings ? ` ${settings}` : ''} FORMAT ${format}`;
}
