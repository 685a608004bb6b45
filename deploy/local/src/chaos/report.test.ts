import { describe, expect, it } from 'vitest';
import { formatReport } from './report.js';
import type { ChaosReport } from './run.js';

const report = (over: Partial<ChaosReport> = {}): ChaosReport => ({
  rate: 1000,
  durationMs: 90_000,
  seed: 7,
  dataDir: '/tmp/x',
  sent: { events: 90_000, requests: 900, retried: 40 },
  sdk: {
    ...{ rate: 100, maxQueue: 2000, tracked: 9000, peakQueued: 2000, dropped: 1200 },
    ...{ leftOver: 0, requests: 120, refusedRequests: 30 },
  },
  streams: [
    {
      stream: 'web',
      accepted: 60_000,
      distinct: 60_000,
      rows: 60_000,
      lost: [],
      doubled: [],
      copies: {},
      unacknowledged: 0,
      dlq: 0,
    },
  ],
  rollups: [{ table: 'web_traffic_1m', column: 'events', stored: 60_000, fromRaw: 60_000 }],
  faults: [
    {
      kind: 'enrich-kill',
      at: 20_000,
      holdMs: 2_000,
      healedAt: 22_000,
      recoveryMs: 9_500,
      answers: { 202: 120, 503: 3 },
      peakRss: { gateway: 170, 'enrich-0': 340 },
    },
  ],
  peakRss: { gateway: 171, 'enrich-0': 351 },
  drained: true,
  ok: true,
  ...over,
});

describe('formatReport', () => {
  it('prints each stream, the rollups, each fault and the verdict', () => {
    const text = formatReport(report()).join('\n');
    expect(text).toContain(
      '1,000 events/s offered for 90.0 s, seed 7; 90,000 events sent (1,000/s',
    );
    expect(text).toMatch(/web +60,000 \| +60,000 \| +60,000 \| +0 \| +0 \| 0/);
    expect(text).toContain(
      '1 summed columns of 1 tables against their views over the raw rows; 0 differ',
    );
    expect(text).toContain(
      'kill -9 of one of two enrich workers: held 2.0 s, recovered in 9.5 s; 202×120 503×3; gateway 170, enrich-0 340',
    );
    expect(text).toContain(
      'SDK lane (EventTracker): 100 events/s tracked, 9,000 in all; held at most 2,000 of its cap 2,000; 1,200 dropped by the cap (never accepted); 120 requests, 30 not accepted; 0 held at the end',
    );
    expect(text).toMatch(/OK: 0 lost, 0 doubled/);
  });

  it('names lost and doubled events, where the copies came from, and what differs', () => {
    const text = formatReport(
      report({
        ok: false,
        streams: [
          {
            ...report().streams[0]!,
            rows: 60_001,
            lost: ['id-lost'],
            doubled: [['id-twice', 2]],
            copies: { 'id-twice': ['3:1255', '3:2297'] },
          },
        ],
        rollups: [{ table: 'web_traffic_1m', column: 'events', stored: 60_001, fromRaw: 60_000 }],
        faults: [{ ...report().faults[0]!, recoveryMs: undefined }],
      }),
    ).join('\n');
    expect(text).toContain('lost: id-lost');
    expect(text).toContain('doubled: id-twice×2 (events 3:1255, 3:2297)');
    expect(text).toContain('web_traffic_1m.events: 60,001 stored, 60,000 from the raw rows');
    expect(text).toContain('recovered NEVER');
    expect(text).toContain(
      'FAILED: 1 lost, 1 doubled, 1 rollup columns differ, 1 faults without recovery',
    );
  });
});
