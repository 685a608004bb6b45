import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startGateway, stopChild } from '@backbone/deploy/local';
import { pageViewBatch, testStack, testTempDir, waitFor } from '@backbone/test';
import { createApiKey } from '../src/api-keys.js';

type OtlpValue = { stringValue?: string; intValue?: string | number };
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

/**
 * The gateway as `npm start` runs it, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a collector
 * of this test's (OTLP/HTTP, as an OpenTelemetry Collector receives it): the spans of a
 * request arrive there under the service's name, continuing the caller's trace.
 */
const received: OtlpExport[] = [];
let collector: Server;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) await stopChild(child);
  collector?.close();
});

describe('OTLP export', () => {
  it("sends a request's spans to OTEL_EXPORTER_OTLP_ENDPOINT under the service's name", async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces')
          received.push(JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

    const dataDir = testTempDir('otlp');
    const { dataDir: _stack, ...endpoints } = testStack();
    const keysFile = `${dataDir}/keys.json`;
    const { key } = createApiKey(keysFile, { tenantId: 'otlp', source: 'web' });
    const port = await freePort();
    children.push(
      await startGateway({
        dataDir,
        endpoints,
        port,
        keysFile,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100' },
      }),
    );

    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': key,
        traceparent: `00-${traceId}-${caller}-01`,
      },
      body: pageViewBatch(),
    });
    expect(res.status).toBe(202);

    const spans = () =>
      received.flatMap((e) =>
        e.resourceSpans.flatMap((r) =>
          r.scopeSpans.flatMap((s) =>
            s.spans.map((span) => ({
              ...span,
              service: r.resource.attributes.find((a) => a.key === 'service.name')?.value
                .stringValue,
            })),
          ),
        ),
      );
    const ours = await waitFor(
      () => {
        const found = spans().filter((s) => s.traceId === traceId);
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, description: "the request's spans at the collector" },
    );
    const server = ours.find((s) => s.name === 'POST /v1/events');
    const publish = ours.find((s) => s.name === 'publish raw');
    expect(server).toMatchObject({ service: 'ingest-gateway', parentSpanId: caller });
    expect(publish).toMatchObject({ service: 'ingest-gateway', parentSpanId: server!.spanId });
  });
});
