import { randomBytes } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing } from '@backbone/runtime/otel-sdk';
import { waitFor } from '@backbone/test';
import { acme, range, useRollups } from './rollups-fixture.js';

/**
 * The query service's part of a trace, with the SDK's in-memory exporter: a GraphQL request
 * continuing the caller's traceparent, its root field's resolver a child of the request, and
 * the ClickHouse reads children of the resolver.
 */
const exporter = new InMemorySpanExporter();
const tracing = startTracing('query-test', {}, [new SimpleSpanProcessor(exporter)]);
afterAll(() => tracing?.stop());
const { ctx } = useRollups();

describe('traces of the query service', () => {
  it('makes the request, its resolver and its ClickHouse reads one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const res = await fetch(`${ctx.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await acme()}`,
        traceparent: `00-${traceId}-${caller}-01`,
      },
      body: JSON.stringify({
        query: 'query($r: TimeRange!) { topPages(timeRange: $r, limit: 3) { url pageViews } }',
        variables: { r: range },
      }),
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { data: { topPages: unknown[] } }).data.topPages.length,
    ).toBeGreaterThan(0);
    const spans = await waitFor(
      () => {
        const found = exporter
          .getFinishedSpans()
          .filter((s) => s.spanContext().traceId === traceId);
        return found.some((s) => s.name.startsWith('POST')) ? found : undefined;
      },
      { timeoutMs: 5000, description: "the request's spans" },
    );
    const server = spans.find((s) => s.name === 'POST /graphql');
    const resolver = spans.find((s) => s.name === 'Query.topPages');
    const reads = spans.filter((s) => s.name === 'SELECT');
    expect(server?.parentSpanContext?.spanId).toBe(caller);
    expect(server?.attributes['http.response.status_code']).toBe(200);
    expect(resolver?.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      expect(read.parentSpanContext?.spanId).toBe(resolver!.spanContext().spanId);
      expect(read.attributes['db.system.name']).toBe('clickhouse');
    }
  });
});
