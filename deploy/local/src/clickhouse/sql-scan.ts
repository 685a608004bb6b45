/**
 * A lexical scan of one ClickHouse statement: just enough structure for the HTTP endpoint
 * to do what the ClickHouse server does before parsing — refuse multi-statements and
 * INTO OUTFILE, tell read statements from writes, find the output FORMAT, and know where
 * INSERT data begins. It never rewrites SQL; the engine parses for real.
 */

export interface Token {
  kind: 'word' | 'string' | 'quoted' | 'number' | 'punct';
  /** Upper-cased for words, the raw text otherwise. */
  text: string;
  start: number;
  end: number;
  /** Parenthesis depth the token stands at. */
  depth: number;
}

export interface StatementScan {
  /** First keyword, upper-cased ('SELECT', 'INSERT', ...), or '(' for a parenthesised query. */
  verb: string;
  /** Offset just past the statement (before a trailing ';', whitespace or comments). */
  end: number;
  /** True when a second statement follows the first. */
  multiStatement: boolean;
  /** Offset of the second statement, when there is one. */
  secondStatementAt?: number;
  /** The output format named by a top-level FORMAT clause (not for INSERT ... FORMAT). */
  outputFormat?: string;
  /** For INSERT: the input format (FORMAT x) or 'Values'; undefined for INSERT ... SELECT. */
  insertFormat?: string;
  /** For INSERT with inline data: where the data starts (just past the format name). */
  insertDataAt?: number;
  /** For INSERT with data: where its FORMAT or VALUES keyword starts. */
  insertKeywordAt?: number;
  /** For INSERT with data: where the clauses after the target start (SETTINGS, else the keyword). */
  insertClauseAt?: number;
  intoOutfile: boolean;
  fromInfile: boolean;
  /** Names of `{name:Type}` query parameters the statement uses. */
  placeholders: string[];
  /** For EXPLAIN: its kind (AST, SYNTAX, PLAN, …) when one is named. */
  explainKind?: string;
}

export class SqlScanError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'SqlScanError';
  }
}

const READ_VERBS = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXISTS',
  'EXPLAIN',
  '(',
]);

/** Statements a read-only user may run (ClickHouse readonly=1 allows only these). */
export function isReadStatement(scan: StatementScan): boolean {
  return READ_VERBS.has(scan.verb);
}

function isWordStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c);
}

/** Skips a quoted literal starting at `i` (the opening quote); returns the offset after it. */
function skipQuoted(sql: string, i: number): number {
  const quote = sql[i];
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (sql[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  throw new SqlScanError('Syntax error: unterminated quoted literal', i);
}

function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < sql.length) {
    if (sql.startsWith('/*', j)) {
      depth++;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth--;
      j += 2;
      if (depth === 0) return j;
    } else {
      j++;
    }
  }
  throw new SqlScanError('Multiline comment is not closed', i);
}

/** Skips white space and comments; returns the offset of the next token or the end. */
function skipTrivia(sql: string, i: number): number {
  let j = i;
  while (j < sql.length) {
    const c = sql[j] as string;
    if (/\s/.test(c)) j++;
    else if (sql.startsWith('--', j) || c === '#') {
      const nl = sql.indexOf('\n', j);
      j = nl === -1 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', j)) j = skipBlockComment(sql, j);
    else break;
  }
  return j;
}

/** Reads one token at `i` (which must not be trivia). */
function readToken(sql: string, i: number): Omit<Token, 'depth'> {
  const c = sql[i] as string;
  if (c === "'")
    return {
      kind: 'string',
      text: sql.slice(i, skipQuoted(sql, i)),
      start: i,
      end: skipQuoted(sql, i),
    };
  if (c === '"' || c === '`') {
    const end = skipQuoted(sql, i);
    return { kind: 'quoted', text: sql.slice(i, end), start: i, end };
  }
  if (c === '$') {
    // Heredoc string: $tag$ ... $tag$
    const m = /^\$([A-Za-z0-9_]*)\$/.exec(sql.slice(i));
    if (m) {
      const close = sql.indexOf(m[0], i + m[0].length);
      if (close === -1) throw new SqlScanError('Syntax error: unterminated heredoc', i);
      return {
        kind: 'string',
        text: sql.slice(i, close + m[0].length),
        start: i,
        end: close + m[0].length,
      };
    }
  }
  if (isWordStart(c)) {
    let j = i + 1;
    while (j < sql.length && isWordChar(sql[j] as string)) j++;
    return { kind: 'word', text: sql.slice(i, j).toUpperCase(), start: i, end: j };
  }
  if (/[0-9]/.test(c)) {
    let j = i + 1;
    while (j < sql.length && /[0-9A-Za-z_.]/.test(sql[j] as string)) j++;
    return { kind: 'number', text: sql.slice(i, j), start: i, end: j };
  }
  return { kind: 'punct', text: c, start: i, end: i + 1 };
}

/** Identifier text of a word or quoted-identifier token (FORMAT `JSON` is allowed). */
function identifierText(token: Omit<Token, 'depth'> | undefined, sql: string): string | undefined {
  if (!token) return undefined;
  if (token.kind === 'word') return sql.slice(token.start, token.end);
  if (token.kind === 'quoted') return sql.slice(token.start + 1, token.end - 1);
  return undefined;
}

export function scanStatement(sql: string): StatementScan {
  const tokens: Token[] = [];
  let i = skipTrivia(sql, 0);
  let depth = 0;
  let end = 0;
  let insertFormat: string | undefined;
  let insertDataAt: number | undefined;
  let insertKeywordAt: number | undefined;
  let insertSettingsAt: number | undefined;
  let intoOutfile = false;
  let fromInfile = false;

  while (i < sql.length) {
    const token: Token = { ...readToken(sql, i), depth };
    const prev = tokens[tokens.length - 1];
    tokens.push(token);
    i = token.end;
    end = token.end;

    if (token.kind === 'punct') {
      if (token.text === '(') depth++;
      else if (token.text === ')') depth--;
      else if (token.text === ';' && depth <= 0) {
        end = token.start;
        tokens.pop();
        break;
      }
    }
    const verb = tokens[0]?.text;
    if (token.kind === 'word' && depth === 0) {
      if (token.text === 'OUTFILE' && prev?.text === 'INTO') intoOutfile = true;
      if (token.text === 'INFILE' && prev?.text === 'FROM') fromInfile = true;
      if (verb === 'INSERT' && insertFormat === undefined) {
        if (token.text === 'SETTINGS' && insertSettingsAt === undefined)
          insertSettingsAt = token.start;
        if (token.text === 'VALUES') {
          insertFormat = 'Values';
          insertDataAt = token.end;
          insertKeywordAt = token.start;
          end = sql.length;
          break;
        }
        if (
          token.text === 'FORMAT' &&
          prev?.text !== 'INTO' &&
          prev?.text !== 'TABLE' &&
          prev?.text !== '.'
        ) {
          const nameAt = skipTrivia(sql, token.end);
          const name = nameAt < sql.length ? readToken(sql, nameAt) : undefined;
          insertFormat = identifierText(name, sql);
          if (!name || insertFormat === undefined) {
            throw new SqlScanError('Syntax error: FORMAT needs a format name', token.start);
          }
          insertDataAt = name.end;
          insertKeywordAt = token.start;
          end = sql.length;
          break;
        }
        if (token.text === 'SELECT' || token.text === 'WITH') {
          // INSERT ... SELECT: an ordinary query from here on.
          insertFormat = undefined;
          insertSettingsAt = undefined;
        }
      }
    }
    i = skipTrivia(sql, i);
  }

  const first = tokens[0];
  if (!first) throw new SqlScanError('Empty query', 0);
  const verb = first.kind === 'punct' && first.text === '(' ? '(' : first.text;

  const outputFormat = verb === 'INSERT' ? undefined : findOutputFormat(tokens, sql);
  const placeholders = findPlaceholders(tokens, sql);

  let multiStatement = false;
  let secondStatementAt: number | undefined;
  if (insertDataAt === undefined && i < sql.length) {
    // We stopped at a ';'. Anything but more ';', white space and comments is a second statement.
    let j = skipTrivia(sql, i);
    while (j < sql.length && sql[j] === ';') j = skipTrivia(sql, j + 1);
    if (j < sql.length) {
      multiStatement = true;
      secondStatementAt = j;
    }
  }

  const second = tokens[1];
  const explainKind =
    verb === 'EXPLAIN' && second?.kind === 'word' && second.depth === 0 ? second.text : undefined;

  return {
    verb,
    end,
    ...(explainKind !== undefined ? { explainKind } : {}),
    multiStatement,
    ...(secondStatementAt !== undefined ? { secondStatementAt } : {}),
    ...(outputFormat !== undefined ? { outputFormat } : {}),
    ...(insertFormat !== undefined ? { insertFormat } : {}),
    ...(insertDataAt !== undefined ? { insertDataAt } : {}),
    ...(insertKeywordAt !== undefined
      ? { insertKeywordAt, insertClauseAt: insertSettingsAt ?? insertKeywordAt }
      : {}),
    intoOutfile,
    fromInfile,
    placeholders,
  };
}

/** `{name:Type}` substitutions: '{', an identifier, ':' (a map literal has a string there). */
function findPlaceholders(tokens: Token[], sql: string): string[] {
  const names = new Set<string>();
  for (let k = 0; k + 2 < tokens.length; k++) {
    if (tokens[k]?.text !== '{' || tokens[k + 2]?.text !== ':') continue;
    const name = identifierText(tokens[k + 1], sql);
    if (name !== undefined) names.add(name);
  }
  return [...names];
}

/**
 * The output FORMAT clause: a top-level FORMAT followed by a name and then nothing but an
 * optional trailing SETTINGS clause (so a column called `format` is not mistaken for it).
 */
function findOutputFormat(tokens: Token[], sql: string): string | undefined {
  for (let k = tokens.length - 2; k >= 0; k--) {
    const token = tokens[k] as Token;
    if (token.kind !== 'word' || token.text !== 'FORMAT' || token.depth !== 0) continue;
    const name = identifierText(tokens[k + 1], sql);
    const after = tokens[k + 2];
    if (name !== undefined && (after === undefined || after.text === 'SETTINGS')) return name;
  }
  return undefined;
}
