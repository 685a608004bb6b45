export {
  TABLES,
  WEB_ROLLUP_TABLES,
  STT_ROLLUP_TABLES,
  SESSION_SUMMARY_TABLES,
  viewOf,
  type TableKey,
  type TableName,
} from './tables.js';
export {
  RAW_TABLES,
  rawTable,
  rowColumns,
  streamColumns,
  toRow,
  clickhouseTime,
  PROVENANCE_COLUMNS,
  type Column,
} from './columns.js';
export { ident, qualified, RETENTION_DAYS, DEDUP_WINDOW, type TableNames } from './raw-tables.js';
export {
  landingTable,
  landingDdl,
  landingShape,
  fitsLanding,
  type LandingShape,
} from './landing.js';
export { LANDING_DIMENSION, mergedSessions, SEGMENT_DIMENSIONS } from './session-summaries.js';
export { SessionFinalizer, type SessionFinalizerOptions } from './session-finalizer.js';
export {
  FAMILIES,
  familyOf,
  familyTables,
  rollupViews,
  shadowSuffix,
  type StreamFamily,
} from './families.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export {
  migrate,
  modelDdl,
  MigrationError,
  type MigrateOptions,
  type MigrateResult,
} from './migrate.js';
export { clickhouseClient, type ClickHouseSettings } from './client.js';
export { ClickHouseConfig } from './config.js';
export { CLICKHOUSE_CODES, isClickHouseCode } from './errors.js';
export { erasureTables, notErased, subjectColumns } from './erasure-tables.js';
export { CONSENT_LATEST, CONSENT_PURPOSES } from './consent.js';
export {
  erasureProgress,
  exportTokens,
  ErasureInputError,
  logVersion,
  newErasureRequest,
  noteAccepted,
  writeLog,
  requestMessage,
  type ErasureProgress,
  type ErasureRequest,
  type ErasureState,
  type SubjectKind,
} from './erasure-log.js';
export {
  RETENTION_BOUNDS,
  RETENTION_CLASSES,
  retentionDeletes,
  type RetentionClass,
  type RetentionDelete,
} from './retention.js';
export {
  clusterStatements,
  forDeployment,
  localTable,
  mutationTarget,
  onCluster,
} from './cluster.js';
