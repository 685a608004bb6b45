import { badInput, forbidden, type QueryError } from '../errors.js';
import { walk, type AstNode } from './ast.js';

/** What an admin's SQL may read: the tenant-scoped tables of one database. */
export interface SqlScope {
  database: string;
  /** Tables with a tenant_id column: readable, filtered to the caller's tenant. */
  tenantTables: ReadonlySet<string>;
  /** Everything else in the database (ledgers, views, locks): never readable here. */
  otherTables: ReadonlySet<string>;
}

/** Membership tests whose right side may name a table (`x IN t`), which no filter scopes. */
const IN_FUNCTIONS = new Set([
  'in',
  'notIn',
  'globalIn',
  'globalNotIn',
  'nullIn',
  'notNullIn',
  'globalNullIn',
  'globalNotNullIn',
]);

/** Scalar functions that read tables, dictionaries or files behind the row filter's back. */
const READING_FUNCTION =
  /^(joinGet|dictGet|dictHas|dictIsIn|dictGetHierarchy|dictGetChildren|dictGetDescendants|file$|hasColumnInTable$)/;

export interface CheckedStatement {
  kind: 'select' | 'describe';
  /** The tenant tables it reads, qualified. */
  tables: string[];
}

/**
 * Decides from ClickHouse's parse whether an admin's statement may run: one SELECT (or
 * DESCRIBE) over tenant tables of the analytics database, with no SETTINGS clause (the
 * service sets the limits and the tenant filter), no FORMAT / INTO OUTFILE, no table
 * functions and no functions that read around the filter. Throws a QueryError naming the
 * problem; the engine's read-only mode still refuses any write on its own.
 */
export function checkStatement(roots: AstNode[], scope: SqlScope): CheckedStatement {
  const [root, second] = roots;
  if (!root || second) throw badInput('sql must be exactly one statement');
  const kind =
    root.kind === 'SelectWithUnionQuery' || root.kind === 'SelectIntersectExceptQuery'
      ? 'select'
      : root.kind === 'DescribeQuery'
        ? 'describe'
        : undefined;
  if (!kind)
    throw forbidden(
      `only SELECT and DESCRIBE statements run here (got ${root.kind.replace(/Query$/, '')})`,
    );
  if (kind === 'select' && root.children.length > 1)
    throw badInput('sql must not have FORMAT or INTO OUTFILE: choose the format field instead');
  const tables = new Set<string>();
  for (const { node, parent } of walk([root])) {
    const refusal = refuse(node, parent, scope, tables);
    if (refusal) throw refusal;
  }
  return { kind, tables: [...tables].sort() };
}

function refuse(
  node: AstNode,
  parent: AstNode | undefined,
  scope: SqlScope,
  tables: Set<string>,
): QueryError | undefined {
  switch (node.kind) {
    case 'Set':
      return badInput('sql must not have a SETTINGS clause: limits are set by the service');
    case 'Function':
      if (parent?.kind === 'TableExpression')
        return forbidden(`table function ${node.text}() is not allowed: query the tables`);
      if (READING_FUNCTION.test(node.text))
        return forbidden(`function ${node.text}() is not allowed here`);
      if (IN_FUNCTIONS.has(node.text)) {
        const right = node.children[0]?.children[1];
        if (right?.kind === 'Identifier')
          return badInput(
            `write ${node.text === 'in' ? 'IN' : node.text} (SELECT …) instead of naming a table`,
          );
      }
      return undefined;
    case 'TableIdentifier':
      return tableRefusal(node.text, scope, tables);
    default:
      return undefined;
  }
}

/** Qualified names must be tenant tables of the database; bare ones may also be CTE names. */
function tableRefusal(name: string, scope: SqlScope, tables: Set<string>): QueryError | undefined {
  const dot = name.indexOf('.');
  const database = dot === -1 ? scope.database : name.slice(0, dot);
  const table = dot === -1 ? name : name.slice(dot + 1);
  if (database !== scope.database)
    return forbidden(`table ${name} is outside the ${scope.database} database`);
  if (scope.tenantTables.has(table)) {
    tables.add(`${database}.${table}`);
    return undefined;
  }
  if (dot !== -1 || scope.otherTables.has(table))
    return forbidden(
      `table ${name} is not readable here (tenant tables: ${[...scope.tenantTables].sort().join(', ')})`,
    );
  return undefined; // a CTE's name; an unknown table fails in the engine with UNKNOWN_TABLE
}
