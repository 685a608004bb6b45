import type { Logger } from '@backbone/runtime';
import type { StreamName } from '@backbone/schemas';
import type { WorkerMetrics } from '../metrics.js';
import type { EnrichReport } from './enrich.step.js';

/**
 * A batch's outcomes, counted into the metrics once per batch when its transaction has
 * committed: a labelled metric update per record costs more than the step itself.
 */
export interface Tally {
  outcomes: Map<string, number>;
  masked: { medium: number; high: number; critical: number };
  redactions: number;
  /** Fields where the last scan replaced personal data, with how often. */
  backstop: Map<string, number>;
  count(outcome: string): void;
  /** A record written, with what its step masked. */
  written(report: EnrichReport): void;
}

export function newTally(): Tally {
  return {
    outcomes: new Map<string, number>(),
    masked: { medium: 0, high: 0, critical: 0 },
    redactions: 0,
    backstop: new Map<string, number>(),
    count(outcome: string) {
      this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    },
    written(report: EnrichReport) {
      for (const field of report.backstop)
        this.backstop.set(field, (this.backstop.get(field) ?? 0) + 1);
      this.masked.medium += report.masked.medium;
      this.masked.high += report.masked.high;
      this.masked.critical += report.masked.critical;
      this.redactions += report.redactions;
      this.count('written');
    },
  };
}

/** A committed batch's tally into the metrics; personal data met by the backstop is logged. */
export function countTally(
  tally: Tally,
  stream: StreamName,
  metrics: WorkerMetrics,
  logger: Logger,
): void {
  for (const [outcome, n] of tally.outcomes)
    metrics.records.inc({ worker: 'enrich', stream, outcome }, n);
  for (const [cls, n] of Object.entries(tally.masked))
    if (n) metrics.fieldsMasked.inc({ stream, class: cls }, n);
  if (tally.redactions) metrics.redactions.inc({ stream }, tally.redactions);
  if (tally.backstop.size > 0) {
    for (const [field, n] of tally.backstop) metrics.backstopHits.inc({ stream, field }, n);
    logger
      .child({ part: 'backstop' })
      .warn(
        { stream, fields: Object.fromEntries(tally.backstop) },
        'personal data found in fields that cannot hold it; written as tokens. Fix the sender',
      );
  }
}
