import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { pageViews } from './event-set.js';
import { pipelineFixture } from './pipeline-fixture.js';

let p: Awaited<ReturnType<typeof pipelineFixture>>;
beforeAll(async () => {
  p = await pipelineFixture({ partitions: 4 });
});
afterAll(async () => {
  await p.close();
});

/** The real client, each landing insert held back as a busy ClickHouse would; counts them. */
function slowInserts(client: ClickHouseClient, delayMs: number) {
  const seen = { inserts: 0, running: 0, most: 0 };
  const slow = new Proxy(client, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (name !== 'exec' || typeof value !== 'function') return value;
      return async (params: { query: string }) => {
        if (!params.query.startsWith('INSERT')) return value.call(target, params) as unknown;
        seen.inserts++;
        seen.most = Math.max(seen.most, ++seen.running);
        try {
          await new Promise((r) => setTimeout(r, delayMs));
          return (await value.call(target, params)) as unknown;
        } finally {
          seen.running--;
        }
      };
    },
  });
  return { slow, seen };
}

describe('the sink under a slow ClickHouse', () => {
  it('waits for an insert turn with its aged batches, which grow meanwhile: fewer, larger inserts, every row once', async () => {
    await p.startEnrich();
    const { slow, seen } = slowInserts(p.clickhouse, 600);
    // Four partitions, batches aged after 200 ms, one insert at a time: without turns each
    // partition would insert about every 800 ms (200 ms to age, 600 ms to insert), ~20
    // inserts in the 4 s of sending on a quiet machine and more on a busy one.
    await p.startSink({ clickhouse: slow, maxWaitMs: 200, insertConcurrency: 1 });
    const sent: unknown[] = [];
    const sending = Date.now();
    for (let i = 0; i < 20; i++) {
      const events = pageViews(50, { sessions: 40, base: Date.now() - 60_000 });
      sent.push(...events);
      await p.produce('web', events);
      await new Promise((r) => setTimeout(r, 200));
    }
    const sendMs = Date.now() - sending;
    const count = async () =>
      Number((await p.rows<{ n: string }>('SELECT count() AS n FROM {db}.web_events'))[0]!.n);
    await waitFor(async () => (await count()) >= sent.length, {
      timeoutMs: 90_000,
      description: 'every row in ClickHouse',
    });
    await p.quiet();
    const ids = await p.rows<{ event_id: string }>('SELECT event_id FROM {db}.web_events');
    expect(ids).toHaveLength(sent.length);
    expect(new Set(ids.map((r) => r.event_id)).size).toBe(sent.length);
    expect(seen.most).toBe(1);
    // Fewer than the four partitions would make while the events were being sent, had
    // each aged batch gone as it was: the batches grew while they waited for the turn.
    expect(seen.inserts).toBeLessThan((4 * sendMs) / 800);
  });
});
