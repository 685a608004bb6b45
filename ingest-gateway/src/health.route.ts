import type { FastifyInstance } from 'fastify';
import { healthReport, readiness, readyStatusCode, type Check } from '@backbone/runtime';

/**
 * /health: the process is alive. /ready: every dependency answers within its budget, else 503
 * naming the one that does not (the shape every service answers; docs/operations.md).
 * /api/v1/health: the same checks with the version and time, for uptime monitors.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { checks: readonly Check[]; version: string },
): void {
  app.get('/health', () => healthReport());
  app.get('/ready', async (_req, reply) => {
    const report = await readiness(deps.checks);
    return reply.code(readyStatusCode(report)).send(report);
  });
  app.get('/api/v1/health', async (_req, reply) => {
    const report = await readiness(deps.checks);
    return reply.code(readyStatusCode(report)).send({
      status: report.status === 'ready' ? 'healthy' : 'unhealthy',
      version: deps.version,
      timestamp: new Date().toISOString(),
      checks: report.checks,
    });
  });
}
