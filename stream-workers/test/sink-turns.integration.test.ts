import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineFixture } from './pipeline-fixture.js';
import { expectEachOnce, sendInRounds } from './rounds.js';

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
    const { sent, sendMs } = await sendInRounds(p, {
      rounds: 20,
      perRound: 50,
      sessions: 40,
      gapMs: 200,
    });
    await expectEachOnce(p, sent);
    expect(seen.most).toBe(1);
    // Fewer than the four partitions would make while the events were being sent, had
    // each aged batch gone as it was: the batches grew while they waited for the turn.
    expect(seen.inserts).toBeLessThan((4 * sendMs) / 800);
  });
});
