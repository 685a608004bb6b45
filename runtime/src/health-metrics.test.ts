import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerReadinessMetric } from './health-metrics.js';

describe('backbone_dependency_up', () => {
  it("reports each check's answer at scrape time, with whether readiness needs it", async () => {
    const registry = new Registry();
    let registryUp = true;
    registerReadinessMetric(registry, [
      { name: 'registry', run: () => registryUp },
      { name: 'cache', required: false, run: () => Promise.reject(new Error('refused')) },
    ]);
    const values = async () =>
      (await registry.getSingleMetric('backbone_dependency_up')!.get()).values.map(
        (v) => `${v.labels.check}/${v.labels.required}=${v.value}`,
      );
    expect(await values()).toEqual(['registry/true=1', 'cache/false=0']);
    registryUp = false;
    expect(await values()).toEqual(['registry/true=0', 'cache/false=0']);
    // Registered again (a second server on the same registry): still one metric.
    registerReadinessMetric(registry, [{ name: 'kafka', run: () => true }]);
    expect(await values()).toEqual(['kafka/true=1']);
    expect(await registry.metrics()).toContain(
      'backbone_dependency_up{check="kafka",required="true"} 1',
    );
  });
});
