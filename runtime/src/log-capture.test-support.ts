import { Writable } from 'node:stream';
import { createLogger, type Logger } from './logger.js';

/** A logger whose lines tests can read back (test support; not part of the build). */
export function captureLogs(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: 'svc', level, destination }), lines };
}
