import { timingSafeEqual, createHash } from 'node:crypto';
import { exception } from './errors.js';
import { isReadStatement, type StatementScan } from './sql-scan.js';
import type { QueryRequest } from './request.js';

/** A user of the endpoint, as a ClickHouse users.xml entry would describe it. */
export interface UserProfile {
  name: string;
  password: string;
  /** 0: may do anything; 1: reads only and may change no setting; 2: reads only. */
  readonly: 0 | 1 | 2;
  /** Profile settings the engine enforces on every statement of this user (limits). */
  settings: Record<string, string>;
  /**
   * ClickHouse's `changeable_in_readonly` constraints: settings a readonly=1 user may still
   * set, within [min, max] where given (e.g. lower its own limits, or a row filter).
   */
  changeableInReadonly?: Record<string, { min?: number; max?: number }>;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function authenticate(
  users: readonly UserProfile[],
  request: Pick<QueryRequest, 'user' | 'password'>,
): UserProfile {
  const user = users.find((u) => u.name === request.user);
  if (!user || !sameSecret(user.password, request.password)) {
    throw exception(
      'AUTHENTICATION_FAILED',
      `${request.user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
  return user;
}

/** How the engine must run one statement for one user. */
export interface ExecutionPlan {
  /** The statement as the engine gets it (trailing ';' removed, readonly clause appended). */
  sql: string;
  /** Settings to apply for this statement only (set, then restored). */
  sessionSettings: Record<string, string>;
  readonly: 0 | 1 | 2;
}

/**
 * Decides how a statement runs, or refuses it the way ClickHouse would. Read-only mode is
 * enforced twice: statements that are not reads are refused here, and reads carry a
 * trailing `SETTINGS readonly=N, <profile limits>` clause that the engine itself enforces
 * (it then refuses table functions, writes, and any attempt to change a setting).
 */
export function planExecution(
  user: UserProfile,
  request: QueryRequest,
  scan: StatementScan,
): ExecutionPlan {
  if (scan.multiStatement) {
    throw exception(
      'SYNTAX_ERROR',
      `Syntax error (Multi-statements are not allowed): failed at position ${(scan.secondStatementAt ?? 0) + 1}`,
    );
  }
  if (scan.intoOutfile) {
    throw exception('INTO_OUTFILE_NOT_ALLOWED', 'INTO OUTFILE is not allowed');
  }
  if (scan.fromInfile) {
    throw exception(
      'NOT_IMPLEMENTED',
      'FROM INFILE is a client-side feature; send the data in the request body',
    );
  }

  const readonly = Math.max(user.readonly, request.readonly) as 0 | 1 | 2;
  if (readonly === 0) {
    return {
      sql: request.sql,
      sessionSettings: { ...user.settings, ...request.settings },
      readonly,
    };
  }

  if (!isReadStatement(scan)) {
    throw exception('READONLY', `${user.name}: Cannot execute query in readonly mode`);
  }
  if (scan.explainKind === 'AST') {
    // EXPLAIN AST only parses. An appended SETTINGS clause would become part of the very
    // parse it returns (as if the caller had written it), so it runs as sent.
    return { sql: request.sql.slice(0, scan.end), sessionSettings: {}, readonly };
  }
  if (user.readonly === 1) {
    for (const [name, value] of Object.entries(request.settings)) {
      if (user.settings[name] === value) continue;
      const rule = user.changeableInReadonly?.[name];
      if (!rule) throw exception('READONLY', `Cannot modify '${name}' setting in readonly mode`);
      checkConstraint(name, value, rule);
    }
  }
  const enforced = { ...user.settings, ...request.settings, readonly: String(readonly) };
  const clause = Object.entries(enforced)
    .map(([name, value]) => `${name} = ${settingLiteral(value)}`)
    .join(', ');
  return {
    sql: `${request.sql.slice(0, scan.end)}\nSETTINGS ${clause}`,
    sessionSettings: {},
    readonly,
  };
}

/** A value outside a constraint's bounds is refused the way ClickHouse refuses it. */
function checkConstraint(name: string, value: string, rule: { min?: number; max?: number }) {
  if (rule.min === undefined && rule.max === undefined) return;
  const n = Number(value);
  if (!Number.isFinite(n)) {
    throw exception('SETTING_CONSTRAINT_VIOLATION', `Setting ${name} must be a number`);
  }
  if (rule.min !== undefined && n < rule.min) {
    throw exception(
      'SETTING_CONSTRAINT_VIOLATION',
      `Setting ${name} shouldn't be less than ${rule.min}`,
    );
  }
  if (rule.max !== undefined && n > rule.max) {
    throw exception(
      'SETTING_CONSTRAINT_VIOLATION',
      `Setting ${name} shouldn't be greater than ${rule.max}`,
    );
  }
}

/** A SQL string literal that holds exactly `value`. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A setting value as SQL: always a string literal, which the engine parses by the
 * setting's type, as a server parses URL parameters ('2.6' stays the text a String
 * setting wants, '1' still sets a number or a flag).
 */
export function settingLiteral(value: string): string {
  return sqlString(value);
}
