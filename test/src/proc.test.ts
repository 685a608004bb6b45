import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CpuMeter, peakRssMiB, quantile, threadGroup, ThreadMeter } from './proc.js';

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

  it('groups a pool of threads under one name', () => {
    expect(threadGroup('GC Thread#12')).toBe('GC Thread#');
    expect(threadGroup('libuv-worker')).toBe('libuv-worker');
    expect(threadGroup('C2 CompilerThre')).toBe('C2 CompilerThre');
    expect(threadGroup('1234')).toBe('1234');
  });

  it("charges a busy thread's CPU to its pool", () => {
    const meter = new ThreadMeter(process.pid);
    // Spin until the process has had 150 ms of CPU (this thread nearly all of it), however long
    // a busy machine takes to give it.
    let x = 0;
    const cpuMs = () => process.cpuUsage().user / 1000;
    const start = cpuMs();
    while (cpuMs() - start < 150) x += 1;
    expect(x).toBeGreaterThan(0);
    const main = threadGroup(
      readFileSync(`/proc/${process.pid}/task/${process.pid}/comm`, 'utf8').trim(),
    );
    const [top] = meter.perEvent(1000);
    expect(top?.[0]).toBe(main);
    expect(top![1]).toBeGreaterThan(50); // ≥ 50 ms of the 150 spun, over 1,000 events
  });
});
