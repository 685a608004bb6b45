import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** How long one readiness check may take before it counts as down. */
export const READY_CHECK_TIMEOUT_MS = 1000;

export type Check = () => Promise<boolean> | boolean;

export interface WorkerHttpOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Liveness: the consumer loop is running (a crashed loop needs a restart, not traffic). */
  live: () => boolean;
  /** Readiness: each dependency, answered within the timeout or counted as down. */
  checks: Record<string, Check>;
  /**
   * Per-check budget (default 1 s). /ready answers within it, so a prober that waits
   * longer (the ops page waits 3 s) sees which dependency is slow, never just silence.
   */
  checkTimeoutMs?: number;
}

async function runCheck(check: Check, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** /health, /ready and /metrics of a worker: a few routes, so plain node:http. */
export async function startWorkerHttp(
  options: WorkerHttpOptions,
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'only GET' });
    if (path === '/health') {
      const live = options.live();
      return send(live ? 200 : 503, { status: live ? 'ok' : 'consumer stopped' });
    }
    if (path === '/ready') {
      void (async () => {
        const names = Object.keys(options.checks);
        const results = await Promise.all(
          names.map((n) =>
            runCheck(options.checks[n]!, options.checkTimeoutMs ?? READY_CHECK_TIMEOUT_MS),
          ),
        );
        const checks = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'up' : 'down']));
        const ready = options.live() && results.every(Boolean);
        send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
      })();
      return;
    }
    if (path === '/metrics') {
      void options.registry
        .metrics()
        .then((text) => send(200, text, options.registry.contentType))
        .catch(() => send(500, { error: 'metrics unavailable' }));
      return;
    }
    send(404, { error: 'not found', routes: ['/health', '/ready', '/metrics'] });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
