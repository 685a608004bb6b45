import { describe, expect, it } from 'vitest';
import { memoize } from './memo.js';

describe('memoize', () => {
  it('computes each key once and forgets the oldest past the bound', () => {
    const calls: string[] = [];
    const upper = memoize((s) => (calls.push(s), s.toUpperCase()), 2);
    expect([upper('a'), upper('a'), upper('b'), upper('c'), upper('a')]).toEqual([
      'A',
      'A',
      'B',
      'C',
      'A',
    ]);
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});
