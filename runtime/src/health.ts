import { z } from 'zod';

/**
 * One health kit for every service: the same `Check`, the same per-check time budget and the
 * same JSON answer on /health and /ready, so probes, dashboards and operators read one
 * vocabulary. The answer's shape is in docs/operations.md.
 */

/** What a check found: up or down, and a line for an operator when there is something to say. */
export interface CheckOutcome {
  up: boolean;
  detail?: string;
}

export interface Check {
  name: string;
  /** Resolves true/false or an outcome with a detail; a throw or a timeout counts as down. */
  run: () => Promise<boolean | CheckOutcome> | boolean | CheckOutcome;
  /**
   * Whether the service is ready only while this check is up (default true). An optional
   * dependency (a cache) is reported but does not take the service out of rotation.
   */
  required?: boolean;
  /** How long the check may take before it counts as down (default 1 s). */
  timeoutMs?: number;
}

export interface CheckReport {
  status: 'up' | 'down';
  required: boolean;
  /** How long the check took, in milliseconds. */
  ms: number;
  detail?: string;
}

/** The body of every /ready answer (200 when ready, 503 when not). */
export interface ReadyReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, CheckReport>;
}

/** The body of every /health answer (200 while the process can do its work, 503 when not). */
export interface HealthReport {
  status: 'ok' | 'down';
  detail?: string;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 1000;

async function runCheck(check: Check): Promise<CheckReport> {
  const budget = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ up: false, detail: `no answer within ${budget} ms` }),
      budget,
    );
  });
  let outcome: CheckOutcome;
  try {
    const answer = await Promise.race([Promise.resolve().then(check.run), timeout]);
    outcome = typeof answer === 'boolean' ? { up: answer } : answer;
  } catch (err) {
    // The error's message, not its stack: a dependency's answer, never payloads.
    outcome = { up: false, detail: err instanceof Error ? err.message.slice(0, 200) : 'failed' };
  } finally {
    clearTimeout(timer);
  }
  return {
    status: outcome.up ? 'up' : 'down',
    required: check.required ?? true,
    ms: Math.round(performance.now() - started),
    ...(outcome.detail ? { detail: outcome.detail } : {}),
  };
}

/** Runs every check at once, each within its budget; ready when every required one is up. */
export async function readiness(checks: readonly Check[]): Promise<ReadyReport> {
  const reports = await Promise.all(checks.map(runCheck));
  const ready = reports.every((r) => r.status === 'up' || !r.required);
  return {
    status: ready ? 'ready' : 'not_ready',
    checks: Object.fromEntries(checks.map((c, i) => [c.name, reports[i]!])),
  };
}

export const readyStatusCode = (report: ReadyReport) => (report.status === 'ready' ? 200 : 503);

export const healthReport = (live = true, detail?: string): HealthReport => ({
  status: live ? 'ok' : 'down',
  ...(detail ? { detail } : {}),
});

/** One line per check for people (the ops page, logs): `kafka: up, clickhouse: down (…)`. */
export function describeChecks(report: Pick<ReadyReport, 'checks'>): string {
  return Object.entries(report.checks)
    .map(([name, c]) => `${name}: ${c.status}${c.detail ? ` (${c.detail})` : ''}`)
    .join(', ');
}

/** The /ready body as a schema: what every service answers, checked by each one's tests. */
export const ReadyReportSchema = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(
    z.string(),
    z.strictObject({
      status: z.enum(['up', 'down']),
      required: z.boolean(),
      ms: z.number().int().nonnegative(),
      detail: z.string().optional(),
    }),
  ),
});
