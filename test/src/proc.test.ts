import { describe, expect, it } from 'vitest';
import { CpuMeter, peakRssMiB, quantile } from './proc.js';

describe('process readings', () => {
  it('takes quantiles of a sorted sample', () => {
    const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.5)).toBe(101);
    expect(quantile(sorted, 0.99)).toBe(199);
    expect(quantile(sorted, 1)).toBe(200);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('reads CPU time and peak memory of a live process, NaN for a gone one', () => {
    const meter = new CpuMeter({ self: process.pid });
    let x = 0;
    // Well over the 10 ms tick of /proc CPU times.
    const until = Date.now() + 150;
    while (Date.now() < until) x += 1;
    expect(x).toBeGreaterThan(0);
    expect(meter.perEvent(1).self).toBeGreaterThan(0);
    expect(peakRssMiB(process.pid)).toBeGreaterThan(10);
    expect(peakRssMiB(2 ** 22 + 12345)).toBeNaN();
  });
});
