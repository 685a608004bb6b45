import type { Admin } from 'kafkajs';
import { createTopicsReady } from '@backbone/runtime';

/**
 * The topics of subject rights (docs/privacy.md#erasure). Keys and the ledger are compacted:
 * the latest record of each key is kept for ever (a key's tombstone goes after
 * `delete.retention.ms`); erasure requests hold a client's clear id and live as long as
 * raw.* records (7 days).
 */
export interface SubjectTopics {
  /** Wrapped subject keys, one record per key (`<ref>/<key id>`); erasing tombstones them. */
  keys: string;
  /** Erased subjects (`<ref>` → when, and the tokens that stood for them): never removed. */
  erasures: string;
  /** Erasure requests as the API and the CLI take them. */
  requests: string;
}

export const SUBJECT_TOPICS: SubjectTopics = {
  keys: '_subject_keys',
  erasures: '_subject_erasures',
  requests: '_subject_erasure_requests',
};

const DAY_MS = 24 * 3600 * 1000;

/** A test's own topics: the same names under a prefix. */
export const prefixedSubjectTopics = (prefix: string): SubjectTopics => ({
  keys: `${prefix}${SUBJECT_TOPICS.keys}`,
  erasures: `${prefix}${SUBJECT_TOPICS.erasures}`,
  requests: `${prefix}${SUBJECT_TOPICS.requests}`,
});

/** Each topic's configuration, as `createTopics` takes it. */
export function subjectTopicSpecs(topics: SubjectTopics, partitions = 3) {
  const compacted = [
    { name: 'cleanup.policy', value: 'compact' },
    // A key written twice in a race stays readable for an hour before compaction may keep one.
    { name: 'min.compaction.lag.ms', value: String(3600 * 1000) },
  ];
  // Replicas and min.insync.replicas: the brokers' defaults (three and two on a cluster).
  return [
    { topic: topics.keys, numPartitions: partitions, configEntries: compacted },
    { topic: topics.erasures, numPartitions: partitions, configEntries: compacted },
    {
      topic: topics.requests,
      numPartitions: partitions,
      configEntries: [
        { name: 'cleanup.policy', value: 'delete' },
        { name: 'retention.ms', value: String(7 * DAY_MS) },
      ],
    },
  ];
}

/** Creates whichever of the topics does not exist yet (idempotent). */
export async function ensureSubjectTopics(admin: Admin, topics: SubjectTopics): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = subjectTopicSpecs(topics).filter((t) => !existing.has(t.topic));
  if (missing.length > 0) await createTopicsReady(admin, missing);
}
