export {
  parseConfig,
  commaList,
  ConfigError,
  type ConfigIssue,
  LOG_LEVELS,
  logLevel,
  port,
  intAtLeast,
} from './config.js';
export { memoize } from './memo.js';
export { createLogger, moduleLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  installShutdown,
  runShutdown,
  type ShutdownStep,
  type ShutdownOptions,
} from './shutdown.js';
export { waitFor, TimeoutError, type WaitForOptions } from './wait-for.js';
export { kafkaLogCreator } from './kafka-log.js';
export {
  createTopicsReady,
  tenantsTopicSpec,
  type TopicAdmin,
  type TopicToCreate,
} from './kafka-topics.js';
export {
  readiness,
  readyStatusCode,
  healthReport,
  describeChecks,
  DEFAULT_CHECK_TIMEOUT_MS,
  ReadyReportSchema,
  type Check,
  type CheckOutcome,
  type CheckReport,
  type ReadyReport,
  type HealthReport,
} from './health.js';
export { consentStateKey, type SubjectKind } from './consent-state.js';
export { kafkaAuth, type KafkaAuth } from './kafka-auth.js';
export { registerReadinessMetric } from './health-metrics.js';
export { contextFrom, injectContext, linksTo, spanContextFrom, tracer } from './tracing.js';
