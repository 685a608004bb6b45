import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testStack, waitFor } from '@backbone/test';
import { kafkaAuth } from '@backbone/runtime';
import { GroupOffsets } from '../src/group-offsets.js';
import { MemoryDedup } from '../src/enrich/dedup.js';
import { pageViews } from './event-set.js';
import { pipelineFixture } from './pipeline-fixture.js';

const PARTITIONS = 4;
let p: Awaited<ReturnType<typeof pipelineFixture>>;
let offsets: GroupOffsets;
beforeAll(async () => {
  p = await pipelineFixture({ partitions: PARTITIONS });
  offsets = new GroupOffsets({
    brokers: testStack().kafkaBrokers.split(','),
    auth: kafkaAuth(),
    clientId: `${p.id}-offsets`,
  });
});
afterAll(async () => {
  await offsets?.close();
  await p?.close();
});

/** Records of raw.web the enrich group has committed (the topic starts empty). */
async function committed(): Promise<bigint> {
  const read = await offsets.read(`${p.id}-enrich`, [
    { topic: p.topics('raw', 'web'), partitions: [...Array(PARTITIONS).keys()] },
  ]);
  return [...read.values()].reduce((sum, o) => sum + (o > 0n ? o : 0n), 0n);
}

describe('a member replaced while its transaction is open (a zombie)', () => {
  it('does not commit what its replacement has written: every event once', async () => {
    // Claims are shared between instances in production (Redis): the same raw record read by
    // two members passes deduplication twice, so only the fencing keeps it from two writes.
    const dedup = new MemoryDedup({ ttlSeconds: 3600, maxEntries: 100_000 });
    let held = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // A writes its first batches' records, then stalls inside the transaction (a long GC
    // pause, a frozen VM): it stops heartbeating and the group replaces it.
    await p.startEnrich({
      dedup,
      sessionTimeoutMs: 6000,
      onStep: async () => {
        if (held) return;
        held = true;
        await gate;
      },
    });
    const events = pageViews(200, { sessions: 80 });
    await p.produce('web', events);
    await waitFor(() => held, { timeoutMs: 30_000, description: 'a transaction open in A' });

    await p.startEnrich({ dedup });
    // B gets every partition once A's session expires and commits every record, A's too.
    await waitFor(async () => (await committed()) === BigInt(events.length), {
      timeoutMs: 60_000,
      description: 'B committed every record',
    });
    release(); // A wakes up and tries to commit what it had

    const out = await p.collect('events', 'web');
    await waitFor(() => out.length >= events.length, {
      timeoutMs: 60_000,
      description: 'every event enriched',
    });
    await new Promise((r) => setTimeout(r, 3000)); // A's commit would have landed by now
    const ids = await Promise.all(
      out.map(
        async (m) =>
          ((await p.events.decodeAs('web', m.value)) as { envelope: { event_id: string } }).envelope
            .event_id,
      ),
    );
    expect(ids.length - new Set(ids).size).toBe(0);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.envelope.event_id)));
    expect(await committed()).toBe(BigInt(events.length));
  }, 120_000);
});
