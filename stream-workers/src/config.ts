import { hostname } from 'node:os';
import { z } from 'zod';
import { ClickHouseConfig } from '@backbone/warehouse';
import { commaList, intAtLeast, logLevel, port } from '@backbone/runtime';

const list = commaList;
const int = intAtLeast;

const WorkerBase = z.object({
  KAFKA_BROKERS: list.pipe(z.array(z.string()).min(1, 'at least one broker')),
  SCHEMA_REGISTRY_URL: z.url(),
  HOST: z.string().default('127.0.0.1'),
  /** /health, /ready and /metrics; 0 picks a free port. */
  PORT: port(9400),
  LOG_LEVEL: logLevel,
  /**
   * A fetch waits for this many bytes (across its partitions) … (Kafka's fetch.min.bytes):
   * under steady traffic, fewer and fuller fetches cost the worker and the broker less
   * (stream-workers/README.md § Benchmark).
   */
  KAFKA_FETCH_MIN_BYTES: int(1, 262_144),
  /** … or this long, whichever comes first (fetch.max.wait.ms). */
  KAFKA_FETCH_MAX_WAIT_MS: int(0, 200),
  /** Partitions added to a topic are read within this (metadata.max.age.ms). */
  KAFKA_METADATA_MAX_AGE_MS: int(1000, 30_000),
});

/** The consumer's fetch policy from a worker's configuration. */
export const fetchPolicy = (c: {
  KAFKA_FETCH_MIN_BYTES: number;
  KAFKA_FETCH_MAX_WAIT_MS: number;
  KAFKA_METADATA_MAX_AGE_MS: number;
}) => ({
  minBytes: c.KAFKA_FETCH_MIN_BYTES,
  maxWaitMs: c.KAFKA_FETCH_MAX_WAIT_MS,
  metadataMaxAgeMs: c.KAFKA_METADATA_MAX_AGE_MS,
});

/**
 * Subject keys (docs/privacy.md#erasure): `id:secret[,id:secret…]`, the current master key
 * first; every listed one unwraps, the first wraps. Checked by parseMasterKeys at start.
 */
const masterKeys = z.string().min(1, 'at least one master key (id:secret)');

export const EnrichConfig = WorkerBase.extend(ClickHouseConfig.shape).extend({
  GROUP_ID: z.string().min(1).default('backbone-enrich'),
  SUBJECT_MASTER_KEYS: masterKeys,
  /** Before the subject topics' names (several installations on one Kafka cluster). */
  SUBJECT_TOPIC_PREFIX: z.string().default(''),
  /** The consumer group that runs erasure requests (one runs each request). */
  ERASURE_GROUP_ID: z.string().min(1).default('backbone-erasure'),
  /** The query service's CACHE_NAMESPACE: an erasure drops the tenant's cached answers. */
  QUERY_CACHE_NAMESPACE: z.string().default(''),
  /**
   * Names this instance's transactional producer. Stable across restarts (a restarted instance
   * fences its predecessor and aborts its open transaction at once) and unique among running
   * instances: the pod name in Kubernetes; set it when running several on one host.
   */
  WORKER_INSTANCE_ID: z.string().min(1).default(hostname()),
  REDIS_URL: z.string().default(''),
  /** How long an event_id is remembered to drop client retries. */
  DEDUP_WINDOW_SECONDS: int(1, 24 * 3600),
  /** Secret salt for medium fields and IP hashes (HMAC-SHA-256). */
  HASH_KEY: z.string().min(16, 'at least 16 characters of secret'),
  /** Secret for tokenizing high fields; rotating it breaks joins on old tokens. */
  TOKEN_KEY: z.string().min(16, 'at least 16 characters of secret'),
  /** Tenants whose transcripts are kept redacted; every other tenant's text is dropped. */
  REDACT_TENANTS: list,
  /** The compacted topic of tenant policies (transcript mode): they override REDACT_TENANTS. */
  TENANTS_TOPIC: z.string().min(1).default('_tenants'),
  /** Directory of .mmdb files (DB-IP or GeoIP2 City); empty: the bundled DB-IP Lite. */
  GEO_DB_DIR: z.string().default(''),
});
export type EnrichConfig = z.infer<typeof EnrichConfig>;

/** How the sink (and replay, which runs one) hands records to ClickHouse. */
export const SinkPathConfig = z.object({
  /**
   * avro: record values go as they are (FORMAT AvroConfluent into the landing tables) and
   * ClickHouse decodes them; json: the sink decodes them and inserts JSON rows.
   */
  SINK_INSERT_FORMAT: z.enum(['avro', 'json']).default('avro'),
  /** The schema registry as ClickHouse reaches it (default: SCHEMA_REGISTRY_URL). */
  CLICKHOUSE_SCHEMA_REGISTRY_URL: z.union([z.url(), z.literal('')]).default(''),
});

/** The registry URL for ClickHouse when the sink sends bytes; undefined when it decodes. */
export function clickhouseRegistryUrl(
  c: z.infer<typeof SinkPathConfig> & { SCHEMA_REGISTRY_URL: string },
): string | undefined {
  if (c.SINK_INSERT_FORMAT === 'json') return undefined;
  return c.CLICKHOUSE_SCHEMA_REGISTRY_URL || c.SCHEMA_REGISTRY_URL;
}

export const SinkConfig = WorkerBase.extend(ClickHouseConfig.shape)
  .extend(SinkPathConfig.shape)
  .extend({
    GROUP_ID: z.string().min(1).default('backbone-sink'),
    /** A partition's batch is inserted at this many rows … */
    BATCH_MAX_ROWS: int(1, 50_000),
    /** … or when its oldest row has waited this long. */
    BATCH_MAX_WAIT_MS: int(10, 250),
    /** Aged batches inserted at once; the others wait for a turn, and grow meanwhile. */
    SINK_INSERT_CONCURRENCY: int(1, 2),
    /** The shortest time between inserts of small aged batches into one table; 0: none. */
    SINK_INSERT_INTERVAL_MS: int(0, 1000),
    PORT: port(9401),
    /**
     * The enrich workers' master keys: the sink reads transcript text they encrypted with its
     * subject's key (docs/privacy.md#erasure). Empty: such a record is refused until set.
     */
    SUBJECT_MASTER_KEYS: z.string().default(''),
    SUBJECT_TOPIC_PREFIX: z.string().default(''),
    /** A session with no event for this long is over and goes into the session summaries. */
    SESSION_IDLE_MINUTES: int(1, 30),
    /** How often the session finalizer looks for hours of ended sessions; 0 turns it off. */
    SESSION_FINALIZE_INTERVAL_MS: int(0, 60_000),
    /** The tenants' policies (retention per privacy class), as enrich follows them. */
    TENANTS_TOPIC: z.string().min(1).default('_tenants'),
    /** How often tenants' retention removes expired rows (docs/privacy.md); 0 turns it off. */
    RETENTION_INTERVAL_MS: int(0, 3_600_000),
  });
export type SinkConfig = z.infer<typeof SinkConfig>;
