import { describe, expect, it } from 'vitest';
import { chunks } from './records.js';

const msg = (bytes: number) => ({ key: null, value: Buffer.alloc(bytes) });

describe('chunks (transaction writes under the broker’s request size)', () => {
  it('keeps every message, in order, in groups under the limit', () => {
    const out = [
      { topic: 'events', messages: [msg(300), msg(300), msg(300)] },
      { topic: 'dlq', messages: [msg(100)] },
    ];
    const groups = chunks(out, 800); // each message counts 64 bytes of overhead
    expect(groups).toEqual([
      [{ topic: 'events', messages: [msg(300), msg(300)] }],
      [
        { topic: 'events', messages: [msg(300)] },
        { topic: 'dlq', messages: [msg(100)] },
      ],
    ]);
  });

  it('sends a message larger than the limit on its own rather than dropping it', () => {
    expect(chunks([{ topic: 't', messages: [msg(10), msg(5000)] }], 1000)).toHaveLength(2);
  });
});
