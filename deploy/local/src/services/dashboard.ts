import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../stack/errors.js';
import { REPO_ROOT } from '../stack/layout.js';

const DASHBOARD = path.join(REPO_ROOT, 'dashboard');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * The dashboard's built files (dashboard/dist), built with Vite when missing or older than
 * its sources (about two seconds), so `npm start` always serves what the tree holds.
 */
export function ensureDashboardBuilt(log: (line: string) => void = () => {}): string {
  const dist = path.join(DASHBOARD, 'dist');
  const built = path.join(dist, 'index.html');
  const sources = Math.max(
    newest(path.join(DASHBOARD, 'src')),
    ...['index.html', 'vite.config.ts', 'package.json'].map(
      (f) => statSync(path.join(DASHBOARD, f)).mtimeMs,
    ),
  );
  if (
    existsSync(built) &&
    statSync(built).mtimeMs >= sources &&
    readStamp(path.join(dist, STAMP)) === 'production'
  )
    return dist;
  log('dashboard   building (vite build)…');
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  // NODE_ENV decides which React Vite bundles. Under vitest it is 'test', and a build started
  // from a test run (or a shell with NODE_ENV=development) was React's development build:
  // 60 % larger and several times slower to render.
  const run = spawnSync(
    process.execPath,
    [vite, 'build', '--mode', 'production', '--logLevel', 'warn'],
    { cwd: DASHBOARD, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (run.status !== 0)
    throw new StackError(
      `The dashboard did not build:\n${(run.stderr || run.stdout).slice(-2000)}`,
      'Run `npm run build -w dashboard` to see the whole error.',
    );
  writeFileSync(path.join(dist, STAMP), 'production\n');
  return dist;
}

/** Written beside a build made here, so one made otherwise (a dev build) is made again. */
const STAMP = '.backbone-build';

function readStamp(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
