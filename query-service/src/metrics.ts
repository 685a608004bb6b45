import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The query service's Prometheus metrics, in one registry (served at /metrics). */
export function queryMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'query_' });
  return {
    registry,
    operationSeconds: new Histogram({
      name: 'query_graphql_operation_seconds',
      help: 'GraphQL operations by name and outcome',
      labelNames: ['operation', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'query_cache_requests_total',
      help: 'Repository reads answered from the cache (hit) or by ClickHouse (miss)',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    sqlStatements: new Counter({
      name: 'query_sql_statements_total',
      help: 'Admin SQL statements by outcome (ok, refused, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    sqlSeconds: new Histogram({
      name: 'query_sql_statement_seconds',
      help: 'Admin SQL statements from request to last byte, by outcome',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type QueryMetrics = ReturnType<typeof queryMetrics>;

/** The alert evaluator's metrics, in the service's registry. */
export function alertMetrics(registry: Registry) {
  return {
    notifications: new Counter({
      name: 'query_alert_notifications_total',
      help: 'Alert webhooks by state (firing, resolved) and outcome (delivered, failed)',
      labelNames: ['state', 'outcome'] as const,
      registers: [registry],
    }),
    evaluationFailures: new Counter({
      name: 'query_alert_evaluation_failures_total',
      help: 'Alert evaluations that could not read their metric (retried the next round)',
      registers: [registry],
    }),
  };
}
export type AlertMetrics = ReturnType<typeof alertMetrics>;
