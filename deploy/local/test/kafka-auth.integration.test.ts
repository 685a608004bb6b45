import { afterAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { testStack, uniqueName } from '@backbone/test';

/**
 * The local broker as the services meet it: SASL/SCRAM-SHA-512 on its only client listener
 * and ACLs per user (stack/kafka-users.ts). A client without credentials, or with a wrong
 * password, gets nothing; each service's user may do its part and no other.
 */
const stack = testStack();
const users = stack.kafkaUsers;
if (!users) throw new Error('this test needs the stack users’ passwords (KAFKA_USERS_FILE)');
const open: { disconnect: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const c of open) await c.disconnect().catch(() => undefined);
});

const client = (extra: Partial<KafkaConfig> = {}) =>
  new Kafka({
    clientId: uniqueName('auth'),
    brokers: stack.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
    authenticationTimeout: 3000,
    ...extra,
  });
const as = (user: string, password = users[user] ?? '') =>
  client({ sasl: { mechanism: 'scram-sha-512', username: user, password } });

/** What producing one record answers: 'ok', 'denied' (an ACL), or the error's message. */
async function produce(kafka: Kafka, topic: string): Promise<string> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  open.push(producer);
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
    return 'ok';
  } catch (err) {
    const e = err as { type?: string; message: string };
    return /AUTHORIZATION_FAILED|not authorized/i.test(`${e.type} ${e.message}`)
      ? 'denied'
      : e.message;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Whether the user can read a record of the topic (which holds some) as a group member. */
async function canRead(kafka: Kafka, topic: string, group: string): Promise<boolean> {
  const consumer = kafka.consumer({ groupId: group, retry: { retries: 0 } });
  open.push(consumer);
  let read = false;
  let failed = false;
  consumer.on(consumer.events.CRASH, () => (failed = true));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: () => Promise.resolve(void (read = true)) });
    // A group's first join may wait for its coordinator to load.
    for (let i = 0; i < 300 && !read && !failed; i++) await new Promise((r) => setTimeout(r, 50));
    return read;
  } catch {
    return false;
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

describe('Kafka authentication and ACLs', () => {
  it('refuses a client without credentials, and one with a wrong password', async () => {
    expect(await produce(client(), 'raw.web.v1')).not.toBe('ok');
    const wrong = await produce(as('gateway', 'not-the-password'), 'raw.web.v1');
    expect(wrong).toMatch(/SASL|authentication|Authentication/);
  });

  it('lets the gateway and the producer SDK write raw.* only', async () => {
    expect(await produce(as('gateway'), 'raw.web.v1')).toBe('ok');
    expect(await produce(as('producer'), 'raw.stt.transcript.v1')).toBe('ok');
    expect(await produce(as('gateway'), 'events.web.v1')).toBe('denied');
    expect(await canRead(as('gateway'), 'raw.web.v1', 'backbone-keys-peek')).toBe(false);
  });

  it('lets enrich read raw.* and write events.*, and the sink read events.* only', async () => {
    expect(await canRead(as('enrich'), 'raw.web.v1', uniqueName('backbone-enrich'))).toBe(true);
    expect(await produce(as('enrich'), 'events.web.v1')).toBe('ok');
    expect(await produce(as('enrich'), 'raw.web.v1')).toBe('denied');
    expect(await canRead(as('sink'), 'events.web.v1', uniqueName('backbone-sink'))).toBe(true);
    expect(await canRead(as('sink'), 'raw.web.v1', uniqueName('backbone-sink'))).toBe(false);
    expect(await produce(as('sink'), 'raw.web.v1')).toBe('denied');
    expect(await produce(as('sink'), 'events.web.v1')).toBe('denied');
  });
});
