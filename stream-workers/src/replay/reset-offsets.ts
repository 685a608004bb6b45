import type { Kafka } from 'kafkajs';
import { catalogTopics, type TopicNamer } from '../topics.js';
import { ReplayConflictError, ReplayInputError } from '../errors.js';
import { parsePosition, resolvePosition, topicBounds } from './positions.js';
import { resolveFamily } from './plan.js';

/**
 * Moves a worker group's committed offsets on the family's events topics (earliest or a
 * time), only while the group has no members: a running worker would overwrite them.
 */
export async function resetOffsets(
  kafka: Kafka,
  options: {
    group: string;
    stream: string;
    to: string;
    dryRun?: boolean;
    topics?: TopicNamer;
    kind?: 'events' | 'raw';
    print?: (line: string) => void;
  },
): Promise<Map<string, bigint>> {
  const family = resolveFamily(options.stream);
  const topics = options.topics ?? catalogTopics;
  const print = options.print ?? (() => undefined);
  const position = parsePosition(options.to, '--to');
  if (position.kind === 'offsets')
    throw new ReplayInputError('--to: reset-offsets takes earliest or an ISO time');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const {
      groups: [group],
    } = await admin.describeGroups([options.group]);
    if (group && group.members.length > 0)
      throw new ReplayConflictError(
        `consumer group ${options.group} is active (${group.members.length} members, state ${group.state}): stop its workers first`,
      );
    const bounds = await Promise.all(
      family.streams.map((s) => topicBounds(admin, topics(options.kind ?? 'events', s), s)),
    );
    const target = await resolvePosition(admin, position, bounds, '--to');
    for (const t of bounds) {
      const partitions = [...t.bounds.keys()].map((p) => ({
        partition: p,
        offset: String(target.get(`${t.topic}:${p}`)),
      }));
      for (const p of partitions)
        print(
          `${options.dryRun ? 'would set' : 'set'} ${options.group} ${t.topic} partition ${p.partition} to ${p.offset}`,
        );
      if (!options.dryRun)
        await admin.setOffsets({ groupId: options.group, topic: t.topic, partitions });
    }
    return target;
  } finally {
    await admin.disconnect();
  }
}
