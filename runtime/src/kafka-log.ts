import type { Logger } from 'pino';

/** kafkajs' numeric levels (NOTHING=0, ERROR=1, WARN=2, INFO=4, DEBUG=5). */
type KafkaLogLevel = 0 | 1 | 2 | 4 | 5;

interface KafkaLogEntry {
  namespace: string;
  level: KafkaLogLevel;
  label: string;
  log: { message: string; [key: string]: unknown };
}

/**
 * A kafkajs `logCreator` that writes through pino, so broker client logs are structured
 * like every other line (and redacted the same way). Typed structurally to keep kafkajs
 * out of this package's dependencies.
 */
export function kafkaLogCreator(
  logger: Logger,
): (level: KafkaLogLevel) => (entry: KafkaLogEntry) => void {
  const kafka = logger.child({ library: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = log;
      const line = { ...fields, namespace };
      if (level === 1) kafka.error(line, message);
      else if (level === 2) kafka.warn(line, message);
      else if (level === 4) kafka.info(line, message);
      else if (level === 5) kafka.debug(line, message);
    };
}
