import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import {
  healthReport,
  readiness,
  readyStatusCode,
  registerReadinessMetric,
  type Check,
} from '@backbone/runtime';

export interface WorkerHttpOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Liveness: the consumer loop is running (a crashed loop needs a restart, not traffic). */
  live: () => boolean;
  /**
   * Readiness: each dependency within its budget (1 s unless the check says otherwise), so a
   * prober that waits longer (the ops page waits 3 s) sees which one is slow, never silence.
   */
  checks: readonly Check[];
}

/** /health, /ready and /metrics of a worker: a few routes, so plain node:http. */
export async function startWorkerHttp(
  options: WorkerHttpOptions,
): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  registerReadinessMetric(options.registry, [
    { name: 'consumer', run: () => options.live() },
    ...options.checks,
  ]);
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { error: 'only GET' });
    if (path === '/health') {
      const live = options.live();
      return send(live ? 200 : 503, healthReport(live, live ? undefined : 'consumer stopped'));
    }
    if (path === '/ready') {
      const live: Check = { name: 'consumer', run: () => options.live() };
      void readiness([live, ...options.checks]).then((report) =>
        send(readyStatusCode(report), report),
      );
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
