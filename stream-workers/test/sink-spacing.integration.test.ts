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

/** The real client; counts the inserts into a landing table, with when each started. */
function countingInserts(client: ClickHouseClient) {
  const starts: number[] = [];
  const counting = new Proxy(client, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (name !== 'insert' && name !== 'exec') return value;
      if (typeof value !== 'function') return value;
      return (params: { table?: string; query?: string }) => {
        // The byte path's INSERT … FORMAT AvroConfluent, or the decoding path's insert().
        const what = params.query ?? `INSERT INTO ${params.table}`;
        if (/^INSERT INTO \S*web_events(_landing|`?$)/.test(what)) starts.push(Date.now());
        return value.call(target, params) as unknown;
      };
    },
  });
  return { counting, starts };
}

describe('the sink at a trickle', () => {
  it('inserts a table at most once per interval: its partitions take turns and their batches grow meanwhile; every row once', async () => {
    await p.startEnrich();
    const { counting, starts } = countingInserts(p.clickhouse);
    // Batches age after 100 ms; without the spacing each of the four partitions would insert
    // about every 100–200 ms while events arrive on all of them.
    await p.startSink({ clickhouse: counting, maxWaitMs: 100, insertIntervalMs: 1000 });
    const { sent, sendMs } = await sendInRounds(p, {
      rounds: 25,
      perRound: 8,
      sessions: 8,
      gapMs: 200,
    });
    await expectEachOnce(p, sent);
    // About one insert a second, while sending and draining afterwards: the turn is taken
    // once a second and the insert follows its in-flight note, so two never come close
    // together (without the spacing, four partitions a few milliseconds apart).
    expect(starts.length).toBeGreaterThan(1);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(600);
    expect(starts.length).toBeLessThanOrEqual(Math.ceil(sendMs / 1000) + 5);
  });
});
