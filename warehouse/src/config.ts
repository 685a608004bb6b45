import { z } from 'zod';

/** Where ClickHouse is, as every process that talks to it reads it from the environment. */
export const ClickHouseConfig = z.object({
  CLICKHOUSE_URL: z.url(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /** The analytics database: raw tables, rollups, the migrations ledger. */
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only')
    .default('analytics'),
  /**
   * A ClickHouse cluster (`remote_servers`) the model is made on: replicated, sharded tables
   * behind Distributed ones, every statement ON CLUSTER (warehouse/README.md § On a cluster).
   * Unset: one server, as the local stack runs.
   */
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'letters, digits, - and _ only')
    .optional(),
});
export type ClickHouseConfig = z.infer<typeof ClickHouseConfig>;
