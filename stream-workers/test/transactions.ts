import type { Producer } from 'kafkajs';
import { testKafka, uniqueName } from '@backbone/test';

/**
 * What a read_committed kafkajs consumer (as the workers read) gets of the topic: once
 * `atLeast` records are in (or 15 s have passed), and `settleMs` more for anything that
 * should not come.
 */
export async function committedValues(
  topic: string,
  { atLeast = 0, settleMs = 1_000 }: { atLeast?: number; settleMs?: number } = {},
): Promise<string[]> {
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
  for (let waited = 0; seen.length < atLeast && waited < 15_000; waited += 100)
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, settleMs));
  await consumer.disconnect();
  return seen;
}

/** A connected transactional producer, configured as the enrich worker's. */
export async function transactionalProducer(
  transactionalId: string,
  transactionTimeout?: number,
): Promise<Producer> {
  const producer = testKafka().producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    ...(transactionTimeout ? { transactionTimeout } : {}),
  });
  await producer.connect();
  return producer;
}
