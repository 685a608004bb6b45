import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { pageViews } from './event-set.js';
import { pipelineFixture } from './pipeline-fixture.js';

let p: Awaited<ReturnType<typeof pipelineFixture>>;
beforeAll(async () => {
  p = await pipelineFixture({ partitions: 6 });
});
afterAll(async () => {
  await p.close();
});

const count = async (metric: {
  get(): Promise<{ values: { metricName?: string; value: number }[] }>;
}) => (await metric.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;

describe('enrich groups the batches that are ready together into one transaction', () => {
  it('writes every record once, in fewer transactions than partition batches', async () => {
    const { metrics } = await p.startEnrich();
    const out = await p.collect('events', 'web');
    // Bursts over six partitions: each fetch hands several partitions' batches to the worker,
    // stepped side by side while one transaction commits.
    const sent: string[] = [];
    for (let round = 0; round < 20; round++) {
      const events = pageViews(120, { sessions: 60 });
      sent.push(...events.map((e) => e.envelope.event_id));
      await p.produce('web', events);
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitFor(() => out.length >= sent.length, {
      timeoutMs: 60_000,
      description: 'every event enriched',
    });
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    const ids = await Promise.all(
      out.map(
        async (m) =>
          ((await p.events.decodeAs('web', m.value)) as { envelope: { event_id: string } }).envelope
            .event_id,
      ),
    );
    expect(ids).toHaveLength(sent.length);
    expect(new Set(ids)).toEqual(new Set(sent));
    const batches = await count(metrics.batchSize);
    const transactions = await count(metrics.commitSeconds);
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(batches);
  });
});
