/**
 * Runs ClickHouse's own JavaScript client test suite (ClickHouse/clickhouse-js, integration
 * tests of the node and common packages, `local_single_node` mode) against the local
 * ClickHouse endpoint, and prints what passed, what failed and why.
 *
 *   git clone https://github.com/ClickHouse/clickhouse-js && (cd clickhouse-js && npm ci)
 *   npm run conformance:clickhouse-js -- /path/to/clickhouse-js
 *
 * The suite talks to http://127.0.0.1:8123 as `default` with no password, so the script
 * starts an endpoint of its own there (fresh data directory), and checks afterwards that it
 * still answers and stayed within its memory limit. Port 8123 must be free (stop the stack).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClickHouseProcess, stopProcess } from '../src/index.js';

interface Assertion {
  title: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
  failureMessages: string[];
}
interface Report {
  testResults: { name: string; assertionResults: Assertion[] }[];
}

/** Test files about what the embedded engine does not have: system log tables, access management. */
const OUT_OF_SCOPE: Record<string, string> = {
  'query_log.test.ts': 'system log tables (the embedded engine keeps none)',
  'role.test.ts': 'access management (roles)',
  'read_only_user.test.ts': 'access management (CREATE USER)',
};

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const suiteDir = path.resolve(process.argv[2] ?? process.env.CLICKHOUSE_JS_DIR ?? '');
if (!existsSync(path.join(suiteDir, 'packages/client-node/vitest.config.ts'))) {
  console.error('Give the path of a clickhouse-js checkout with its dependencies installed.');
  process.exit(2);
}
const memoryLimit = Math.floor(os.totalmem() / 4);
const work = mkdtempSync(path.join(os.tmpdir(), 'clickhouse-js-suite-'));
const endpoint = await startClickHouseProcess({
  stackDir: work,
  dataDir: path.join(work, 'data'),
  port: 8123,
  password: '',
  readerPassword: 'reader',
  logFile: path.join(work, 'clickhouse.log'),
  env: { CLICKHOUSE_MAX_SERVER_MEMORY_USAGE: String(memoryLimit) },
});
const reportFile = path.join(work, 'report.json');
try {
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${reportFile}`], {
    cwd: path.join(suiteDir, 'packages/client-node'),
    env: {
      ...process.env,
      TEST_MODE: 'integration',
      CLICKHOUSE_TEST_ENVIRONMENT: 'local_single_node',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 30 * 60_000,
  });
  if (!existsSync(reportFile)) throw new Error(`the suite wrote no report (exit ${run.status})`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
  const counts = { passed: 0, failed: 0, skipped: 0, outOfScope: 0 };
  const failures: string[] = [];
  for (const file of report.testResults) {
    const base = path.basename(file.name);
    const scope = OUT_OF_SCOPE[base];
    for (const a of file.assertionResults) {
      if (a.status === 'passed') counts.passed++;
      else if (a.status !== 'failed') counts.skipped++;
      else if (scope) counts.outOfScope++;
      else {
        counts.failed++;
        const reason = (a.failureMessages[0] ?? '').split('\n')[0]?.slice(0, 200);
        failures.push(`${base} › ${a.title}\n    ${reason}`);
      }
    }
  }
  const ran = counts.passed + counts.failed;
  console.log(
    `clickhouse-js integration suite against the local endpoint: ${counts.passed} passed, ${counts.failed} failed, ` +
      `${counts.skipped} skipped by the suite, ${counts.outOfScope} failed out of scope (${Object.values(OUT_OF_SCOPE).join('; ')})`,
  );
  console.log(
    `passed ${((100 * counts.passed) / Math.max(1, ran)).toFixed(1)}% of the ${ran} tests in scope`,
  );
  for (const f of failures) console.log(`  failed: ${f}`);
  const ping = await fetch('http://127.0.0.1:8123/ping').then(
    (r) => r.status,
    () => 0,
  );
  const rss = rssBytes(endpoint.pid);
  console.log(
    `endpoint afterwards: /ping ${ping}, resident ${(rss / 2 ** 20).toFixed(0)} MiB of a ${(memoryLimit / 2 ** 20).toFixed(0)} MiB limit`,
  );
  process.exitCode = ping === 200 && rss < memoryLimit ? 0 : 1;
} finally {
  await stopProcess(endpoint.pid);
  rmSync(work, { recursive: true, force: true });
}
