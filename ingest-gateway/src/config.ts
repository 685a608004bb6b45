import { z } from 'zod';
import { commaList } from '@backbone/runtime';

const list = commaList;

/** Every setting of the gateway, from the environment; invalid ones are all reported at once. */
export const GatewayConfig = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KAFKA_BROKERS: list.pipe(z.array(z.string()).min(1, 'at least one broker')),
  SCHEMA_REGISTRY_URL: z.url(),
  REDIS_URL: z.string().default(''),
  API_KEYS_FILE: z.string().default(''),
  /** The compacted topic API keys are created, revoked and rotated in (every instance follows it). */
  TENANTS_TOPIC: z.string().min(1).default('_tenants'),
  /** Requests per minute per API key. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1000),
  /**
   * Derives the signing secrets of signed keys made through the admin API (the query service
   * has the same); ≥ 32 characters. Empty: such keys are refused.
   */
  SIGNING_SECRET_KEY: z
    .union([z.literal(''), z.string().min(32, 'at least 32 characters')])
    .default(''),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  MAX_EVENTS_PER_BATCH: z.coerce.number().int().min(1).default(500),
  MAX_JSON_DEPTH: z.coerce.number().int().min(4).default(16),
  MAX_JSON_FIELDS: z.coerce.number().int().min(10).default(20_000),
  MAX_STRING_LENGTH: z.coerce.number().int().min(64).default(65_536),
  MAX_FUTURE_SKEW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  /** How long a request waits for Kafka's acknowledgement before answering 503. */
  PRODUCE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  /** Events waiting for Kafka, at most; past it requests get 503 (back-pressure). */
  MAX_PENDING_EVENTS: z.coerce.number().int().min(1).default(50_000),
  /** What to do without consent (or with GPC/DNT) unless the API key says otherwise. */
  CONSENT_POLICY: z.enum(['anonymize', 'drop']).default('anonymize'),
  /**
   * How long a person's recorded consent gates their events after their last decision
   * (13 months by default, the lifetime regulators commonly give a consent).
   */
  CONSENT_STATE_TTL_DAYS: z.coerce.number().int().min(1).default(395),
  /** Origins allowed to call from browsers; empty: no CORS. */
  CORS_ORIGINS: list,
  /** Proxies whose X-Forwarded-For is believed (IPs or CIDRs); empty: none. */
  TRUSTED_PROXIES: list,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
