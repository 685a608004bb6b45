import { Router, type NextFunction, type Request, type Response } from 'express';
import { describeChecks, type ReadyReport } from '@backbone/runtime';
import type { Authenticate } from '../auth.js';

export interface ComponentTarget {
  name: string;
  /** Base URL serving /ready (and, for workers, /metrics). */
  url: string;
}

export interface ComponentHealth {
  name: string;
  status: 'up' | 'down';
  detail: string;
  /** Records behind the high watermark, summed over partitions (workers only). */
  lag?: number;
}

/** `name=url,name=url` (COMPONENT_URLS) as targets; a malformed entry names itself. */
export function parseComponents(text: string): ComponentTarget[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      const name = entry.slice(0, at);
      const url = entry.slice(at + 1);
      if (at < 1 || !URL.canParse(url))
        throw new Error(`COMPONENT_URLS: "${entry}" is not name=url`);
      return { name, url: url.replace(/\/$/, '') };
    });
}

/** The sum of one Prometheus metric's samples in a text exposition. */
export function sumMetric(exposition: string, metric: string): number | undefined {
  let sum: number | undefined;
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(metric) || !/[\s{]/.test(line[metric.length] ?? '')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

async function probe(target: ComponentTarget, timeoutMs: number): Promise<ComponentHealth> {
  const get = (path: string) =>
    fetch(`${target.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  try {
    const res = await get('/ready');
    const body = (await res.json().catch(() => ({}))) as Partial<ReadyReport>;
    const checks = describeChecks({ checks: body.checks ?? {} });
    const lag = await get('/metrics')
      .then((m) => (m.ok ? m.text() : ''))
      .then((text) => sumMetric(text, 'backbone_consumer_lag'))
      .catch(() => undefined);
    return {
      name: target.name,
      status: res.ok ? 'up' : 'down',
      detail: checks || `HTTP ${res.status}`,
      ...(lag === undefined ? {} : { lag }),
    };
  } catch (err) {
    return {
      name: target.name,
      status: 'down',
      detail: (err as Error).name === 'TimeoutError' ? 'no answer' : 'unreachable',
    };
  }
}

/**
 * GET /api/v1/ops/components — every component's readiness (its own /ready) and, for the
 * workers, consumer lag from their /metrics; the query service itself first. Any role.
 */
export function opsRoute(deps: {
  authenticate: Authenticate;
  components: ComponentTarget[];
  self: () => Promise<ComponentHealth>;
  /**
   * How long to wait for a component's /ready (default 3 s): longer than the workers'
   * own 1 s per check, so a slow dependency reads as "kafka: down", not "no answer".
   */
  timeoutMs?: number;
}): Router {
  const router = Router();
  router.get('/api/v1/ops/components', (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      await deps.authenticate(req.headers.authorization);
      const data = await Promise.all([
        deps.self(),
        ...deps.components.map((c) => probe(c, deps.timeoutMs ?? 3000)),
      ]);
      res.json({ data });
    })().catch(next);
  });
  return router;
}
