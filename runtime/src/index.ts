export { parseConfig, commaList, ConfigError, type ConfigIssue } from './config.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
export {
  installShutdown,
  runShutdown,
  type ShutdownStep,
  type ShutdownOptions,
} from './shutdown.js';
export { waitFor, TimeoutError, type WaitForOptions } from './wait-for.js';
export { kafkaLogCreator } from './kafka-log.js';
export { createTopicsReady, type TopicAdmin, type TopicToCreate } from './kafka-topics.js';
