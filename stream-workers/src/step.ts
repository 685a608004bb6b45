/**
 * What a worker step decides for one record (steps are pure; a runner owns the I/O):
 * pass it on, drop it with a reason (counted), or send it to the dead-letter topic.
 */
export type StepResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'drop'; reason: string }
  | { kind: 'dlq'; reason: string; error?: unknown };

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const drop = <T>(reason: string): StepResult<T> => ({ kind: 'drop', reason });
export const dlq = <T>(reason: string, error?: unknown): StepResult<T> => ({
  kind: 'dlq',
  reason,
  error,
});
