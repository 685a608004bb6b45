import type { Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { Fetching } from './fetching.js';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('Fetching', () => {
  it('passes pauses and resumes to the consumer, and survives one that is restarting', () => {
    const calls: string[] = [];
    let restarting = false;
    const consumer = {
      pause: (t: { topic: string }[]) => {
        if (restarting)
          throw new Error('Consumer group was not initialized, consumer#run must be called first');
        calls.push(`pause ${t.map((x) => x.topic).join(',')}`);
      },
      resume: (t: { topic: string }[]) => {
        if (restarting)
          throw new Error('Consumer group was not initialized, consumer#run must be called first');
        calls.push(`resume ${t.map((x) => x.topic).join(',')}`);
      },
    } as unknown as Consumer;
    const fetching = new Fetching(() => consumer, logger);
    fetching.pause([{ topic: 'a', partitions: [0] }]);
    fetching.resume([{ topic: 'a', partitions: [0] }]);
    fetching.pause([]);
    restarting = true;
    expect(() => fetching.pause([{ topic: 'b' }])).not.toThrow();
    expect(() => fetching.resume([{ topic: 'b' }])).not.toThrow();
    expect(calls).toEqual(['pause a', 'resume a']);
    expect(() => new Fetching(() => undefined, logger).pause([{ topic: 'c' }])).not.toThrow();
  });
});
