import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, in a registry of its own (one per app instance). */
export function createMetrics(pendingEvents: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  return {
    registry,
    requests: new Counter({
      name: 'gateway_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    events: new Counter({
      name: 'gateway_events_total',
      help: 'Events by outcome: accepted, rejected (invalid), anonymized, dropped (no consent)',
      labelNames: ['outcome', 'stream'],
      registers: [registry],
    }),
    consentStateFailures: new Counter({
      name: 'gateway_consent_state_failures_total',
      help: 'Batches whose recorded consent could not be read (their identified events were treated as without consent) or written (answered 503)',
      labelNames: ['operation'],
      registers: [registry],
    }),
    produceLatency: new Histogram({
      name: 'gateway_produce_duration_seconds',
      help: 'Time from handing a batch to Kafka to its acknowledgement',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    bufferDepth: new Gauge({
      name: 'gateway_buffer_events',
      help: 'Events waiting for a Kafka acknowledgement',
      registers: [registry],
      collect() {
        this.set(pendingEvents());
      },
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
