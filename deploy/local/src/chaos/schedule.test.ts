import { describe, expect, it } from 'vitest';
import { FAULTS, holdOf, parseFaults, planFaults } from './schedule.js';

const base = { durationMs: 300_000, seed: 7, outageMs: 60_000, stallMs: 5_000 };

describe('planFaults', () => {
  it('places every fault once, in the run between 10 % and 75 %, the same for a seed', () => {
    const plan = planFaults({ ...base, kinds: FAULTS });
    expect(plan.map((f) => f.kind).sort()).toEqual([...FAULTS].sort());
    for (const f of plan) {
      expect(f.at).toBeGreaterThanOrEqual(30_000);
      expect(f.at).toBeLessThanOrEqual(225_000);
    }
    // Slots in order: each fault after the previous one.
    expect(plan.map((f) => f.at)).toEqual([...plan.map((f) => f.at)].sort((a, b) => a - b));
    expect(planFaults({ ...base, kinds: FAULTS })).toEqual(plan);
    expect(planFaults({ ...base, seed: 8, kinds: FAULTS })).not.toEqual(plan);
  });

  it('holds outages and stalls as asked, and restarts a killed process soon', () => {
    expect(holdOf('clickhouse-down', base)).toBe(60_000);
    expect(holdOf('redis-down', base)).toBe(60_000);
    expect(holdOf('broker-down', base)).toBe(60_000);
    expect(holdOf('sink-stall', base)).toBe(5_000);
    expect(holdOf('enrich-kill', base)).toBe(2_000);
    const plan = planFaults({ ...base, kinds: ['sink-stall', 'redis-down'] });
    expect(Object.fromEntries(plan.map((f) => [f.kind, f.holdMs]))).toEqual({
      'sink-stall': 5_000,
      'redis-down': 60_000,
    });
  });
});

describe('parseFaults', () => {
  it('takes all, or a list of known kinds', () => {
    expect(parseFaults('all')).toEqual([...FAULTS]);
    expect(parseFaults('enrich-kill, sink-stall')).toEqual(['enrich-kill', 'sink-stall']);
    expect(parseFaults('all')).not.toContain('broker-down'); // only when named
    expect(parseFaults('broker-down')).toEqual(['broker-down']);
  });

  it('names what it does not know', () => {
    expect(() => parseFaults('enrich-kill,disk-full')).toThrow(/unknown disk-full/);
  });
});
