import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsRoute, type ComponentHealth } from '../src/http/ops.route.js';

/** An HTTP component whose /ready answers `status` and `checks` after `delayMs`. */
async function component(delayMs: number, status: number, up: Record<string, boolean>) {
  const checks = Object.fromEntries(
    Object.entries(up).map(([k, v]) => [k, { status: v ? 'up' : 'down', required: true, ms: 1 }]),
  );
  const server = createServer((req, res) => {
    const answer = () => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('backbone_consumer_lag{partition="0"} 3\nbackbone_consumer_lag{partition="1"} 4\n');
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ checks }));
    };
    if (delayMs === Infinity) return; // never answers
    setTimeout(answer, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe('GET /api/v1/ops/components', () => {
  const servers: Server[] = [];
  let base = '';

  beforeAll(async () => {
    const slow = await component(2000, 200, { kafka: true, clickhouse: true });
    const degraded = await component(0, 503, { kafka: false, clickhouse: true });
    const silent = await component(Infinity, 200, {});
    servers.push(slow, degraded, silent);
    const app = express();
    app.use(
      opsRoute({
        authenticate: () => Promise.resolve({ tenantId: 't', role: 'viewer', subject: 'test' }),
        components: [
          { name: 'sink', url: urlOf(slow) },
          { name: 'enrich', url: urlOf(degraded) },
          { name: 'gateway', url: urlOf(silent) },
        ],
        self: () => Promise.resolve({ name: 'query-service', status: 'up', detail: 'ok' }),
      }),
    );
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    base = urlOf(server);
  });

  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('waits out a worker whose checks take over a second, and names what is down', async () => {
    const res = await fetch(`${base}/api/v1/ops/components`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: ComponentHealth[] };
    expect(data).toEqual([
      { name: 'query-service', status: 'up', detail: 'ok' },
      { name: 'sink', status: 'up', detail: 'kafka: up, clickhouse: up', lag: 7 },
      { name: 'enrich', status: 'down', detail: 'kafka: down, clickhouse: up', lag: 7 },
      { name: 'gateway', status: 'down', detail: 'no answer' },
    ]);
  });
});
