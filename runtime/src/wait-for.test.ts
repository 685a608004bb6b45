import { describe, expect, it } from 'vitest';
import { TimeoutError, waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first value the check returns', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : undefined), {
      timeoutMs: 1000,
      intervalMs: 1,
    });
    expect(value).toBe('ready after 3');
  });

  it('treats a throwing check as not ready and reports its last error on timeout', async () => {
    const attempt = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { timeoutMs: 30, intervalMs: 5, description: 'the broker' },
    );
    await expect(attempt).rejects.toThrow(TimeoutError);
    await expect(attempt).rejects.toThrow(/the broker: connection refused/);
  });
});
