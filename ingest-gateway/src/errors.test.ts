import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { codeForStatus, ErrorCodes, sendError, type ErrorCode } from './errors.js';

describe('the error catalogue', () => {
  it('sends every code with the status the catalogue gives it, and the same body shape', async () => {
    const app = Fastify();
    app.get('/:code', (req, reply) =>
      sendError(reply, (req.params as { code: ErrorCode }).code, 'said so'),
    );
    for (const code of Object.keys(ErrorCodes) as ErrorCode[]) {
      const res = await app.inject({ method: 'GET', url: `/${code}` });
      expect(res.statusCode, code).toBe(ErrorCodes[code]);
      expect(res.json(), code).toEqual({ status: 'error', code, message: 'said so' });
    }
    await app.close();
  });

  it("names a library's client error by its status, and anything else as a validation error", () => {
    expect(codeForStatus(401)).toBe('UNAUTHORIZED');
    expect(codeForStatus(413)).toBe('PAYLOAD_TOO_LARGE');
    expect(codeForStatus(415)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(codeForStatus(429)).toBe('RATE_LIMITED');
    expect(codeForStatus(400)).toBe('VALIDATION_ERROR');
    expect(codeForStatus(418)).toBe('VALIDATION_ERROR');
  });
});
