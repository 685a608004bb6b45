import { describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { createTestTopic, testKafka, uniqueName } from '@backbone/test';
import { TransactionalProducer } from '../src/enrich/tx-producer.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** What a read_committed consumer sees of the topic within `ms`. */
async function committedValues(topic: string, ms: number): Promise<string[]> {
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
  await new Promise((r) => setTimeout(r, ms));
  await consumer.disconnect();
  return seen;
}

describe('the enrich transactional producer', () => {
  it('settles a predecessor’s open transaction when it connects, before any transaction', async () => {
    const kafka = testKafka();
    const topic = await createTestTopic(kafka, 'tx-claim');
    const transactionalId = uniqueName('tx');
    // A predecessor (a process killed with kill -9) leaves a transaction open for a minute.
    const before = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
    });
    await before.connect();
    const open = await before.transaction();
    await open.send({ topic, messages: [{ value: 'from the dead process' }] });
    // A record after it, outside any transaction: read_committed readers stop at the open one.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, acks: -1, messages: [{ value: 'after it' }] });
    await plain.disconnect();
    expect(await committedValues(topic, 2_000)).toEqual([]);

    // Its successor, same transactional id, only connects: the open transaction is aborted.
    const after = new TransactionalProducer(
      kafka,
      { transactionalId, transactionTimeoutMs: 60_000 },
      logger,
    );
    await after.connect();
    try {
      expect(await committedValues(topic, 3_000)).toEqual(['after it']);
    } finally {
      await after.disconnect();
      await before.disconnect().catch(() => undefined);
    }
  }, 60_000);
});
