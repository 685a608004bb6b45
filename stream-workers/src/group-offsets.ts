import { Admin, type Group } from '@platformatic/kafka';
import type { KafkaAuth, Logger } from '@backbone/runtime';

/** Partitions of one topic. */
export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/**
 * A consumer group's committed offsets as they stand once no transaction holds one pending:
 * Kafka's `require_stable` offset fetch (KIP-447), which the broker answers with
 * UNSTABLE_OFFSET_COMMIT while a transaction that commits offsets for a partition is still
 * being completed. A plain offset fetch (kafkajs' only kind) answers with the offset before
 * that transaction: a member that starts on a partition right after a commit, its own or the
 * previous owner's, would read the committed batch again and write it twice.
 *
 * @platformatic/kafka is used for this one request because kafkajs' protocol stops at
 * OffsetFetch v4; require_stable came with v7 (see stream-workers/README.md).
 */
export class GroupOffsets {
  private readonly admin: Admin;

  constructor(options: { brokers: string[]; auth: KafkaAuth; clientId: string }) {
    const { sasl, ssl } = options.auth;
    this.admin = new Admin({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      ...(ssl ? { tls: {} } : {}),
      ...(sasl
        ? {
            sasl: {
              mechanism: sasl.mechanism.toUpperCase() as
                'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
              username: sasl.username,
              password: sasl.password,
            },
          }
        : {}),
      retries: 5,
      retryDelay: 200,
    });
  }

  /** The committed offsets (-1: none), keyed `topic:partition`; one request, not retried. */
  async read(groupId: string, topics: TopicPartitions[]): Promise<Map<string, bigint>> {
    const [group] = await this.admin.listConsumerGroupOffsets({
      groups: [
        {
          groupId,
          topics: topics.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })),
        },
      ],
      requireStable: true,
    });
    const out = new Map<string, bigint>();
    for (const t of group?.topics ?? [])
      for (const p of t.partitions) out.set(`${t.name}:${p.partitionIndex}`, p.committedOffset);
    return out;
  }

  /**
   * Throws unless the group's committed offset of the partition has reached `offset`. kafkajs'
   * `commitOffsets` returns without committing while its consumer stops for a restart (after
   * a crash it recovers from); a sink that took such a batch as committed would read it again
   * under other bounds and insert it twice. The throw fails the flush, which retries the batch
   * (its insert deduplicated by its token) and commits again.
   */
  async confirm(
    groupId: string,
    at: { topic: string; partition: number; offset: string },
  ): Promise<void> {
    const read = await this.read(groupId, [{ topic: at.topic, partitions: [at.partition] }]);
    if ((read.get(`${at.topic}:${at.partition}`) ?? -1n) < BigInt(at.offset))
      throw new Error(`the commit of ${at.topic}:${at.partition} at ${at.offset} did not take`);
  }

  /** The group as its coordinator holds it now: state, members and their assignments. */
  async describe(groupId: string): Promise<Group | undefined> {
    const groups = await this.admin.describeGroups({ groups: [groupId] });
    return groups.get(groupId);
  }

  /** read(), asked again until the group coordinator answers or `running()` turns false. */
  async settled(
    groupId: string,
    topics: TopicPartitions[],
    options: { logger: Logger; running: () => boolean },
  ): Promise<Map<string, bigint> | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.read(groupId, topics);
      } catch (err) {
        if (!options.running()) return undefined;
        if (attempt % 10 === 0)
          options.logger.warn(
            { err, attempt, groupId },
            'committed offsets not readable yet; asking again',
          );
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}
