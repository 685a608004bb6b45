import { describe, expect, it } from 'vitest';
import { createTopicsReady, type TopicAdmin } from './kafka-topics.js';

/** Answers metadata requests from a script: an error, or the partitions' leaders. */
function scriptedAdmin(answers: (Error | number[])[], offsetErrors = 0) {
  const calls = { create: 0, metadata: 0, offsets: 0 };
  const admin: TopicAdmin = {
    createTopics: () => {
      calls.create++;
      return Promise.resolve(true);
    },
    fetchTopicOffsets: () =>
      ++calls.offsets <= offsetErrors
        ? Promise.reject(new Error('This server is not the leader for that topic-partition'))
        : Promise.resolve([]),
    fetchTopicMetadata: ({ topics }) => {
      const answer = answers[Math.min(calls.metadata++, answers.length - 1)]!;
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve({
        topics: topics.map((name) => ({
          name,
          partitions: answer.map((leader, partitionId) => ({ partitionId, leader })),
        })),
      });
    },
  };
  return { admin, calls };
}

describe('createTopicsReady', () => {
  it('waits through "does not host this topic-partition" until every partition has a leader', async () => {
    const { admin, calls } = scriptedAdmin([
      new Error('This server does not host this topic-partition'),
      [1], // one of two partitions known so far
      [1, -1], // the second has no leader yet
      [1, 1],
    ]);
    await createTopicsReady(admin, [{ topic: 't', numPartitions: 2 }], { timeoutMs: 5000 });
    expect(calls).toEqual({ create: 1, metadata: 4, offsets: 1 });
  });

  it('waits until the leader answers for the partition, not only until it is named', async () => {
    const { admin, calls } = scriptedAdmin([[1]], 2);
    await createTopicsReady(admin, [{ topic: '_schemas', numPartitions: 1 }], { timeoutMs: 5000 });
    expect(calls).toEqual({ create: 1, metadata: 3, offsets: 3 });
  });

  it('gives up after the timeout and names the topics and the last error', async () => {
    const { admin } = scriptedAdmin([new Error('This server does not host this topic-partition')]);
    await expect(
      createTopicsReady(admin, [{ topic: 'raw.web.v1' }, { topic: 'dlq.web.v1' }], {
        timeoutMs: 250,
      }),
    ).rejects.toThrow(/leaders for raw.web.v1, dlq.web.v1: This server does not host/);
  });

  it('does nothing for an empty list', async () => {
    const { admin, calls } = scriptedAdmin([]);
    await createTopicsReady(admin, []);
    expect(calls).toEqual({ create: 0, metadata: 0, offsets: 0 });
  });
});
