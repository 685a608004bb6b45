import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createLogger, installShutdown, parseConfig } from '@backbone/runtime';
import type { UserProfile } from './access.js';
import { Engine } from './engine.js';
import { buildClickHouseServer } from './server.js';

const Config = z.object({
  CLICKHOUSE_HOST: z.string().default('127.0.0.1'),
  CLICKHOUSE_HTTP_PORT: z.coerce.number().int().min(1).max(65535).default(8123),
  CLICKHOUSE_DATA_DIR: z.string().min(1),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_READER_USER: z.string().min(1).default('reader'),
  CLICKHOUSE_READER_PASSWORD: z.string().min(1),
  CLICKHOUSE_READER_MAX_EXECUTION_TIME: z.coerce.number().int().min(1).default(30),
  CLICKHOUSE_READER_MAX_RESULT_ROWS: z.coerce.number().int().min(0).default(1_000_000),
  CLICKHOUSE_READER_MAX_RESULT_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1 << 30),
  CLICKHOUSE_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  CLICKHOUSE_MAX_QUERY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
  /** The engine's process-wide limit (a server's max_server_memory_usage): a quarter of RAM. */
  CLICKHOUSE_MAX_SERVER_MEMORY_USAGE: z.coerce
    .number()
    .int()
    .min(64 * 1024 * 1024)
    .default(Math.floor(os.totalmem() / 4)),
  /** Per-statement limit (max_memory_usage); default: half the process limit. */
  CLICKHOUSE_MAX_MEMORY_USAGE: z.coerce.number().int().min(0).optional(),
  CLICKHOUSE_MAX_CONCURRENT_QUERIES: z.coerce.number().int().min(1).default(16),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

const config = parseConfig(Config, process.env);
const logger = createLogger({ name: 'clickhouse-local', level: config.LOG_LEVEL });

mkdirSync(config.CLICKHOUSE_DATA_DIR, { recursive: true });
const maxMemoryUsage =
  config.CLICKHOUSE_MAX_MEMORY_USAGE ?? Math.floor(config.CLICKHOUSE_MAX_SERVER_MEMORY_USAGE / 2);
const engine = await Engine.open(config.CLICKHOUSE_DATA_DIR, {
  connectionArgs: [
    `--max_server_memory_usage=${config.CLICKHOUSE_MAX_SERVER_MEMORY_USAGE}`,
    `--max_memory_usage=${maxMemoryUsage}`,
    // As a server: a bare expression is a syntax error, not an implicit SELECT.
    '--implicit_select=0',
  ],
  maxConcurrent: config.CLICKHOUSE_MAX_CONCURRENT_QUERIES,
});

const users: UserProfile[] = [
  { name: 'default', password: config.CLICKHOUSE_PASSWORD, readonly: 0, settings: {} },
  {
    name: config.CLICKHOUSE_READER_USER,
    password: config.CLICKHOUSE_READER_PASSWORD,
    readonly: 1,
    settings: {
      max_execution_time: String(config.CLICKHOUSE_READER_MAX_EXECUTION_TIME),
      max_result_rows: String(config.CLICKHOUSE_READER_MAX_RESULT_ROWS),
      max_result_bytes: String(config.CLICKHOUSE_READER_MAX_RESULT_BYTES),
      result_overflow_mode: 'throw',
    },
    // As deploy/docker's reader.xml: a service may lower the limits for one statement (the
    // SQL endpoint does) and scope it to a tenant with a row filter; never raise them.
    changeableInReadonly: {
      max_execution_time: { min: 1, max: config.CLICKHOUSE_READER_MAX_EXECUTION_TIME },
      max_result_rows: { min: 1, max: config.CLICKHOUSE_READER_MAX_RESULT_ROWS },
      max_result_bytes: { min: 1, max: config.CLICKHOUSE_READER_MAX_RESULT_BYTES },
      additional_table_filters: {},
    },
  },
];

const server = buildClickHouseServer({
  engine,
  users,
  logger,
  maxBodyBytes: config.CLICKHOUSE_MAX_BODY_BYTES,
  maxQueryBytes: config.CLICKHOUSE_MAX_QUERY_BYTES,
  spoolDir: path.join(config.CLICKHOUSE_DATA_DIR, 'http-spool'),
});
server.listen(config.CLICKHOUSE_HTTP_PORT, config.CLICKHOUSE_HOST, () => {
  logger.info(
    {
      host: config.CLICKHOUSE_HOST,
      port: config.CLICKHOUSE_HTTP_PORT,
      engine: engine.version,
      maxServerMemoryUsage: config.CLICKHOUSE_MAX_SERVER_MEMORY_USAGE,
      maxMemoryUsage,
    },
    'ClickHouse HTTP endpoint listening',
  );
});

installShutdown({
  logger,
  steps: [
    {
      name: 'stop accepting requests and finish those in flight',
      run: () => new Promise<void>((resolve) => server.close(() => resolve())),
    },
    { name: 'close the engine', run: () => engine.close() },
  ],
});
