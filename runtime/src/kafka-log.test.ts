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

  it('writes a broker answer that kafkajs retries by itself at debug, and a real failure at error', () => {
    const { logger, lines } = captureLogs('debug');
    const log = kafkaLogCreator(logger)(5);
    const response = (error: string) =>
      log({
        namespace: 'Connection',
        level: 1,
        label: 'ERROR',
        log: { message: 'Response AddPartitionsToTxn(key: 24, version: 1)', error },
      });
    response(
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
    );
    response("The coordinator is loading and hence can't process requests for this group");
    response('The producer has been fenced by a newer producer with the same transactional id');
    log({
      namespace: 'Producer',
      level: 1,
      label: 'ERROR',
      log: {
        message:
          'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      },
    });
    const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
    expect(levels).toEqual([20, 20, 50, 20]);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ retriedByClient: true });
  });

  it('warns of a consumer that kafkajs restarts after a coordinator still loading, and errs on other crashes', () => {
    const { logger, lines } = captureLogs('debug');
    const log = kafkaLogCreator(logger)(5);
    const error = (message: string) =>
      log({ namespace: 'Consumer', level: 1, label: 'ERROR', log: { message, groupId: 'g' } });
    error(
      "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
    );
    error('Restarting the consumer in 300ms');
    error('Crash: KafkaJSNonRetriableError: Topic authorization failed');
    const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
    expect(levels).toEqual([40, 40, 50]);
  });
});
