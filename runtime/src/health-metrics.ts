import { Gauge, type Registry } from 'prom-client';
import { readiness, type Check } from './health.js';

/**
 * `backbone_dependency_up{check, required}`: each readiness check's answer (1 up, 0 down),
 * taken when Prometheus scrapes, so alerts see what /ready would answer (the alert rules in
 * deploy/observability). Checks run within their time budgets, as for /ready.
 */
export function registerReadinessMetric(registry: Registry, checks: readonly Check[]): void {
  // One per registry: the last set of checks given is the one reported.
  registry.removeSingleMetric('backbone_dependency_up');
  new Gauge({
    name: 'backbone_dependency_up',
    help: 'Whether a dependency answers its readiness check (1) or not (0), at scrape time',
    labelNames: ['check', 'required'] as const,
    registers: [registry],
    async collect() {
      const report = await readiness(checks);
      this.reset();
      for (const [check, r] of Object.entries(report.checks))
        this.set({ check, required: String(r.required) }, r.status === 'up' ? 1 : 0);
    },
  });
}
