import { describe, expect, it } from 'vitest';
import type { Group, GroupMember } from '@platformatic/kafka';
import { notOwned } from './fencing.js';

const member = (id: string, assigned: Record<string, number[]>): [string, GroupMember] => [
  id,
  {
    id,
    groupInstanceId: null,
    clientId: 'enrich',
    clientHost: '/127.0.0.1',
    assignments: new Map(
      Object.entries(assigned).map(([topic, partitions]) => [topic, { topic, partitions }]),
    ),
  },
];

const group = (state: Group['state'], ...members: [string, GroupMember][]) => ({
  state,
  members: new Map(members),
});

const a = member('a-1', { 'raw.web': [0, 2], 'raw.stt': [1] });
const b = member('b-1', { 'raw.web': [1], 'raw.stt': [0] });

describe('notOwned', () => {
  it('lets a member of a stable group commit the partitions it is assigned', () => {
    expect(
      notOwned(group('STABLE', a, b), 'a-1', [
        { topic: 'raw.web', partition: 2 },
        { topic: 'raw.stt', partition: 1 },
      ]),
    ).toBeUndefined();
  });

  it('names the partitions that went to another member', () => {
    expect(
      notOwned(group('STABLE', a, b), 'a-1', [
        { topic: 'raw.web', partition: 0 },
        { topic: 'raw.web', partition: 1 },
        { topic: 'raw.other', partition: 0 },
      ]),
    ).toBe('partitions raw.web:1, raw.other:0 are assigned elsewhere');
  });

  it('refuses while a rebalance is under way, even for partitions it holds', () => {
    expect(
      notOwned(group('PREPARING_REBALANCE', a, b), 'a-1', [{ topic: 'raw.web', partition: 0 }]),
    ).toBe('the group is preparing_rebalance');
  });

  it('refuses a member the coordinator no longer knows (it was replaced)', () => {
    expect(notOwned(group('STABLE', b), 'a-1', [{ topic: 'raw.web', partition: 0 }])).toBe(
      'member a-1 is no longer in the group',
    );
  });

  it('refuses before the member joined and when the group is unknown', () => {
    expect(notOwned(group('STABLE', a), undefined, [])).toBe(
      'this consumer has not joined the group',
    );
    expect(notOwned(undefined, 'a-1', [])).toBe('the group is unknown to its coordinator');
  });
});
