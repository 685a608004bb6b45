import { Random } from '../simulator/random.js';

/** The faults `npm run chaos` can inject (docs/operations.md § Chaos run). */
export const FAULTS = [
  'enrich-kill',
  'sink-kill-insert',
  'broker-restart',
  'clickhouse-down',
  'redis-down',
  'gateway-restart',
  'registry-restart',
  'sink-stall',
] as const;
/** Faults run only when named: a long broker outage (memory under back-pressure). */
export const EXTRA_FAULTS = ['broker-down'] as const;
export type FaultKind = (typeof FAULTS)[number] | (typeof EXTRA_FAULTS)[number];

export const FAULT_TEXT: Readonly<Record<FaultKind, string>> = {
  'enrich-kill': 'kill -9 of one of two enrich workers',
  'sink-kill-insert': 'kill -9 of the sink during an insert',
  'broker-restart': 'Kafka broker restart (kill -9, started again)',
  'clickhouse-down': 'ClickHouse unreachable (TCP proxy refuses)',
  'redis-down': 'Redis unreachable (TCP proxy refuses)',
  'gateway-restart': 'gateway restart (kill -9, started again)',
  'registry-restart': 'schema registry restart (kill -9, started again)',
  'sink-stall': 'network stall between the sink and ClickHouse',
  'broker-down': 'Kafka broker down (kill -9, started again after the outage)',
};

/** One fault of a run: when it starts (ms after traffic began) and how long it is held. */
export interface PlannedFault {
  kind: FaultKind;
  at: number;
  holdMs: number;
}

export interface ScheduleOptions {
  durationMs: number;
  seed: number;
  kinds: readonly FaultKind[];
  /** How long ClickHouse and Redis stay unreachable. */
  outageMs: number;
  /** How long the sink's network to ClickHouse stalls. */
  stallMs: number;
}

/** How long a fault lasts before it is healed (a killed process is started again). */
export function holdOf(kind: FaultKind, o: Pick<ScheduleOptions, 'outageMs' | 'stallMs'>) {
  if (kind === 'clickhouse-down' || kind === 'redis-down' || kind === 'broker-down')
    return o.outageMs;
  if (kind === 'sink-stall') return o.stallMs;
  return 2_000; // a supervisor notices a dead process and starts it again
}

/**
 * Each fault at a random moment: the kinds in a seeded random order, the run between 10 % and
 * 75 % of its length cut into one slot per fault, each fault somewhere in its slot. Faults
 * may overlap (a long outage runs past its slot); the last quarter is left for recovery.
 * The same seed gives the same schedule.
 */
export function planFaults(o: ScheduleOptions): PlannedFault[] {
  const rng = new Random(o.seed);
  const kinds = [...o.kinds];
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const from = o.durationMs * 0.1;
  const slot = (o.durationMs * 0.65) / Math.max(1, kinds.length);
  return kinds.map((kind, i) => ({
    kind,
    at: Math.round(from + slot * i + rng.next() * slot * 0.8),
    holdMs: holdOf(kind, o),
  }));
}

/** `--faults a,b,c` or `all`, checked against the known kinds. */
export function parseFaults(text: string): FaultKind[] {
  if (text === 'all') return [...FAULTS];
  const kinds = text.split(',').map((s) => s.trim());
  const known: readonly string[] = [...FAULTS, ...EXTRA_FAULTS];
  const unknown = kinds.filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(`--faults: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return kinds as FaultKind[];
}
