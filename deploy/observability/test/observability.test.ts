import { describe, expect, it } from 'vitest';
import {
  alertRules,
  asPromQL,
  dashboard,
  exposedSeries,
  inspectPromQL,
  observedMetrics,
} from '../src/index.js';

const DURATION = /^\d+[smhd]$/;

describe('Prometheus alert rules (deploy/observability/prometheus)', () => {
  const groups = alertRules();
  const rules = groups.flatMap((g) => g.rules);

  it('cover what an operator must hear about, each with a severity, a summary and a runbook', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([
      'BackboneConsumerLagGrowing',
      'BackboneDeadLetters',
      'BackboneDependencyDown',
      'BackboneFreshnessHigh',
      'BackboneGatewayErrors',
      'BackboneGatewayRefusing',
      'BackboneRegistryOrClickHouseDown',
      'BackboneSinkInsertsFailing',
      'BackboneSinkInsertsRefused',
      'BackboneSinkPartitionPaused',
    ]);
    for (const r of rules) {
      expect(['warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.runbook, r.alert).toMatch(/^(docs|stream-workers)\//);
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(DURATION);
    }
  });

  it('parse as PromQL, by the grammar of Prometheus itself', () => {
    for (const r of rules) expect(inspectPromQL(r.expr).errors, r.alert).toEqual([]);
    // The parser does find errors: a rule that would not load fails here.
    expect(inspectPromQL('sum(rate(x[5m]) > ').errors).not.toEqual([]);
  });
});

describe('Grafana dashboard (deploy/observability/grafana)', () => {
  const d = dashboard();

  it('queries Prometheus through its datasource variable, every query valid PromQL', () => {
    expect(d.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource' }),
    );
    expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
    for (const p of d.panels) {
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t.datasource.uid).toBe('${datasource}');
        expect(inspectPromQL(asPromQL(t.expr)).errors, p.title).toEqual([]);
      }
    }
  });

  it('lays its panels out without overlap', () => {
    const cells = new Set<string>();
    for (const { gridPos: g, title } of d.panels)
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), title).toBe(false);
          cells.add(`${x},${y}`);
        }
  });
});

describe('the metrics they select', () => {
  it("are read from the expressions' selectors, and matched to an exposition's families", () => {
    expect(
      inspectPromQL('sum by (le) (rate(a_seconds_bucket{x="1"}[5m])) / on() b_total').metrics,
    ).toEqual(['a_seconds_bucket', 'b_total']);
    const series = exposedSeries(
      '# HELP a_seconds x\n# TYPE a_seconds histogram\n# TYPE b_total counter\nb_total 1\n',
    );
    expect([...series].sort()).toEqual([
      'a_seconds',
      'a_seconds_bucket',
      'a_seconds_count',
      'a_seconds_sum',
      'b_total',
    ]);
    // What the e2e test checks against the services' scrapes.
    expect(observedMetrics()).toContain('backbone_dependency_up');
    expect(observedMetrics()).toContain('backbone_sink_freshness_seconds_bucket');
  });
});
