import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ApiKeyStore, createApiKey } from '@backbone/ingest-gateway';
import { StackError } from '../stack/errors.js';
import { REPO_ROOT } from '../stack/layout.js';
import { waitForHttp } from '../stack/node-services.js';
import { isPortFree } from '../stack/ports.js';
import { serviceEnv, type Endpoints } from '../stack/state.js';
import { ensureSecret } from './query.js';

const LAUNCH = path.join(REPO_ROOT, 'deploy/local/src/services/launch.ts');

/**
 * The local demo's API key. The key store keeps only hashes; for local convenience the key
 * itself is kept beside it (mode 0600, in the git-ignored data directory) so `npm start`
 * can print it every time. Production keys are made with `npm run gateway:keys`.
 */
export function ensureDemoKey(dataDir: string): { key: string; keysFile: string } {
  const keysFile = path.join(dataDir, 'api-keys.json');
  const demoFile = path.join(dataDir, 'demo-api-key');
  if (existsSync(demoFile)) {
    const key = readFileSync(demoFile, 'utf8').trim();
    if (ApiKeyStore.fromFile(keysFile).find(key)) return { key, keysFile };
  }
  const { key } = createApiKey(keysFile, { tenantId: 'demo', source: 'local' });
  writeFileSync(demoFile, `${key}\n`, { mode: 0o600 });
  return { key, keysFile };
}

/** Starts the ingest gateway as a child of `npm start` and waits until it is ready. */
export async function startGateway(o: {
  dataDir: string;
  endpoints: Endpoints;
  port: number;
  keysFile: string;
  /** More of the gateway's environment (CORS_ORIGINS, …). */
  env?: NodeJS.ProcessEnv;
}): Promise<ChildProcess> {
  if (!(await isPortFree(o.port))) {
    throw new StackError(
      `Port ${o.port} (ingest gateway) is taken by another process.`,
      'Stop it, or choose another port with GATEWAY_PORT=….',
    );
  }
  return startService({
    dataDir: o.dataDir,
    name: 'gateway',
    what: 'The ingest gateway',
    script: 'ingest-gateway/src/main.ts',
    env: {
      ...serviceEnv(o.endpoints, 'gateway'),
      PORT: String(o.port),
      API_KEYS_FILE: o.keysFile,
      // Signed API keys made through the admin API: the query service has the same key.
      SIGNING_SECRET_KEY: ensureSecret(o.dataDir, 'signing-secret-key'),
      // The simulator stands in for a load balancer: it forwards its visitors' addresses.
      TRUSTED_PROXIES: '127.0.0.1,::1',
      ...o.env,
    },
    readyUrl: `http://127.0.0.1:${o.port}/ready`,
  });
}

/**
 * A service's process (TypeScript run from source), its output appended to `<name>.log`;
 * `launch`: through launch.ts, which loads its packages and waits for its environment on stdin.
 */
function spawnService(
  dataDir: string,
  name: string,
  script: string,
  extraEnv: NodeJS.ProcessEnv,
  launch = false,
) {
  const logFile = path.join(dataDir, `${name}.log`);
  const out = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env.NODE_OPTIONS;
  const args = ['--conditions=source', '--import', 'tsx', ...(launch ? [LAUNCH] : []), script];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    stdio: [launch ? 'pipe' : 'ignore', out, out],
  });
  return { child, logFile };
}

/** Services whose code is loading ahead of their start (launch.ts), by main file. */
const prepared = new Map<string, { child: ChildProcess; logFile: string }>();

/**
 * Starts the services' processes ahead of time: each loads its packages and then waits for
 * startService() to hand it its environment. One not started exits when `npm start` does.
 */
export function prepareServices(dataDir: string, services: { name: string; script: string }[]) {
  mkdirSync(dataDir, { recursive: true });
  for (const { name, script } of services) {
    if (prepared.has(script)) continue;
    const launched = spawnService(dataDir, name, script, {}, true);
    // It may have exited; startService then spawns anew.
    launched.child.stdin?.on('error', () => undefined);
    prepared.set(script, launched);
  }
}

/** Ends the prepared processes no one started (a start that failed or stopped early). */
export function dropPreparedServices(): void {
  for (const { child } of prepared.values()) child.stdin?.end();
  prepared.clear();
}

/** A prepared process for the script, given its environment; else a new process. */
function launchService(dataDir: string, name: string, script: string, extraEnv: NodeJS.ProcessEnv) {
  const ready = prepared.get(script);
  prepared.delete(script);
  if (ready && ready.child.exitCode === null && ready.child.stdin?.writable) {
    ready.child.stdin.end(JSON.stringify(extraEnv));
    return ready;
  }
  ready?.child.kill();
  return spawnService(dataDir, name, script, extraEnv);
}

/** Starts one of the repository's services as a child process and waits for its readiness URL. */
export async function startService(o: {
  dataDir: string;
  name: string;
  what: string;
  script: string;
  env: NodeJS.ProcessEnv;
  readyUrl: string;
}): Promise<ChildProcess> {
  const { child, logFile } = launchService(o.dataDir, o.name, o.script, o.env);
  try {
    await waitForHttp(o.readyUrl, {
      alive: () => child.exitCode === null,
      logFile,
      what: o.what,
      timeoutMs: 60_000,
    });
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return child;
}

/** Runs a one-off step (migrations) to completion; its output goes to `<name>.log`. */
export async function runStep(o: {
  dataDir: string;
  name: string;
  what: string;
  script: string;
  env: NodeJS.ProcessEnv;
}): Promise<void> {
  const { child, logFile } = spawnService(o.dataDir, o.name, o.script, o.env);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new StackError(`${o.what} failed (exit ${code}).`, `See ${logFile}.`);
}

/** SIGTERM, then wait for the gateway to finish what it accepted and exit. */
export function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
