import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@backbone/runtime';
import { cpuSeconds } from '@backbone/test';

interface TracingRun {
  rate: number;
  cpuUs: number;
  /** Spans the collector received (tracing on). */
  spans: number;
}

/**
 * Enrich alone over the same pre-loaded events twice, side by side: without the SDK, then
 * exporting every record's span over OTLP/HTTP to a collector in this process (the records
 * carry a sampled traceparent, as from a traced gateway). Each run has its own group and an
 * in-process dedup store, so both do all the work; the difference is what tracing costs.
 */
export async function tracingCost(o: {
  n: number;
  env: Record<string, string>;
  run: (name: string, env: Record<string, string>) => { pid: number };
  stop: (pid: number) => Promise<void>;
  stable: (groupId: string) => Promise<boolean>;
  committed: (groupId: string) => Promise<number>;
}): Promise<{ off: TracingRun; on: TracingRun }> {
  let spans = 0;
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        resourceSpans?: { scopeSpans: { spans: unknown[] }[] }[];
      };
      for (const r of body.resourceSpans ?? [])
        for (const s of r.scopeSpans) spans += s.spans.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const once = async (name: string, extra: Record<string, string>): Promise<TracingRun> => {
    spans = 0;
    const groupId = `enrich-${name}`;
    const child = o.run(name, {
      ...o.env,
      ...extra,
      GROUP_ID: groupId,
      ERASURE_GROUP_ID: `erasure-${name}`,
      REDIS_URL: '',
    });
    await waitFor(() => o.stable(groupId), {
      timeoutMs: 120_000,
      intervalMs: 20,
      description: `${name} to join its group`,
    });
    const start = performance.now();
    const cpu0 = cpuSeconds(child.pid);
    await waitFor(async () => (await o.committed(groupId)) >= o.n, {
      timeoutMs: 1_800_000,
      intervalMs: 100,
      description: `${name} to finish`,
    });
    const out = {
      rate: o.n / ((performance.now() - start) / 1000),
      cpuUs: ((cpuSeconds(child.pid) - cpu0) * 1e6) / o.n,
      spans: 0,
    };
    await o.stop(child.pid);
    out.spans = spans; // after the stop: the SDK exports what it holds on the way out
    return out;
  };
  try {
    const off = await once('enrich-untraced', {});
    const on = await once('enrich-traced', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      // A queue that holds a second of spans at this rate: the default (2,048) drops them.
      OTEL_BSP_MAX_QUEUE_SIZE: '65536',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
      OTEL_BSP_SCHEDULE_DELAY: '500',
    });
    return { off, on };
  } finally {
    collector.close();
  }
}
