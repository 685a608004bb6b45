import { ClickHouseLogLevel, createClient } from '@clickhouse/client';

export interface ClickHouseSettings {
  CLICKHOUSE_URL: string;
  CLICKHOUSE_USER: string;
  CLICKHOUSE_PASSWORD: string;
}

/** A client for the workers: no compression of requests (rows are small), bounded waits. */
export function clickhouseClient(c: ClickHouseSettings, options: { database?: string } = {}) {
  return createClient({
    url: c.CLICKHOUSE_URL,
    username: c.CLICKHOUSE_USER,
    password: c.CLICKHOUSE_PASSWORD,
    request_timeout: 60_000,
    // Failures reach our own pino logs with context; the client's console logger would repeat them.
    log: { level: ClickHouseLogLevel.OFF },
    ...(options.database ? { database: options.database } : {}),
  });
}
