import { ClickHouseError, type ClickHouseClient } from '@clickhouse/client';
import { badInput, forbidden, type QueryError } from '../errors.js';
import { parseExplainAst, type AstNode } from './ast.js';
import type { SqlScope } from './guard.js';

export interface SqlLimits {
  /** Most rows one statement may return (an admin may ask for fewer). */
  maxRows: number;
  maxResultBytes: number;
  maxExecutionSeconds: number;
}

export interface SqlRun {
  queryId: string;
  format: 'json' | 'csv';
  tenantId: string;
  scope: SqlScope;
  maxRows: number;
}

/** A line of the answer: JSON (names, types, then one array per row) or CSV with a header. */
export type SqlLine = { text: string };

/** What the SQL endpoint needs of the engine that parses, scopes and runs a statement. */
export interface SqlEngine {
  /** The tables a statement may name, told apart by whether they carry tenant_id. */
  scope(): Promise<SqlScope>;
  /** The engine's own parse of the statement; nothing runs. */
  parse(sql: string): Promise<AstNode[]>;
  /** Runs the statement for one tenant within the limits; its lines as they come. */
  run(sql: string, options: SqlRun): Promise<AsyncIterable<SqlLine[]>>;
  /** An error about the statement itself as the service's error, with the engine's name for it. */
  statementError(err: unknown): { error: QueryError; type: string } | undefined;
}

/** ClickHouse error types that mean "your statement" and are refusals (403), not mistakes. */
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

/**
 * ClickHouse as the SQL engine: the read-only user with the analytics database as its current
 * database. `EXPLAIN AST` parses and runs nothing; statements run with the service's limits
 * and a row filter on every tenant table.
 */
export class ClickHouseSqlEngine implements SqlEngine {
  readonly scope: () => Promise<SqlScope>;

  constructor(
    private readonly reader: ClickHouseClient,
    database: string,
    private readonly limits: SqlLimits,
  ) {
    this.scope = tableScope(reader, database);
  }

  /**
   * Sent with `exec`, which appends no FORMAT of its own (the parser would hang one on the
   * inner statement); the answer is TabSeparated text.
   */
  async parse(sql: string): Promise<AstNode[]> {
    const { stream } = await this.reader.exec({ query: `EXPLAIN AST ${sql}` });
    const chunks: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
    // TabSeparated escapes backslashes and tabs; the node layout (spaces, newlines) is plain.
    return parseExplainAst(Buffer.concat(chunks).toString('utf8').replace(/\\\\/g, '\\'));
  }

  async run(sql: string, options: SqlRun): Promise<AsyncIterable<SqlLine[]>> {
    const result = await this.reader.query({
      query: sql,
      query_id: options.queryId,
      format: options.format === 'csv' ? 'CSVWithNames' : 'JSONCompactEachRowWithNamesAndTypes',
      clickhouse_settings: {
        // A string is what the HTTP interface sends anyway; the client's type wants its Map.
        additional_table_filters: tenantFilters(options.scope, options.tenantId) as never,
        max_result_rows: String(options.maxRows),
        max_result_bytes: String(this.limits.maxResultBytes),
        max_execution_time: this.limits.maxExecutionSeconds,
        // The answer is complete before the first byte goes out, so an error is a status.
        wait_end_of_query: 1,
      },
    });
    return result.stream<unknown>();
  }

  statementError(err: unknown) {
    if (!(err instanceof ClickHouseError)) return undefined;
    const message = `ClickHouse: ${err.message.replace(/\s*\(version [^)]*\)\s*$/, '')}`;
    const type = err.type ?? err.code;
    return { error: REFUSED.has(err.type ?? '') ? forbidden(message) : badInput(message), type };
  }
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
