import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Everything a worker exposes on /metrics; one registry per worker so tests can read it. */
export class WorkerMetrics {
  readonly registry = new Registry();

  readonly records = new Counter({
    name: 'backbone_worker_records_total',
    help: 'Records handled, by worker, stream and outcome (written, dropped:<reason>, dlq)',
    labelNames: ['worker', 'stream', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly retentionDeleted = new Counter({
    name: 'backbone_sink_retention_rows_deleted_total',
    help: "Rows removed by tenants' retention, by privacy class",
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly dlq = new Counter({
    name: 'backbone_worker_dlq_total',
    help: 'Records sent to the dead-letter topic, by stream and reason code',
    labelNames: ['worker', 'stream', 'reason'] as const,
    registers: [this.registry],
  });

  readonly dedupHits = new Counter({
    name: 'backbone_enrich_dedup_hits_total',
    help: 'Client retries dropped because their event_id was already seen',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });

  readonly fieldsMasked = new Counter({
    name: 'backbone_enrich_fields_masked_total',
    help: 'Fields hashed (medium), tokenized (high) or dropped (critical)',
    labelNames: ['stream', 'class'] as const,
    registers: [this.registry],
  });

  readonly redactions = new Counter({
    name: 'backbone_enrich_redactions_total',
    help: 'Personal data found and replaced in transcripts and free-text fields',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });

  readonly backstopHits = new Counter({
    name: 'backbone_enrich_backstop_hits_total',
    help: 'Values in which the last scan before encode found personal data, by field (replaced)',
    labelNames: ['stream', 'field'] as const,
    registers: [this.registry],
  });

  readonly sinkInserts = new Counter({
    name: 'backbone_sink_inserts_total',
    help: 'Batches the sink inserted, by stream and path (bytes: ClickHouse decoded the Avro; decoded: the sink did)',
    labelNames: ['stream', 'path'] as const,
    registers: [this.registry],
  });

  readonly lag = new Gauge({
    name: 'backbone_consumer_lag',
    help: 'Records behind the high watermark at the last fetch, per partition',
    labelNames: ['worker', 'topic', 'partition'] as const,
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'backbone_worker_batch_records',
    help: 'Records per fetched partition batch (enrich; batches ready together share a transaction) or per insert (sink)',
    labelNames: ['worker'] as const,
    buckets: [1, 10, 100, 500, 1000, 5000, 10_000, 50_000],
    registers: [this.registry],
  });

  readonly commitSeconds = new Histogram({
    name: 'backbone_worker_commit_seconds',
    help: 'Time to make batches durable: a transaction (enrich; its count is the transactions) or an insert (sink)',
    labelNames: ['worker'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly freshness = new Histogram({
    name: 'backbone_sink_freshness_seconds',
    help: "Per insert: from the oldest row's append to the raw topic (the gateway's 202) until ClickHouse took the insert",
    labelNames: ['stream'] as const,
    buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly insertErrors = new Counter({
    name: 'backbone_sink_insert_errors_total',
    help: 'ClickHouse inserts that failed, by table and kind (transient: retried with backoff; refused: waits for an operator)',
    labelNames: ['table', 'kind'] as const,
    registers: [this.registry],
  });

  readonly replayHolds = new Gauge({
    name: 'backbone_sink_replay_holds',
    help: "Stream families whose writes are held for a replay's hand-over (1 while held)",
    labelNames: ['family'] as const,
    registers: [this.registry],
  });

  readonly pausedPartitions = new Gauge({
    name: 'backbone_sink_paused_partitions',
    help: 'Partitions paused while ClickHouse does not accept inserts',
    registers: [this.registry],
  });

  readonly sessionHours = new Histogram({
    name: 'backbone_sessions_finalize_seconds',
    help: 'Time to finalize one hour of session ends into the session summaries',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly sessionsFinalizedUntil = new Gauge({
    name: 'backbone_sessions_finalized_until_seconds',
    help: 'Unix time up to which ended sessions are in the summaries (the rest are merged live)',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
