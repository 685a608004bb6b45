import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testTempDir } from './temp.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const vitest = path.join(root, 'node_modules/.bin/vitest');
const reporter = path.join(import.meta.dirname, 'summary-reporter.ts');

/** Runs vitest on one test file with the summary reporter; returns its last line and exit code. */
async function summaryOf(source: string): Promise<{ line: string; code: number }> {
  const dir = testTempDir('reporter');
  writeFileSync(path.join(dir, 'vitest.config.mjs'), 'export default {};\n');
  writeFileSync(path.join(dir, 'case.test.ts'), source);
  const args = ['run', '--root', dir, '--reporter=default', `--reporter=${reporter}`];
  const result = await run(vitest, args, { cwd: dir }).then(
    (r) => ({ stdout: r.stdout, code: 0 }),
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }),
  );
  const lines = result.stdout.trim().split('\n');
  return { line: lines.at(-1) ?? '', code: result.code };
}

describe('the CI summary line', () => {
  it('counts tests that never ran because their beforeAll failed as failed, not skipped', async () => {
    const { line, code } = await summaryOf(`
      import { beforeAll, describe, expect, it } from 'vitest';
      describe('fine', () => { it('a', () => expect(1).toBe(1)); it('s', (ctx) => ctx.skip()); });
      describe('set-up fails', () => {
        beforeAll(() => { throw new Error('no broker'); });
        it('b', () => expect(1).toBe(1));
        it('c', () => expect(1).toBe(1));
      });
    `);
    expect(code).toBe(1);
    expect(line).toBe('1 passed, 2 failed, 1 skipped');
  }, 30_000);

  it('counts an afterAll that fails after its tests passed, and a file that does not load', async () => {
    const afterAll = await summaryOf(`
      import { afterAll, describe, expect, it } from 'vitest';
      describe('tear-down fails', () => {
        afterAll(() => { throw new Error('left a topic behind'); });
        it('a', () => expect(1).toBe(1));
      });
    `);
    expect(afterAll.code).toBe(1);
    expect(afterAll.line).toBe('1 passed, 1 failed');

    const load = await summaryOf(`import './missing-module.js';\n`);
    expect(load.code).toBe(1);
    expect(load.line).toBe('0 passed, 1 failed');
  }, 30_000);
});
