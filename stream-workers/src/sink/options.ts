import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import type { KafkaAuth, Logger } from '@backbone/runtime';
import type { SchemaRegistryClient, StreamName } from '@backbone/schemas';
import type { TableNames } from '@backbone/warehouse';
import type { WorkerMetrics } from '../metrics.js';
import type { FetchPolicy, TopicNamer } from '../topics.js';
import type { SinkBounds } from './batcher.js';
import type { DecodeContext } from './decode.js';
import type { RetryTiming } from './retry.js';
import type { BatchWriterOptions } from './writer.js';

/** What a SinkWorker is given (sink.worker.ts). */
export interface SinkWorkerOptions {
  kafka: Kafka;
  registry: SchemaRegistryClient;
  clickhouse: ClickHouseClient;
  database: string;
  groupId: string;
  logger: Logger;
  metrics: WorkerMetrics;
  maxRows?: number;
  maxWaitMs?: number;
  streams?: readonly StreamName[];
  topics?: TopicNamer;
  /** The tables written (default: `database`, no suffix; replay writes its shadows). */
  names?: TableNames;
  /** The registry as ClickHouse reaches it: Avro bytes go in as they are (else: decoded). */
  clickhouseRegistryUrl?: string | undefined;
  /** How far the sink reads and how long a batch waits (default: everything, maxWaitMs). */
  bounds?: SinkBounds;
  /** A member that stops heartbeating for this long loses its partitions. */
  sessionTimeoutMs?: number;
  /** Waits between attempts of a batch ClickHouse did not take (retry.ts). */
  retry?: Partial<RetryTiming>;
  /** How full a fetch must be, how long it may wait, how much it takes (topics.ts). */
  fetch?: FetchPolicy;
  /** Partitions read at once (one's insert overlaps another's reading). */
  concurrency?: number;
  /** Aged batches inserted at once; the others wait, growing (default 2). */
  insertConcurrency?: number;
  /** Shortest time between inserts of small aged batches into a table (InsertTurns; 1000, 0: none). */
  insertIntervalMs?: number;
  /** Undecodable records go to the dead-letter topic (false: counted and skipped). */
  deadLetter?: boolean;
  /** The subject keys, for transcript text encrypted with them (docs/privacy.md#erasure). */
  texts?: DecodeContext['texts'];
  onStep?: BatchWriterOptions['onStep'];
  /**
   * Brokers and credentials to confirm each offset commit with (group-offsets.ts): kafkajs
   * skips a commit without a word while its consumer stops for a restart, and a batch the
   * sink took as committed would be read again under other bounds and inserted twice.
   */
  offsetsFrom?: { brokers: string[]; auth: KafkaAuth };
}
