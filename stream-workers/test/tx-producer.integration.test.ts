import { describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { createTestTopic, testKafka, uniqueName } from '@backbone/test';
import { committedValues, transactionalProducer } from './transactions.js';
import { TransactionalProducer } from '../src/enrich/tx-producer.js';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('the enrich transactional producer', () => {
  it('settles a predecessor’s open transaction when it connects, before any transaction', async () => {
    const kafka = testKafka();
    const topic = await createTestTopic(kafka, 'tx-claim');
    const transactionalId = uniqueName('tx');
    // A predecessor (a process killed with kill -9) leaves a transaction open for a minute.
    const before = await transactionalProducer(transactionalId, 60_000);
    const open = await before.transaction();
    await open.send({ topic, messages: [{ value: 'from the dead process' }] });
    // A record after it, outside any transaction: read_committed readers stop at the open one.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic, acks: -1, messages: [{ value: 'after it' }] });
    await plain.disconnect();
    expect(await committedValues(topic, { settleMs: 2_000 })).toEqual([]);

    // Its successor, same transactional id, only connects: the open transaction is aborted.
    const after = new TransactionalProducer(
      kafka,
      { transactionalId, transactionTimeoutMs: 60_000 },
      logger,
    );
    await after.connect();
    try {
      expect(await committedValues(topic, { atLeast: 1, settleMs: 2_000 })).toEqual(['after it']);
    } finally {
      await after.disconnect();
      await before.disconnect().catch(() => undefined);
    }
  }, 60_000);
});
