import type { Kafka } from 'kafkajs';
import type { KafkaAuth, Logger } from '@backbone/runtime';
import type { SchemaRegistryClient, StreamName } from '@backbone/schemas';
import type { WorkerMetrics } from '../metrics.js';
import type { FetchPolicy, TopicNamer } from '../topics.js';
import type { DedupStore } from './dedup.js';
import type { EnrichContext } from './enrich.step.js';

/** What the enrich worker is given. */
export interface EnrichWorkerOptions {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  groupId: string;
  /** Stable per instance: its transactional id, so a restart fences its predecessor. */
  instanceId: string;
  context: EnrichContext;
  dedup: DedupStore;
  logger: Logger;
  metrics: WorkerMetrics;
  streams?: readonly StreamName[];
  topics?: TopicNamer;
  /** A member that stops heartbeating for this long loses its partitions. */
  sessionTimeoutMs?: number;
  /** Transactions not committed within this time are aborted by the broker. */
  transactionTimeoutMs?: number;
  /** How full a fetch must be, or how long it may wait (default: kafkajs', answer at once). */
  fetch?: FetchPolicy;
  /** The brokers and credentials for reading the group's stable offsets (group-offsets.ts). */
  offsetsFrom: { brokers: string[]; auth: KafkaAuth };
  /** Fault-injection point: awaited with the records written, before the offsets are added. */
  onStep?: (
    step: 'in-transaction',
    batch: { topic: string; partition: number },
  ) => void | Promise<void>;
}
