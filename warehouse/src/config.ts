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
});
export type ClickHouseConfig = z.infer<typeof ClickHouseConfig>;
