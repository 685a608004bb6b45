import { describe, expect, it } from 'vitest';
import { ClickHouseException, errorBody, fromEngineError, httpStatusFor } from './errors.js';

describe('ClickHouse error mapping', () => {
  it('keeps the code, type and message of an engine error', () => {
    const err = fromEngineError(
      new Error(
        "Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)",
      ),
    );
    expect(err).toMatchObject({
      code: 60,
      type: 'UNKNOWN_TABLE',
      message: "Unknown table expression identifier 'x'",
    });
    expect(errorBody(err, '26.7.2.1')).toBe(
      "Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
    );
  });

  it('turns anything unexpected into UNKNOWN_EXCEPTION rather than crashing', () => {
    expect(fromEngineError(new TypeError('boom'))).toMatchObject({
      code: 1002,
      type: 'UNKNOWN_EXCEPTION',
    });
    expect(fromEngineError('weird')).toBeInstanceOf(ClickHouseException);
  });

  it.each([
    ['SYNTAX_ERROR', 400],
    ['UNKNOWN_TABLE', 404],
    ['AUTHENTICATION_FAILED', 403],
    ['REQUIRED_PASSWORD', 401],
    ['TIMEOUT_EXCEEDED', 408],
    ['QUERY_IS_TOO_LARGE', 413],
    ['READONLY', 500],
    ['TOO_MANY_ROWS_OR_BYTES', 500],
  ])('answers %s with HTTP %i, as the server does', (type, status) => {
    expect(httpStatusFor(type)).toBe(status);
  });
});
