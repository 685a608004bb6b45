import { describe, expect, it } from 'vitest';
import { QueryError } from '../errors.js';
import { parseExplainAst } from './ast.js';
import { checkStatement, type SqlScope } from './guard.js';
import { tenantFilters } from './engine.js';
import { TABLES } from '@backbone/warehouse/tables';

/** EXPLAIN AST output of ClickHouse 26.7 (chDB) for the statements named in each case. */
const AST = {
  // WITH recent AS (SELECT * FROM web_events)
  // SELECT count() FROM recent JOIN analytics.web_pages_1h AS p USING tenant_id
  cteAndJoin: `SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 3)\n   ExpressionList (children 1)\n    WithElement (children 1)\n     Subquery (children 1)\n      SelectWithUnionQuery (children 1)\n       ExpressionList (children 1)\n        SelectQuery (children 2)\n         ExpressionList (children 1)\n          Asterisk\n         TablesInSelectQuery (children 1)\n          TablesInSelectQueryElement (children 1)\n           TableExpression (children 1)\n            TableIdentifier ${TABLES.webEvents}\n   ExpressionList (children 1)\n    Function count (children 1)\n     ExpressionList\n   TablesInSelectQuery (children 2)\n    TablesInSelectQueryElement (children 1)\n     TableExpression (children 1)\n      TableIdentifier recent\n    TablesInSelectQueryElement (children 2)\n     TableExpression (children 1)\n      TableIdentifier analytics.${TABLES.webPages1h} (alias p)\n     TableJoin (children 1)\n      ExpressionList (children 1)\n       Identifier tenant_id\n`,
  // SELECT 1 FROM web_events SETTINGS max_threads = 1
  settings: `SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 3)\n   ExpressionList (children 1)\n    Literal UInt64_1\n   TablesInSelectQuery (children 1)\n    TablesInSelectQueryElement (children 1)\n     TableExpression (children 1)\n      TableIdentifier ${TABLES.webEvents}\n   Set\n`,
  // SELECT * FROM merge('analytics', '.*')
  tableFunction:
    "SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 2)\n   ExpressionList (children 1)\n    Asterisk\n   TablesInSelectQuery (children 1)\n    TablesInSelectQueryElement (children 1)\n     TableExpression (children 1)\n      Function merge (children 1)\n       ExpressionList (children 2)\n        Literal 'analytics'\n        Literal '.*'\n",
  // SELECT 1 WHERE 1 IN system.one
  inTable:
    'SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 2)\n   ExpressionList (children 1)\n    Literal UInt64_1\n   Function in (children 1)\n    ExpressionList (children 2)\n     Literal UInt64_1\n     Identifier system.one\n',
  // DROP TABLE analytics.web_events
  drop: `DropQuery analytics ${TABLES.webEvents} (children 2)\n Identifier analytics\n Identifier ${TABLES.webEvents}\n`,
  // SELECT 1 FORMAT JSON
  format:
    'SelectWithUnionQuery (children 2)\n ExpressionList (children 1)\n  SelectQuery (children 1)\n   ExpressionList (children 1)\n    Literal UInt64_1\n Identifier JSON\n',
};

const scope: SqlScope = {
  database: 'analytics',
  tenantTables: new Set([`${TABLES.webEvents}`, `${TABLES.webPages1h}`]),
  otherTables: new Set([`${TABLES.schemaMigrations}`, `${TABLES.sinkInflight}`, 'mv_web_pages_1h']),
};

/** A one-table SELECT's parse, for table-name cases. */
const selectFrom = (name: string) =>
  `SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 2)\n   ExpressionList (children 1)\n    Asterisk\n   TablesInSelectQuery (children 1)\n    TablesInSelectQueryElement (children 1)\n     TableExpression (children 1)\n      TableIdentifier ${name}\n`;

function refusal(ast: string): { code: string; message: string } {
  try {
    checkStatement(parseExplainAst(ast), scope);
  } catch (err) {
    expect(err).toBeInstanceOf(QueryError);
    return { code: (err as QueryError).code, message: (err as QueryError).message };
  }
  throw new Error('expected a refusal');
}

describe('parseExplainAst', () => {
  it('reads kinds, names without their alias, and the nesting', () => {
    const [root] = parseExplainAst(AST.cteAndJoin);
    expect(root?.kind).toBe('SelectWithUnionQuery');
    expect(root?.children).toHaveLength(1);
    const names: string[] = [];
    const visit = (n: NonNullable<typeof root>) => {
      if (n.kind === 'TableIdentifier') names.push(n.text);
      n.children.forEach(visit);
    };
    visit(root as NonNullable<typeof root>);
    expect(names).toEqual([`${TABLES.webEvents}`, 'recent', `analytics.${TABLES.webPages1h}`]);
  });
});

describe('checkStatement', () => {
  it('lets a SELECT over tenant tables and a CTE through, naming the tables it reads', () => {
    expect(checkStatement(parseExplainAst(AST.cteAndJoin), scope)).toEqual({
      kind: 'select',
      tables: [`analytics.${TABLES.webEvents}`, `analytics.${TABLES.webPages1h}`],
    });
  });

  it.each([
    ['a write', AST.drop, 'FORBIDDEN', /only SELECT and DESCRIBE .*got Drop/],
    ['a SETTINGS clause', AST.settings, 'BAD_USER_INPUT', /SETTINGS clause/],
    ['a table function', AST.tableFunction, 'FORBIDDEN', /table function merge\(\)/],
    ['IN with a table name', AST.inTable, 'BAD_USER_INPUT', /IN \(SELECT …\)/],
    ['a FORMAT clause', AST.format, 'BAD_USER_INPUT', /FORMAT or INTO OUTFILE/],
    ['a system table', selectFrom('system.query_log'), 'FORBIDDEN', /outside the analytics/],
    [
      'another database',
      selectFrom(`other.${TABLES.webEvents}`),
      'FORBIDDEN',
      /outside the analytics/,
    ],
    [
      'a ledger table',
      selectFrom(`analytics.${TABLES.schemaMigrations}`),
      'FORBIDDEN',
      /not readable/,
    ],
    ['a bare ledger name', selectFrom(`${TABLES.sinkInflight}`), 'FORBIDDEN', /not readable/],
    ['an unknown qualified table', selectFrom('analytics.nope'), 'FORBIDDEN', /not readable/],
    ['two statements', `${AST.format}${AST.drop}`, 'BAD_USER_INPUT', /exactly one statement/],
  ])('refuses %s', (_what, ast, code, message) => {
    const r = refusal(ast);
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });
});

describe('tenantFilters', () => {
  it('filters every tenant table, quoting the tenant twice over (a literal in a literal)', () => {
    expect(tenantFilters(scope, "o'brien")).toBe(
      `{'analytics.${TABLES.webEvents}':'tenant_id = \\'o\\\\\\'brien\\'','analytics.${TABLES.webPages1h}':'tenant_id = \\'o\\\\\\'brien\\''}`,
    );
  });
});
