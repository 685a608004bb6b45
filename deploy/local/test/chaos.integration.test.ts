import { describe, expect, it } from 'vitest';
import { formatReport } from '../src/chaos/report.js';
import { runChaos } from '../src/chaos/run.js';

/**
 * The short form of `npm run chaos`: 1,000 events/s for 90 s through the real services on a
 * private stack, with three faults at seeded random moments (an enrich worker killed while
 * another holds the group, the sink killed during an insert, ClickHouse unreachable for 20 s).
 * Every event the gateway accepted is in its raw table once, every rollup equals its views
 * over the raw rows, and the pipeline recovers from each fault.
 */
describe('a chaos run under load', () => {
  it('loses nothing and doubles nothing through kill -9 and an outage', async () => {
    const report = await runChaos({
      rate: 1000,
      durationMs: 90_000,
      seed: 7,
      faults: ['enrich-kill', 'sink-kill-insert', 'clickhouse-down'],
      outageMs: 20_000,
      stallMs: 5_000,
      drainMs: 240_000,
      log: () => undefined,
    });
    console.log(formatReport(report).join('\n'));
    // Sessions start at the offered rate; their events follow over minutes (about half of
    // the offered rate on average in a 90-second run).
    expect(report.sent.events).toBeGreaterThan(30_000);
    expect(report.streams.map((s) => s.stream).sort()).toEqual(
      ['consent', 'stt.session', 'stt.speaker', 'stt.transcript', 'web'].sort(),
    );
    for (const s of report.streams) {
      expect({ stream: s.stream, lost: s.lost, doubled: s.doubled }).toEqual({
        stream: s.stream,
        lost: [],
        doubled: [],
      });
      expect(s.distinct).toBeGreaterThanOrEqual(s.accepted);
      expect(s.rows).toBe(s.distinct);
    }
    expect(report.rollups.length).toBeGreaterThan(20);
    expect(report.rollups.filter((r) => r.stored !== r.fromRaw)).toEqual([]);
    expect(report.faults.map((f) => [f.kind, f.recoveryMs !== undefined])).toEqual(
      expect.arrayContaining([
        ['enrich-kill', true],
        ['sink-kill-insert', true],
        ['clickhouse-down', true],
      ]),
    );
    // The SDK lane's events are in the counts above; what it held went out by the end.
    expect(report.sdk.tracked).toBeGreaterThan(5_000);
    expect(report.sdk.peakQueued).toBeLessThanOrEqual(report.sdk.maxQueue);
    expect(report.sdk.leftOver).toBe(0);
    expect(report.drained).toBe(true);
    expect(report.ok).toBe(true);
  }, 600_000);
});
