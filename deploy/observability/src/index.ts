import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';

/** The alert rules and the Grafana dashboard shipped in deploy/observability, read and parsed. */

const here = (file: string) => fileURLToPath(new URL(`../${file}`, import.meta.url));
export const ALERT_RULES_FILE = here('prometheus/backbone-alerts.yml');
export const DASHBOARD_FILE = here('grafana/backbone-dashboard.json');

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string; [k: string]: string };
  annotations: { summary: string; runbook?: string; [k: string]: string | undefined };
}

export function alertRules(): { name: string; rules: AlertRule[] }[] {
  const doc = parseYaml(readFileSync(ALERT_RULES_FILE, 'utf8')) as {
    groups: { name: string; rules: AlertRule[] }[];
  };
  return doc.groups;
}

export interface DashboardPanel {
  id: number;
  title: string;
  type: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets: { expr: string; refId: string; datasource: { uid: string } }[];
}

export function dashboard(): {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  templating: { list: { name: string; type: string }[] };
} {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as ReturnType<typeof dashboard>;
}

/** Grafana's variables in a query, as Prometheus would see them once Grafana fills them in. */
export const asPromQL = (expr: string) => expr.replaceAll('$__rate_interval', '5m');

/**
 * A PromQL expression's problems (the parser's error positions) and the metric names it
 * selects, from Prometheus' own grammar (@prometheus-io/lezer-promql).
 */
export function inspectPromQL(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics = new Set<string>();
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError)
      errors.push(`syntax error at ${cursor.from}: "${expr.slice(cursor.from, cursor.from + 20)}"`);
    if (cursor.name === 'Identifier') {
      const node = cursor.node;
      if (node.parent?.name === 'VectorSelector') metrics.add(expr.slice(cursor.from, cursor.to));
    }
  } while (cursor.next());
  return { errors, metrics: [...metrics] };
}

/** Every metric the alert rules and the dashboard select. */
export function observedMetrics(): string[] {
  const exprs = [
    ...alertRules().flatMap((g) => g.rules.map((r) => r.expr)),
    ...dashboard().panels.flatMap((p) => p.targets.map((t) => asPromQL(t.expr))),
  ];
  return [...new Set(exprs.flatMap((e) => inspectPromQL(e).metrics))].sort();
}

/**
 * The metric families a Prometheus text exposition declares (`# TYPE name type`), with the
 * series names each one produces (a histogram's `_bucket`, `_sum` and `_count`).
 */
export function exposedSeries(exposition: string): Set<string> {
  const out = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    out.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) out.add(`${name}${suffix}`);
  }
  return out;
}
