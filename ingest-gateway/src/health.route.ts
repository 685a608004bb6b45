import type { FastifyInstance } from 'fastify';

/** A dependency check: resolves true when the dependency answers. */
export type Check = () => Promise<boolean>;

async function runChecks(checks: Record<string, Check>): Promise<Record<string, 'ok' | 'down'>> {
  const entries = await Promise.all(
    Object.entries(checks).map(
      async ([name, check]) => [name, (await check().catch(() => false)) ? 'ok' : 'down'] as const,
    ),
  );
  return Object.fromEntries(entries);
}

/**
 * /health: the process is alive. /ready and /api/v1/health (REFERENCE R1): every
 * dependency answers, else 503 with which one does not.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { checks: Record<string, Check>; version: string },
): void {
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const checks = await runChecks(deps.checks);
    const ready = Object.values(checks).every((c) => c === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
  app.get('/api/v1/health', async (_req, reply) => {
    const checks = await runChecks(deps.checks);
    const healthy = Object.values(checks).every((c) => c === 'ok');
    return reply.code(healthy ? 200 : 503).send({
      status: healthy ? 'healthy' : 'unhealthy',
      version: deps.version,
      timestamp: new Date().toISOString(),
      checks,
    });
  });
}
