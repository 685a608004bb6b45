import { topicName, type StreamName, type TopicKind } from '@backbone/schemas';

/** Where a worker reads and writes: the catalog's topics, or a test's own. */
export type TopicNamer = (kind: TopicKind, stream: StreamName) => string;

export const catalogTopics: TopicNamer = topicName;

/** Topic → stream, for the topics of one kind. */
export function streamsOf(
  topics: TopicNamer,
  kind: TopicKind,
  streams: readonly StreamName[],
): Map<string, StreamName> {
  return new Map(streams.map((s) => [topics(kind, s), s]));
}

/**
 * How long a fetch may wait for how many bytes (Kafka's fetch.min.bytes and fetch.max.wait.ms)
 * and how much it takes of a partition (max.partition.fetch.bytes; kafkajs' default 1 MiB).
 * With the broker answering as soon as one record is there, a steady stream comes in many small
 * fetches, each a round of the consumer loop (and for enrich, a transaction).
 */
export interface FetchPolicy {
  minBytes?: number;
  maxWaitMs?: number;
  bytesPerPartition?: number;
  /**
   * How old the consumer's topic metadata may get: partitions added to a topic are noticed
   * within it, and the group rebalances onto them (kafkajs' metadataMaxAge; 5 min unset).
   */
  metadataMaxAgeMs?: number;
}

/** The kafkajs consumer options of a fetch policy (unset: kafkajs' own defaults). */
export function fetchOptions(fetch: FetchPolicy = {}) {
  const { minBytes, maxWaitMs, bytesPerPartition, metadataMaxAgeMs } = fetch;
  return {
    ...(metadataMaxAgeMs !== undefined ? { metadataMaxAge: metadataMaxAgeMs } : {}),
    ...(minBytes !== undefined ? { minBytes } : {}),
    ...(maxWaitMs !== undefined ? { maxWaitTimeInMs: maxWaitMs } : {}),
    ...(bytesPerPartition
      ? // A big reader's partition resumed at a new limit is fetched at once, not after a long
        // poll.
        {
          maxBytesPerPartition: bytesPerPartition,
          maxBytes: bytesPerPartition * 4,
          maxWaitTimeInMs: Math.min(maxWaitMs ?? 250, 250),
        }
      : {}),
  };
}
