import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * Dead letters keep the original key and bytes, so a fixed record can be re-produced as it
 * was, and say why and where from in headers. The reason text names fields and schema ids,
 * never values.
 */
export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  code: 'x-dlq-code',
  topic: 'x-dlq-source-topic',
  partition: 'x-dlq-source-partition',
  offset: 'x-dlq-source-offset',
  at: 'x-dlq-at',
} as const;

export function dlqMessage(
  source: { topic: string; partition: number; message: KafkaMessage },
  code: string,
  reason: string,
): Message {
  const { message } = source;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...(message.headers ?? {}),
      [DLQ_HEADERS.reason]: reason.slice(0, 2000),
      [DLQ_HEADERS.code]: code,
      [DLQ_HEADERS.topic]: source.topic,
      [DLQ_HEADERS.partition]: String(source.partition),
      [DLQ_HEADERS.offset]: message.offset,
      [DLQ_HEADERS.at]: new Date().toISOString(),
    },
  };
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
}
