import { ClickHouseError } from '@clickhouse/client';

/** ClickHouse error codes (its src/Common/ErrorCodes.cpp) this project acts on, by name. */
export const CLICKHOUSE_CODES = {
  TABLE_ALREADY_EXISTS: '57',
  REPLICA_ALREADY_EXISTS: '253',
} as const;

/** Whether `err` is ClickHouse's answer with the error `name`: by type and code, not message. */
export function isClickHouseCode(err: unknown, name: keyof typeof CLICKHOUSE_CODES): boolean {
  return err instanceof ClickHouseError && err.code === CLICKHOUSE_CODES[name];
}
