import { describe, expect, it } from 'vitest';
import { createTestTopic, testKafka, uniqueName } from '@backbone/test';
import { committedValues, transactionalProducer } from './transactions.js';

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
    const a = await transactionalProducer(uniqueName('tx-a'));
    const b = await transactionalProducer(uniqueName('tx-b'));
    const c = await transactionalProducer(uniqueName('tx-c'));
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
      expect((await committedValues(topic, { atLeast: 2 })).sort()).toEqual(['then-0', 'then-2']);
    } finally {
      await Promise.all([a, b, c].map((p) => p.disconnect()));
    }
  }, 60_000);
});
