import { z } from 'zod';
import { logLevel, port } from '@backbone/runtime';
import { ClickHouseConfig } from '@backbone/warehouse';

/** Every setting of the query service, from the environment; invalid ones reported at once. */
export const QueryConfig = z
  .object({
    HOST: z.string().default('127.0.0.1'),
    PORT: port(4000),
    /** Reads run as ClickHouse's read-only user (readonly=1 is enforced server-side too). */
    CLICKHOUSE_URL: ClickHouseConfig.shape.CLICKHOUSE_URL,
    CLICKHOUSE_READER_USER: z.string().default('reader'),
    CLICKHOUSE_READER_PASSWORD: z.string().default(''),
    CLICKHOUSE_DATABASE: ClickHouseConfig.shape.CLICKHOUSE_DATABASE,
    /** The admin SQL endpoint's audit trail is written as this user (INSERT on sql_audit only). */
    CLICKHOUSE_AUDIT_USER: z.string().default('auditor'),
    CLICKHOUSE_AUDIT_PASSWORD: z.string().default(''),
    /** Limits of one admin SQL statement (within the reader profile's own). */
    SQL_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    SQL_MAX_RESULT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024 * 1024),
    SQL_MAX_EXECUTION_SECONDS: z.coerce.number().int().min(1).max(30).default(20),
    /** HS256 secret of the tokens (≥ 32 bytes), or … */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    /** … the URL of the identity provider's JWKS (RS256/ES256 tokens). */
    JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().optional(),
    /** Query cache shared by instances; empty: in this process only. */
    REDIS_URL: z.string().default(''),
    /**
     * Prefix of this service's cache keys in Redis: one per warehouse, so deployments that
     * share a Redis never answer from each other's data.
     */
    CACHE_NAMESPACE: z
      .string()
      .regex(/^[\w.-]*$/, 'letters, digits, "_", "." and "-" only')
      .default(''),
    JWT_AUDIENCE: z.string().optional(),
    /** Longest time range one query may cover. */
    MAX_RANGE_DAYS: z.coerce.number().int().min(1).default(400),
    /** The built dashboard to serve at / (dashboard/dist); empty: none. */
    DASHBOARD_DIR: z.string().default(''),
    /**
     * Kafka, for subject requests (erasure): they are queued for the enrich workers, which
     * hold the subject keys. Empty: the subject endpoints answer 503.
     */
    KAFKA_BROKERS: z.string().default(''),
    /** Before the subject topics' names, as the workers have it. */
    SUBJECT_TOPIC_PREFIX: z.string().default(''),
    /** The compacted topic the gateways follow for API keys (platform administration). */
    TENANTS_TOPIC: z.string().min(1).default('_tenants'),
    /**
     * Derives each alert's webhook signing secret (≥ 32 characters); empty: no alerts. Keep it
     * like a password: whoever has it can sign as any alert.
     */
    ALERT_SIGNING_KEY: z
      .union([z.literal(''), z.string().min(32, 'at least 32 characters')])
      .default(''),
    /**
     * Derives the signing secrets of signed API keys (the gateways have the same); ≥ 32
     * characters. Empty: keys cannot be made signed through the API.
     */
    SIGNING_SECRET_KEY: z
      .union([z.literal(''), z.string().min(32, 'at least 32 characters')])
      .default(''),
    /** How often every alert is checked against the rollups. */
    ALERT_EVAL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** Allow http:// webhooks (local use); https only otherwise. */
    ALERT_WEBHOOK_ALLOW_HTTP: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Components for the ops page, `name=url,…` (each serves /ready; workers /metrics). */
    COMPONENT_URLS: z.string().default(''),
    /** Local mode: GraphQL introspection on. */
    MODE: z.enum(['local', 'production']).default('production'),
    LOG_LEVEL: logLevel,
  })
  .refine((c) => Boolean(c.JWT_SECRET) !== Boolean(c.JWKS_URL), {
    message: 'set exactly one of JWT_SECRET and JWKS_URL',
    path: ['JWT_SECRET'],
  });
export type QueryConfig = z.infer<typeof QueryConfig>;
