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
 * Broker answers that the client retries by itself, as the Java client does without a word:
 * a transaction begun while the coordinator still writes the previous one's markers
 * (CONCURRENT_TRANSACTIONS), a coordinator or leader that is loading or moving. kafkajs logs
 * each at error level before it retries (the answer, then 'Failed to send messages'); they
 * are written at debug, and a retry that finally fails still surfaces as the caller's error.
 */
const RETRIED_BY_CLIENT = new Set([
  'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
  "The coordinator is loading and hence can't process requests for this group",
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
  'This server is not the leader for that topic-partition',
]);

/** A request's error answer ('Response …') or a send about to be retried ('Failed to send messages: …'). */
function retriedByClient(message: string, error: unknown): boolean {
  const said =
    typeof error === 'string' ? error : message.replace(/^Failed to send messages: /, '');
  return (
    (message.startsWith('Response ') || message.startsWith('Failed to send messages: ')) &&
    RETRIED_BY_CLIENT.has(said)
  );
}

/**
 * A consumer that crashed on one of those answers and that kafkajs restarts by itself (the
 * group coordinator still loading `__consumer_offsets` right after a broker starts): not an
 * error, but worth a warning, as is the restart that follows any crash.
 */
function consumerRecovers(message: string): boolean {
  const crash = /^Crash: \w+: (.*)$/.exec(message);
  return crash
    ? RETRIED_BY_CLIENT.has(crash[1]!)
    : message.startsWith('Restarting the consumer in ');
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
      if (level === 1 && retriedByClient(message, fields.error))
        kafka.debug({ ...line, retriedByClient: true }, message);
      else if (level === 1 && consumerRecovers(message)) kafka.warn(line, message);
      else if (level === 1) kafka.error(line, message);
      else if (level === 2) kafka.warn(line, message);
      else if (level === 4) kafka.info(line, message);
      else if (level === 5) kafka.debug(line, message);
    };
}
