import type { KafkaMessage, Producer } from 'kafkajs';
import { SerdeError, type StreamName, type StreamSerde } from '@backbone/schemas';
import { toRow } from '@backbone/warehouse';
import { dlqMessage } from '../dlq.js';
import type { WorkerMetrics } from '../metrics.js';
import type { TopicNamer } from '../topics.js';
import type { TextKeys } from '../subjects/store.js';
import { openTexts, sealsText } from './texts.js';

export interface DecodeContext {
  serde: StreamSerde;
  producer: Producer;
  topics: TopicNamer;
  metrics: WorkerMetrics;
  /** Undecodable records go to the dead-letter topic (false: counted and skipped). */
  deadLetter: boolean;
  /** The subject keys, for text encrypted with them (none: such a record is refused). */
  texts?: TextKeys;
}

/**
 * A record of events.* as a row of its raw table, or none when it cannot be decoded: it goes
 * to the stream's dead-letter topic with the reason in its headers, and its offset still
 * counts, so the batch's range stays contiguous. A registry that does not answer is thrown.
 */
export async function decodeRow(
  ctx: DecodeContext,
  stream: StreamName,
  from: { topic: string; partition: number },
  m: KafkaMessage,
): Promise<unknown[] | undefined> {
  try {
    const value = await ctx.serde.decodeAs(stream, m.value);
    if (sealsText(stream))
      await openTexts(value, ctx.texts, () =>
        ctx.metrics.records.inc({ worker: 'sink', stream, outcome: 'text-unreadable' }),
      );
    return toRow(stream, value, from.partition, m.offset);
  } catch (err) {
    if (!(err instanceof SerdeError) || err.retriable) throw err;
    if (!ctx.deadLetter) {
      ctx.metrics.records.inc({ worker: 'sink', stream, outcome: 'skipped' });
      return undefined;
    }
    await ctx.producer.send({
      topic: ctx.topics('dlq', stream),
      acks: -1,
      messages: [dlqMessage({ ...from, message: m }, 'undecodable', err.message)],
    });
    ctx.metrics.dlq.inc({ worker: 'sink', stream, reason: 'undecodable' });
    return undefined;
  }
}
