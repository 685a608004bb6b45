import { createHash } from 'node:crypto';

/** Which of a person's ids a consent decision or an erasure names. */
export type SubjectKind = 'user' | 'anonymous';

/**
 * The Redis key under which the gateway keeps a person's latest consent per purpose, so a
 * withdrawal applies to their next event (docs/privacy.md#consent-records). The id is hashed:
 * Redis never holds it in clear. Shared with the erasure job, which deletes the key.
 */
export function consentStateKey(tenant: string, kind: SubjectKind, id: string): string {
  const digest = createHash('sha256').update(`${tenant}\0${kind}\0${id}`).digest('hex');
  return `consent-state:${tenant}:${digest}`;
}
