import { waitFor } from './wait-for.js';

export interface TopicToCreate {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

interface PartitionLeader {
  partitionId: number;
  leader: number;
}

/** The part of a kafkajs `Admin` this needs, typed structurally to keep kafkajs out of here. */
export interface TopicAdmin {
  createTopics(options: {
    topics: TopicToCreate[];
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean>;
  fetchTopicMetadata(options: {
    topics: string[];
  }): Promise<{ topics: { name: string; partitions: PartitionLeader[] }[] }>;
  fetchTopicOffsets(topic: string): Promise<unknown[]>;
}

/**
 * Creates topics (one that exists already is left as it is) and returns once every
 * partition of each has a leader that answers for it, so the next produce or fetch works.
 *
 * kafkajs' own `waitForLeaders` retries only LEADER_NOT_AVAILABLE. A KRaft broker may answer
 * the metadata request that follows CreateTopics with UNKNOWN_TOPIC_OR_PARTITION ("This
 * server does not host this topic-partition") until the new topic reaches its metadata
 * cache, and kafkajs then fails the whole call. Here any metadata error means "not yet".
 */
export async function createTopicsReady(
  admin: TopicAdmin,
  topics: TopicToCreate[],
  options: { timeoutMs?: number } = {},
): Promise<void> {
  if (topics.length === 0) return;
  const timeoutMs = options.timeoutMs ?? 30_000;
  await admin.createTopics({ topics, waitForLeaders: false, timeout: timeoutMs });
  const names = topics.map((t) => t.topic);
  await waitFor(
    async () => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      const led = topics.every((wanted) => {
        const partitions = found.find((t) => t.name === wanted.topic)?.partitions ?? [];
        const enough =
          wanted.numPartitions === undefined || wanted.numPartitions < 1
            ? partitions.length > 0
            : partitions.length >= wanted.numPartitions;
        return enough && partitions.every((p) => p.leader >= 0);
      });
      if (!led) return false;
      // A leader in the metadata may not serve the partition yet (NOT_LEADER_FOR_PARTITION
      // to the first ListOffsets or Produce): ask each topic's offsets, which throws until it does.
      for (const name of names) await admin.fetchTopicOffsets(name);
      return true;
    },
    { timeoutMs, intervalMs: 100, description: `leaders for ${names.join(', ')}` },
  );
}

/**
 * The compacted topic of tenancy (API keys, tenants' policies): one partition, the latest
 * record of each key kept. The gateway, enrich and the query service each create it when it
 * is missing (createTopicsReady leaves an existing one as it is).
 */
export const tenantsTopicSpec = (topic: string): TopicToCreate => ({
  topic,
  numPartitions: 1,
  // Replicas and min.insync.replicas: the brokers' defaults (three and two on a cluster).
  configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
});
