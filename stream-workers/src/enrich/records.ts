import type { KafkaMessage, Message } from 'kafkajs';
import {
  SerdeError,
  validateEvent,
  type StreamEvents,
  type StreamName,
  type StreamSerde,
} from '@backbone/schemas';

/** Splits topic messages into groups of at most `limit` bytes of keys and values. */
export function chunks(
  out: { topic: string; messages: Message[] }[],
  limit: number,
): { topic: string; messages: Message[] }[][] {
  const result: { topic: string; messages: Message[] }[][] = [];
  let current: { topic: string; messages: Message[] }[] = [];
  let bytes = 0;
  for (const { topic, messages } of out) {
    for (const m of messages) {
      let size = (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
      for (const [k, v] of Object.entries(m.headers ?? {}))
        size += k.length + (Array.isArray(v) ? v.join('').length : String(v ?? '').length) + 8;
      if (bytes > 0 && bytes + size > limit) {
        result.push(current);
        current = [];
        bytes = 0;
      }
      let group = current.find((g) => g.topic === topic);
      if (!group) current.push((group = { topic, messages: [] }));
      group.messages.push(m);
      bytes += size;
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * Every record of a batch decoded and validated, or the reason it goes to the dead-letter
 * topic. A registry that cannot be reached throws instead: retrying the batch can fix that.
 */
export function decodeAll(raw: StreamSerde, stream: StreamName, messages: KafkaMessage[]) {
  return Promise.all(
    messages.map(async (m) => {
      try {
        const value = (await raw.decodeAs(stream, m.value)) as StreamEvents[typeof stream];
        const invalid = validateEvent(stream, value, 'raw');
        if (invalid.length === 0) return { m, value };
        return {
          m,
          error: `invalid event: ${invalid.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
          code: 'invalid',
        };
      } catch (err) {
        if (err instanceof SerdeError && !err.retriable)
          return { m, error: err.message, code: 'undecodable' };
        throw err;
      }
    }),
  );
}
