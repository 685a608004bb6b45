import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where log lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: pino.DestinationStream;
}

/**
 * Paths that must never reach a log line: credentials and event payloads.
 * Services log ids, counts and offsets, never the data itself.
 */
const REDACT = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-clickhouse-key"]',
  'headers.authorization',
  'payload',
  '*.payload',
  'body',
  '*.body',
];

/**
 * A module's logger: its lines carry `module`, so each says which part of a service wrote it.
 * A logger that already names a module (the caller chose a more specific one) is kept.
 */
export function moduleLogger(logger: Logger, module: string): Logger {
  return typeof logger.bindings().module === 'string' ? logger : logger.child({ module });
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
