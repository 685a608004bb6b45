import { randomBytes, randomUUID } from 'node:crypto';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore, buildGateway, GatewayConfig, hashApiKey } from '@backbone/ingest-gateway';
import { createLogger } from '@backbone/runtime';
import { startTracing } from '@backbone/runtime/otel-sdk';
import { waitFor } from '@backbone/test';
import { TABLES } from '@backbone/warehouse/tables';
import { CHROME } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';

/**
 * One trace across the Kafka hops, with the SDK's in-memory exporter: a request to the
 * gateway (continuing the caller's traceparent), its produce, the enrich step of its record and
 * the sink's insert, each the child of the one before through the records' headers, on the real
 * broker and ClickHouse. The gateway, enrich and the sink run in this process so that one
 * exporter sees them all; in production each exports its own over OTLP.
 */
const exporter = new InMemorySpanExporter();
const tracing = startTracing('backbone-test', {}, [new SimpleSpanProcessor(exporter)]);
const KEY = 'bbk_tracing-test';
let p: Pipeline;
let gateway: FastifyInstance;

beforeAll(async () => {
  p = await pipelineFixture({ partitions: 1 });
  await p.startEnrich();
  await p.startSink();
  gateway = await buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    {
      // The gateway's own routes and spans; its records go to this pipeline's raw topics.
      sink: {
        produce: (stream, event, headers) => p.produce(stream, [event], headers),
        pending: 0,
      },
      keys: new ApiKeyStore([
        {
          id: 'k1',
          hash: hashApiKey(KEY),
          tenant_id: 'acme',
          source: 'web',
          created_at: '2026-01-01T00:00:00Z',
        },
      ]),
      logger: createLogger({ name: 'test', level: 'silent' }),
      checks: [],
    },
  );
}, 60_000);
afterAll(async () => {
  await gateway?.close();
  await p?.close();
  await tracing?.stop();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function send(traceparent?: string): Promise<string> {
  const eventId = randomUUID();
  const res = await gateway.inject({
    method: 'POST',
    url: '/v1/events',
    headers: {
      'content-type': 'application/json',
      'x-api-key': KEY,
      ...(traceparent ? { traceparent } : {}),
    },
    payload: JSON.stringify({
      events: [
        {
          event_id: eventId,
          event_type: 'page_view',
          timestamp: new Date().toISOString(),
          session_id: `s-${eventId}`,
          properties: { url: '/traced' },
          context: { user_agent: CHROME },
        },
      ],
    }),
  });
  expect(res.statusCode).toBe(202);
  return eventId;
}

const landed = (eventId: string) =>
  waitFor(
    async () => {
      const [row] = await p.rows<{ n: number | string }>(
        `SELECT count() AS n FROM {db}.${TABLES.webEvents} WHERE event_id = {id:String}`,
        { id: eventId },
      );
      return Number(row?.n) === 1;
    },
    { timeoutMs: 45_000, intervalMs: 200, description: 'the event in ClickHouse' },
  );

const spansOf = (traceId: string) =>
  exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('traces across Kafka', () => {
  it('makes one trace of a request: gateway, produce, enrich and the sink, each the child of the last', async () => {
    const traceId = hex(16);
    const caller = hex(8);
    const eventId = await send(`00-${traceId}-${caller}-01`);
    await landed(eventId);
    await waitFor(() => named(spansOf(traceId), 'sink web').length === 1, {
      timeoutMs: 10_000,
      intervalMs: 100,
      description: "the sink's span",
    });
    const spans = spansOf(traceId);
    const [server] = named(spans, 'POST /v1/events');
    const [publish] = named(spans, 'publish raw');
    const [enrich] = named(spans, 'enrich web');
    const [sink] = named(spans, 'sink web');
    expect(spans.map((s) => s.name).sort()).toEqual(
      ['POST /v1/events', 'enrich web', 'publish raw', 'sink web'].sort(),
    );
    expect(parentOf(server!)).toBe(caller);
    expect(parentOf(publish!)).toBe(server!.spanContext().spanId);
    expect(parentOf(enrich!)).toBe(publish!.spanContext().spanId);
    expect(parentOf(sink!)).toBe(enrich!.spanContext().spanId);
    expect(server!.attributes['http.response.status_code']).toBe(202);
    expect(enrich!.attributes['messaging.source.name']).toMatch(/^raw\.web\./);
    // The batch's insert is a span of its own, linked both ways with the record's.
    const insert = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'INSERT web' && s.links.some((l) => l.context.traceId === traceId));
    expect(insert?.attributes['db.system.name']).toBe('clickhouse');
    expect(sink!.links.map((l) => l.context.spanId)).toContain(insert!.spanContext().spanId);
    // Nothing a person sent is in a span: no URL, no ids, no payload.
    const text = JSON.stringify(spans.map((s) => s.attributes));
    expect(text).not.toContain('/traced');
    expect(text).not.toContain(eventId);
  });

  it('starts a trace for a request without one, and records none for a caller that does not sample', async () => {
    const before = new Set(exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    await landed(await send());
    await waitFor(
      () =>
        exporter
          .getFinishedSpans()
          .some((s) => s.name === 'sink web' && !before.has(s.spanContext().traceId)),
      { timeoutMs: 10_000, intervalMs: 100, description: 'a new trace down to the sink' },
    );
    const root = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'POST /v1/events' && !before.has(s.spanContext().traceId));
    expect(root?.parentSpanContext).toBeUndefined();

    const unsampled = hex(16);
    await landed(await send(`00-${unsampled}-${hex(8)}-00`));
    await new Promise((r) => setTimeout(r, 500));
    expect(spansOf(unsampled)).toEqual([]);
  });
});
