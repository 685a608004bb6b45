import { describe, expect, it } from 'vitest';
import { captureLogs } from './log-capture.test-support.js';
import { moduleLogger } from './logger.js';

describe('createLogger', () => {
  it('never writes credentials or payloads to a log line', () => {
    const { logger, lines } = captureLogs('info');
    logger.info(
      {
        req: { headers: { authorization: 'Basic c2VjcmV0', 'x-api-key': 'key-123' } },
        payload: { email: 'jane@example.com' },
        password: 'hunter2',
        offset: 42,
      },
      'handled',
    );
    const line = lines.join('');
    expect(line).not.toContain('c2VjcmV0');
    expect(line).not.toContain('key-123');
    expect(line).not.toContain('jane@example.com');
    expect(line).not.toContain('hunter2');
    expect(JSON.parse(line)).toMatchObject({ service: 'svc', offset: 42, msg: 'handled' });
  });
});

describe('moduleLogger', () => {
  it('names the module on every line, once, keeping a name the caller already chose', () => {
    const { logger, lines } = captureLogs('info');
    moduleLogger(logger, 'sink').info('one');
    moduleLogger(moduleLogger(logger, 'replay'), 'sink').info('two');
    const [one, two] = lines.map((l) => l.trim());
    expect(JSON.parse(one ?? '')).toMatchObject({ service: 'svc', module: 'sink', msg: 'one' });
    expect(JSON.parse(two ?? '')).toMatchObject({ module: 'replay', msg: 'two' });
    expect(two?.match(/"module"/g)).toHaveLength(1);
  });
});
