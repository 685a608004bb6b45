import { describe, expect, it } from 'vitest';
import { isReadStatement, scanStatement, SqlScanError } from './sql-scan.js';

describe('scanStatement', () => {
  it.each([
    ['SELECT 1', 'SELECT', true],
    ['  -- comment\n select 1', 'SELECT', true],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'WITH', true],
    ['(SELECT 1) UNION ALL (SELECT 2)', '(', true],
    ['SHOW TABLES', 'SHOW', true],
    ['DESC t', 'DESC', true],
    ['EXPLAIN SELECT 1', 'EXPLAIN', true],
    ['INSERT INTO t VALUES (1)', 'INSERT', false],
    ['/* x */ DROP TABLE t', 'DROP', false],
    ['ALTER TABLE t DELETE WHERE 1', 'ALTER', false],
    ['SET max_threads = 1', 'SET', false],
  ])('classifies %j as %s (read: %s)', (sql, verb, read) => {
    const scan = scanStatement(sql);
    expect(scan.verb).toBe(verb);
    expect(isReadStatement(scan)).toBe(read);
  });

  it('accepts one trailing semicolon but flags a second statement with its position', () => {
    expect(scanStatement('SELECT 1;').multiStatement).toBe(false);
    expect(scanStatement('SELECT 1; -- done\n;').multiStatement).toBe(false);
    const scan = scanStatement('SELECT 1; DROP TABLE t');
    expect(scan).toMatchObject({ multiStatement: true, secondStatementAt: 10, end: 8 });
  });

  it('ignores semicolons and keywords inside strings, quoted names, comments and parentheses', () => {
    const sql =
      "SELECT ';', \"a;b\", `FORMAT` /* ; INTO OUTFILE 'x' */ FROM t WHERE x IN (SELECT 1 FORMAT JSON) -- ; \n";
    expect(scanStatement(sql)).toMatchObject({
      multiStatement: false,
      intoOutfile: false,
      verb: 'SELECT',
    });
    expect(scanStatement(sql).outputFormat).toBeUndefined();
  });

  it('finds the output format of the outermost query, not a column called format', () => {
    expect(scanStatement('SELECT 1 FORMAT JSONEachRow').outputFormat).toBe('JSONEachRow');
    expect(scanStatement('SELECT 1 FORMAT CSV SETTINGS max_threads = 1').outputFormat).toBe('CSV');
    expect(scanStatement('SELECT format FROM t').outputFormat).toBeUndefined();
    expect(scanStatement('SELECT 1 FORMAT `TSV`').outputFormat).toBe('TSV');
  });

  it('stops at INSERT data, whatever the data contains', () => {
    const sql = 'INSERT INTO t (a, format) FORMAT JSONEachRow\n{"a":"x; SELECT 2"}\n';
    const scan = scanStatement(sql);
    expect(scan).toMatchObject({
      verb: 'INSERT',
      insertFormat: 'JSONEachRow',
      multiStatement: false,
    });
    expect(sql.slice(scan.insertDataAt)).toBe('\n{"a":"x; SELECT 2"}\n');
    expect(scanStatement("INSERT INTO t VALUES ('a;b'); junk")).toMatchObject({
      insertFormat: 'Values',
      multiStatement: false,
    });
    expect(scanStatement('INSERT INTO format FORMAT CSV\n1')).toMatchObject({
      insertFormat: 'CSV',
    });
  });

  it('treats INSERT ... SELECT as a query', () => {
    const scan = scanStatement('INSERT INTO t SELECT * FROM s; SELECT 1');
    expect(scan.insertFormat).toBeUndefined();
    expect(scan.multiStatement).toBe(true);
  });

  it('notices INTO OUTFILE and FROM INFILE at the top level', () => {
    expect(scanStatement("SELECT 1 INTO OUTFILE '/tmp/x'").intoOutfile).toBe(true);
    expect(scanStatement("INSERT INTO t FROM INFILE '/etc/passwd' FORMAT CSV").fromInfile).toBe(
      true,
    );
  });

  it('lists the query parameters, and not map literals', () => {
    expect(
      scanStatement("SELECT {a:UInt8}, {b : String}, {'k': 1}, '{c:String}'").placeholders,
    ).toEqual(['a', 'b']);
  });

  it.each([["SELECT 'abc"], ['SELECT 1 /* open'], ['   '], ['SELECT $$x']])(
    'rejects %j with a position',
    (sql) => {
      expect(() => scanStatement(sql)).toThrow(SqlScanError);
    },
  );
});
