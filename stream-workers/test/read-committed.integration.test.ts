import { describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { createTestTopic, testKafka, uniqueName } from '@backbone/test';

/** What a read_committed kafkajs consumer (as the sink and enrich use) reads of the topic. */
async function readCommitted(topic: string, expected: number): Promise<string[]> {
  const consumer = testKafka().consumer({ groupId: uniqueName('read'), readUncommitted: false });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      seen.push(String(message.value));
      return Promise.resolve();
    },
  });
  // Until the committed records are in, then a moment for anything that should not be.
  for (let waited = 0; seen.length < expected && waited < 15_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1_000));
  await consumer.disconnect();
  return seen;
}

const transactional = async (transactionalId: string): Promise<Producer> => {
  const producer = testKafka().producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return producer;
};

/**
 * When a broker fails, several enrich workers abort their transactions at once, and they end
 * in another order than they began. The broker lists a partition's aborted transactions in
 * the order they ended; kafkajs 2.2.4 took that list as ordered by first offset and handed
 * the records of every transaction but the first over to read_committed readers, so the sink
 * inserted them, and the retried batch again (patches/kafkajs+2.2.4.patch).
 */
describe('read_committed consumers and aborted transactions', () => {
  it('never see a record of a transaction that was aborted, whatever order aborts end in', async () => {
    const kafka = testKafka();
    const topic = await createTestTopic(kafka, 'aborts');
    const a = await transactional(uniqueName('tx-a'));
    const b = await transactional(uniqueName('tx-b'));
    const c = await transactional(uniqueName('tx-c'));
    try {
      // Three transactions open side by side, aborted in the reverse order of their start.
      const txs = [await a.transaction(), await b.transaction(), await c.transaction()];
      for (const [i, tx] of txs.entries())
        await tx.send({
          topic,
          messages: [{ value: `aborted-${i}-1` }, { value: `aborted-${i}-2` }],
        });
      for (const tx of [...txs].reverse()) await tx.abort();
      // The same producers go on: one commits, one aborts again, one commits.
      const again = [await a.transaction(), await b.transaction(), await c.transaction()];
      for (const [i, tx] of again.entries())
        await tx.send({ topic, messages: [{ value: `then-${i}` }] });
      await again[1]!.abort();
      await again[2]!.commit();
      await again[0]!.commit();
      expect((await readCommitted(topic, 2)).sort()).toEqual(['then-0', 'then-2']);
    } finally {
      await Promise.all([a, b, c].map((p) => p.disconnect()));
    }
  }, 60_000);
});
