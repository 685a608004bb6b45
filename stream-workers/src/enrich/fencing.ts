import type { Group } from '@platformatic/kafka';

/** The partitions a transaction commits offsets for. */
export interface Owned {
  topic: string;
  partition: number;
}

/**
 * Why `member` may not commit offsets for `partitions` in the group as described, or
 * undefined when it may: the group is stable (no rebalance under way) and its assignment, as
 * the coordinator holds it, gives every one of these partitions to this member.
 */
export function notOwned(
  group: Pick<Group, 'state' | 'members'> | undefined,
  member: string | undefined,
  partitions: readonly Owned[],
): string | undefined {
  if (!group) return 'the group is unknown to its coordinator';
  if (!member) return 'this consumer has not joined the group';
  if (group.state !== 'STABLE') return `the group is ${group.state.toLowerCase()}`;
  const assigned = group.members.get(member)?.assignments;
  if (!assigned) return `member ${member} is no longer in the group`;
  const lost = partitions.filter(
    ({ topic, partition }) => !assigned.get(topic)?.partitions.includes(partition),
  );
  if (lost.length > 0)
    return `partitions ${lost.map((p) => `${p.topic}:${p.partition}`).join(', ')} are assigned elsewhere`;
  return undefined;
}

/** A transaction that was about to commit offsets for partitions this member no longer owns. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}
