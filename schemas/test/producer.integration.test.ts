import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from 'kafkajs';
import {
  confluentRegistry,
  EventValidationError,
  registerSchemas,
  StreamSerde,
  type StreamEvents,
} from '@backbone/schemas';
import { EventProducer } from '@backbone/schemas/producer';
import { testKafka, testStack, uniqueName, waitFor } from '@backbone/test';
import { envelope } from '../src/samples.test-support.js';
import { kafkaAuth } from '@backbone/runtime';

function speakerChange(session: string, n: number): StreamEvents['stt.speaker'] {
  return {
    envelope: envelope('stt_speaker_changed', {
      event_id: randomUUID(),
      occurred_at: 1_736_937_000_000 + n,
      received_at: 1_736_937_000_500 + n,
      source: 'stt-service',
      session_id: session,
      anonymous_id: null,
      context: {
        ip: null,
        user_agent: null,
        locale: null,
        timezone: null,
        page_url: null,
        referrer: null,
      },
    }),
    payload: {
      'backbone.events.stt.SpeakerChanged': {
        from_speaker_id: `spk_${n % 2}`,
        to_speaker_id: `spk_${(n + 1) % 2}`,
        offset_ms: n * 1000,
        confidence: 0.75,
      },
    },
  };
}

describe('producer SDK (EventProducer) on the real stack', () => {
  it('delivers concurrent events once each, keyed and ordered by session, and refuses an invalid one', async () => {
    const stack = testStack();
    await registerSchemas(stack.schemaRegistryUrl);
    const kafka = testKafka();

    const producer = await EventProducer.connect({
      ...kafkaAuth(),
      brokers: [stack.kafkaBrokers],
      registryUrl: stack.schemaRegistryUrl,
      clientId: uniqueName('sdk'),
    });
    const sessions = [uniqueName('s'), uniqueName('s'), uniqueName('s')];
    const events = Array.from({ length: 300 }, (_, n) =>
      speakerChange(sessions[n % 3] as string, n),
    );
    try {
      await Promise.all(
        events.map((e) => producer.produce('stt.speaker', e, { 'x-request-id': 'req-1' })),
      );
      const bad = {
        ...events[0],
        envelope: { ...events[0]!.envelope, occurred_at: 'yesterday' },
      } as unknown as StreamEvents['stt.speaker'];
      await expect(producer.produce('stt.speaker', bad)).rejects.toBeInstanceOf(
        EventValidationError,
      );
    } finally {
      await producer.close();
    }

    const serde = await StreamSerde.open(confluentRegistry(stack.schemaRegistryUrl), 'raw');
    const mine = new Set(sessions);
    const received: {
      key: string;
      value: StreamEvents['stt.speaker'];
      headers: KafkaMessage['headers'];
    }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('sdk-read') });
    await consumer.connect();
    // The sessions are unique to this test, so reading the whole topic and filtering is safe.
    await consumer.subscribe({ topic: 'raw.stt.speaker.v1', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (mine.has(key))
          received.push({
            key,
            value: (await serde.decode(message.value as Buffer)) as StreamEvents['stt.speaker'],
            headers: message.headers,
          });
      },
    });
    try {
      await waitFor(() => received.length >= 300, { timeoutMs: 30_000, description: '300 events' });
    } finally {
      await consumer.disconnect();
    }
    expect(received).toHaveLength(300);
    expect(new Set(received.map((r) => r.value.envelope.event_id)).size).toBe(300);
    for (const session of sessions) {
      const order = received
        .filter((r) => r.key === session)
        .map((r) => r.value.envelope.occurred_at);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(received[0]?.headers?.['x-request-id']?.toString()).toBe('req-1');
    expect(
      received.find((r) => r.value.envelope.event_id === events[7]?.envelope.event_id)?.value,
    ).toEqual(events[7]);
  });
});
