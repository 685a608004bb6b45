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
