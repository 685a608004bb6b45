import { describe, expect, it } from 'vitest';
import { captureLogs } from './log-capture.test-support.js';

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
