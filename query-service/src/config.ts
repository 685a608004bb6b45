import { z } from 'zod';

/** Every setting of the query service, from the environment; invalid ones reported at once. */
export const QueryConfig = z
  .object({
    HOST: z.string().default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    /** Reads run as ClickHouse's read-only user (readonly=1 is enforced server-side too). */
    CLICKHOUSE_URL: z.url(),
    CLICKHOUSE_READER_USER: z.string().default('reader'),
    CLICKHOUSE_READER_PASSWORD: z.string().default(''),
    CLICKHOUSE_DATABASE: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only')
      .default('analytics'),
    /** HS256 secret of the tokens (≥ 32 bytes), or … */
    JWT_SECRET: z.string().min(32, 'at least 32 characters').optional(),
    /** … the URL of the identity provider's JWKS (RS256/ES256 tokens). */
    JWKS_URL: z.url().optional(),
    JWT_ISSUER: z.string().optional(),
    /** Query cache shared by instances; empty: in this process only. */
    REDIS_URL: z.string().default(''),
    JWT_AUDIENCE: z.string().optional(),
    /** Longest time range one query may cover. */
    MAX_RANGE_DAYS: z.coerce.number().int().min(1).default(400),
    /** Local mode: GraphQL introspection on. */
    MODE: z.enum(['local', 'production']).default('production'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  })
  .refine((c) => Boolean(c.JWT_SECRET) !== Boolean(c.JWKS_URL), {
    message: 'set exactly one of JWT_SECRET and JWKS_URL',
    path: ['JWT_SECRET'],
  });
export type QueryConfig = z.infer<typeof QueryConfig>;
