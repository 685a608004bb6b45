import { describe, expect, it } from 'vitest';
import { clusterId } from './kafka.js';

describe('clusterId', () => {
  it('is 22 URL-safe base64 characters', () => {
    expect(clusterId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("never starts with '-', which the storage tool would read as an option", () => {
    const draws = [Buffer.from([0xfb, ...new Array<number>(15).fill(1)]), Buffer.alloc(16, 7)];
    // 0xfb… encodes to "-w…"; the next draw is taken instead.
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    expect(clusterId(() => draws.shift()!)).toBe(Buffer.alloc(16, 7).toString('base64url'));
  });
});
