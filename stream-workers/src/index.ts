export {
  migrate,
  MigrationError,
  type MigrateOptions,
  type MigrateResult,
} from './clickhouse/migrate.js';
export { MIGRATIONS, type Migration } from './clickhouse/migrations.js';
export {
  RAW_TABLES,
  rawTable,
  rowColumns,
  streamColumns,
  clickhouseTime,
} from './clickhouse/columns.js';
export { clickhouseClient } from './clickhouse/client.js';
export { WEB_ROLLUP_TABLES } from './clickhouse/web-rollups.js';
export { STT_ROLLUP_TABLES } from './clickhouse/stt-rollups.js';
export { SessionFinalizer, type SessionFinalizerOptions } from './sessions/session-finalizer.js';
export { SESSION_SUMMARY_TABLES } from './clickhouse/session-summaries.js';
