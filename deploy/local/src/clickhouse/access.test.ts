import { describe, expect, it } from 'vitest';
import { authenticate, planExecution, settingLiteral, type UserProfile } from './access.js';
import { ClickHouseException } from './errors.js';
import type { QueryRequest } from './request.js';
import { scanStatement } from './sql-scan.js';

const admin: UserProfile = { name: 'default', password: 'pw', readonly: 0, settings: {} };
const reader: UserProfile = {
  name: 'reader',
  password: 'rpw',
  readonly: 1,
  settings: { max_execution_time: '30', max_result_rows: '1000' },
  changeableInReadonly: { max_result_rows: { min: 1, max: 1000 }, additional_table_filters: {} },
};

function request(sql: string, extra: Partial<QueryRequest> = {}): QueryRequest {
  return {
    sql,
    queryId: 'q',
    settings: {},
    params: {},
    user: 'default',
    password: 'pw',
    readonly: 0,
    compressResponse: false,
    waitEndOfQuery: false,
    ...extra,
  };
}

function plan(user: UserProfile, req: QueryRequest) {
  return planExecution(user, req, scanStatement(req.sql));
}

function refusal(fn: () => unknown): { code: number; type: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ClickHouseException);
    const e = err as ClickHouseException;
    return { code: e.code, type: e.type };
  }
  throw new Error('expected a refusal');
}

describe('authenticate', () => {
  it('accepts the right password and refuses a wrong one or an unknown user', () => {
    expect(
      authenticate([admin, reader], request('SELECT 1', { user: 'reader', password: 'rpw' })).name,
    ).toBe('reader');
    expect(refusal(() => authenticate([admin], request('SELECT 1', { password: 'nope' })))).toEqual(
      { code: 516, type: 'AUTHENTICATION_FAILED' },
    );
    expect(refusal(() => authenticate([admin], request('SELECT 1', { user: 'ghost' })))).toEqual({
      code: 516,
      type: 'AUTHENTICATION_FAILED',
    });
  });
});

describe('planExecution', () => {
  it('runs an admin statement as sent, with the request settings for that statement only', () => {
    const p = plan(
      admin,
      request('INSERT INTO t VALUES (1)', { settings: { insert_deduplication_token: 'x' } }),
    );
    expect(p).toEqual({
      sql: 'INSERT INTO t VALUES (1)',
      sessionSettings: { insert_deduplication_token: 'x' },
      readonly: 0,
    });
  });

  it('has the engine enforce readonly and the profile limits on a reader query', () => {
    const p = plan(reader, request('SELECT 1;  ', { user: 'reader' }));
    expect(p.sql).toBe(
      "SELECT 1\nSETTINGS max_execution_time = '30', max_result_rows = '1000', readonly = '1'",
    );
    expect(p.sessionSettings).toEqual({});
  });

  it('refuses writes from a read-only user, and from a request that asked for readonly', () => {
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'DROP TABLE t',
      'SET readonly = 0',
      'SYSTEM FLUSH LOGS',
      'OPTIMIZE TABLE t',
    ]) {
      expect(refusal(() => plan(reader, request(sql)))).toEqual({ code: 164, type: 'READONLY' });
      expect(refusal(() => plan(admin, request(sql, { readonly: 2 })))).toEqual({
        code: 164,
        type: 'READONLY',
      });
    }
  });

  it('refuses a read-only user a setting its profile does not fix, as ClickHouse does', () => {
    expect(
      refusal(() => plan(reader, request('SELECT 1', { settings: { max_execution_time: '0' } }))),
    ).toEqual({ code: 164, type: 'READONLY' });
    expect(
      plan(reader, request('SELECT 1', { settings: { max_execution_time: '30' } })).sql,
    ).toContain("readonly = '1'");
  });

  it('lets a read-only user lower a limit or set a filter its constraints allow, and no more', () => {
    const p = plan(
      reader,
      request('SELECT 1', {
        settings: { max_result_rows: '10', additional_table_filters: "{'t':'x = 1'}" },
      }),
    );
    expect(p.sql).toBe(
      "SELECT 1\nSETTINGS max_execution_time = '30', max_result_rows = '10', additional_table_filters = '{\\'t\\':\\'x = 1\\'}', readonly = '1'",
    );
    for (const value of ['0', '1001', 'lots']) {
      expect(
        refusal(() => plan(reader, request('SELECT 1', { settings: { max_result_rows: value } }))),
      ).toEqual({ code: 452, type: 'SETTING_CONSTRAINT_VIOLATION' });
    }
  });

  it('runs EXPLAIN AST as sent, so the parse it returns is the statement alone', () => {
    expect(plan(reader, request('EXPLAIN AST SELECT 1 FROM t;', { user: 'reader' })).sql).toBe(
      'EXPLAIN AST SELECT 1 FROM t',
    );
    expect(plan(reader, request('EXPLAIN SYNTAX SELECT 1', { user: 'reader' })).sql).toContain(
      "readonly = '1'",
    );
  });

  it('refuses multi-statements and INTO OUTFILE for everyone', () => {
    expect(refusal(() => plan(admin, request('SELECT 1; SELECT 2')))).toEqual({
      code: 62,
      type: 'SYNTAX_ERROR',
    });
    expect(refusal(() => plan(admin, request("SELECT 1 INTO OUTFILE 'x'")))).toEqual({
      code: 358,
      type: 'INTO_OUTFILE_NOT_ALLOWED',
    });
  });
});

describe('settingLiteral', () => {
  it('quotes every value (the engine parses it by the type of the setting), escaping quotes', () => {
    expect(settingLiteral('30')).toBe("'30'");
    expect(settingLiteral('2.6')).toBe("'2.6'");
    expect(settingLiteral("it's \\ fine")).toBe("'it\\'s \\\\ fine'");
  });
});
