import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** The stack the integration tests run against (set up once by global-setup). */
export function testStack() {
  return inject('stack');
}

/**
 * A name no other test uses: prefix, time and randomness, in the characters both Kafka
 * topics and ClickHouse identifiers accept.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}
