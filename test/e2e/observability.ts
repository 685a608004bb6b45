import { describe, expect, it } from 'vitest';
import { exposedSeries, observedMetrics } from '@backbone/deploy/observability';

/**
 * The alert rules and the Grafana dashboard of deploy/observability name only metrics the
 * running services export: every selector is matched against a scrape of the gateway, the
 * enrich worker, the sink and the query service, as Prometheus would take them.
 */
export function describeObservability(metricsUrls: () => Record<string, string>) {
  describe('alert rules and the Grafana dashboard against the running services', () => {
    it('select only metrics a service exports', async () => {
      const exposed = new Map<string, Set<string>>();
      for (const [service, url] of Object.entries(metricsUrls())) {
        const res = await fetch(url);
        expect(res.status, service).toBe(200);
        exposed.set(service, exposedSeries(await res.text()));
      }
      expect([...exposed.keys()].sort()).toEqual(['enrich', 'gateway', 'query', 'sink']);
      const missing = observedMetrics().filter(
        (name) => ![...exposed.values()].some((series) => series.has(name)),
      );
      expect(missing).toEqual([]);
      // Each service reports its dependencies for BackboneDependencyDown.
      for (const [service, series] of exposed)
        expect(series.has('backbone_dependency_up'), service).toBe(true);
    });
  });
}
