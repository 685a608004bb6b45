import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/**
 * Ends every run with one plain line, `N passed, N failed[, N skipped]`, counted from
 * vitest's own results, for CI to read.
 *
 * A test that did not run because a hook of its suite failed (a `beforeAll` that could not
 * set up) counts as failed, not skipped: it proves nothing. A hook or load error that left
 * no such test behind counts once, as do errors outside any test.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    const { passed, failed, skipped } = countResults(testModules, unhandledErrors.length);
    process.stdout.write(
      `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }
}

export function countResults(
  testModules: ReadonlyArray<TestModule>,
  unhandledErrors: number,
): { passed: number; failed: number; skipped: number } {
  let passed = 0;
  let failed = unhandledErrors;
  let skipped = 0;
  for (const module of testModules) {
    // Suites (and the file) whose hooks or loading failed, and whether a test showed it.
    const broken = new Map<TestSuite | TestModule, boolean>();
    for (const entity of [module, ...module.children.allSuites()]) {
      if (entity.errors().length > 0) broken.set(entity, false);
    }
    for (const test of module.children.allTests()) {
      const state = test.result().state;
      const cause = brokenAncestors(test, broken);
      if (state === 'passed') passed++;
      else if (state === 'failed' || cause.length > 0) {
        failed++;
        for (const entity of cause) broken.set(entity, true);
      } else skipped++;
    }
    // An afterAll that failed after every test passed, or a file that failed to load.
    for (const shown of broken.values()) if (!shown) failed++;
  }
  return { passed, failed, skipped };
}

function brokenAncestors(
  test: TestCase,
  broken: ReadonlyMap<TestSuite | TestModule, boolean>,
): (TestSuite | TestModule)[] {
  const found: (TestSuite | TestModule)[] = [];
  for (let p: TestSuite | TestModule = test.parent; ; p = p.parent) {
    if (broken.has(p)) found.push(p);
    if (p.type === 'module') return found;
  }
}
