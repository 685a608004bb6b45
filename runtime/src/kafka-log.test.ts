import { describe, expect, it } from 'vitest';
import { kafkaLogCreator } from './kafka-log.js';
import { captureLogs } from './log-capture.test-support.js';

describe('kafkaLogCreator', () => {
  it('writes kafkajs entries as pino lines at the matching level, without kafkajs timestamps', () => {
    const { logger, lines } = captureLogs();
    const log = kafkaLogCreator(logger)(2);
    log({
      namespace: 'Connection',
      level: 1,
      label: 'ERROR',
      log: {
        message: 'Response InitProducerId',
        timestamp: 'x',
        logger: 'kafkajs',
        broker: '127.0.0.1:9092',
      },
    });
    log({
      namespace: 'Consumer',
      level: 4,
      label: 'INFO',
      log: { message: 'Starting', groupId: 'g' },
    });
    const [error, info] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(error).toMatchObject({
      level: 50,
      library: 'kafkajs',
      namespace: 'Connection',
      broker: '127.0.0.1:9092',
      msg: 'Response InitProducerId',
    });
    expect(error).not.toHaveProperty('timestamp');
    expect(info).toMatchObject({ level: 30, groupId: 'g', msg: 'Starting' });
  });
});
