import { describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { isRetriable, ProduceError, SerdeError } from '@backbone/schemas';
import {
  exitCodeOf,
  ReplayConflictError,
  ReplayInputError,
  ReplayMismatchError,
  WorkerError,
} from './errors.js';

describe('the workers error catalogue', () => {
  it('gives each error its code, retriability and the exit code the CLI ends with', () => {
    const verification = { ok: false, tables: [] } as never;
    const cases: [WorkerError, string, boolean, number][] = [
      [new ReplayInputError('--stream is required'), 'REPLAY_INPUT', false, 2],
      [new ReplayConflictError('another replay runs'), 'REPLAY_CONFLICT', true, 3],
      [new ReplayMismatchError('shadow differs', verification), 'REPLAY_MISMATCH', false, 4],
    ];
    for (const [err, code, retriable, exit] of cases) {
      expect(err).toBeInstanceOf(WorkerError);
      expect([err.code, err.retriable, err.exitCode, exitCodeOf(err)]).toEqual([
        code,
        retriable,
        exit,
        exit,
      ]);
      expect(err.name).toBe(err.constructor.name);
    }
  });

  it('ends with 2 for a usage error, 1 for anything else', () => {
    const usage = Object.assign(new TypeError('Unknown option --x'), {
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
    expect(exitCodeOf(usage)).toBe(2);
    expect(exitCodeOf(new Error('boom'))).toBe(1);
    expect(exitCodeOf(undefined)).toBe(1);
  });

  it('decides retriability by type: an unreachable registry yes, bad bytes no, others not at all', () => {
    expect(isRetriable(new SerdeError('registry down', { retriable: true }))).toBe(true);
    expect(isRetriable(new SerdeError('bad bytes'))).toBe(false);
    expect(isRetriable(new ProduceError('not acknowledged'))).toBe(true);
    // Something that only looks retriable is not one of the catalogue's errors.
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(false);
    expect(
      isRetriable(new ClickHouseError({ message: 'x', code: '999', type: 'KEEPER_EXCEPTION' })),
    ).toBe(false);
    expect(new SerdeError('registry down', { retriable: true }).code).toBe('REGISTRY_UNREACHABLE');
    expect(new SerdeError('bad bytes').code).toBe('SERDE_UNREADABLE');
  });
});
