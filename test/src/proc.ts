/**
 * What the benches read of a process from /proc (Linux): CPU time, which stays stable on a
 * busy machine, and peak resident memory. And percentiles of a sample.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The process's peak resident set size in MiB (VmHWM), or NaN once it is gone. */
export function peakRssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** CPU µs per event of each process between two readings. */
export class CpuMeter {
  private readonly start: Map<string, number>;

  constructor(private readonly pids: Record<string, number>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  }

  perEvent(events: number): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.pids).map(([name, pid]) => [
        name,
        ((cpuSeconds(pid) - this.start.get(name)!) * 1e6) / events,
      ]),
    );
  }
}

/**
 * CPU seconds by thread name (the kernel's 15-character `comm`, numbers dropped so a pool is
 * one entry: `GC Thread#0` and `GC Thread#1` are `GC Thread#`). Threads that have ended are
 * not counted.
 */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    const name = threadGroup(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(name, (out.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return out;
}

/** A thread's pool: its name without the number that tells the pool's threads apart. */
export const threadGroup = (comm: string) => comm.replace(/\d+$/, '').trim() || comm;

/** CPU µs per event of each thread pool of a process between two readings, most first. */
export class ThreadMeter {
  private readonly start: Map<string, number>;

  constructor(private readonly pid: number) {
    this.start = threadCpuSeconds(pid);
  }

  perEvent(events: number): [string, number][] {
    const out: [string, number][] = [];
    for (const [name, seconds] of threadCpuSeconds(this.pid)) {
      const used = seconds - (this.start.get(name) ?? 0);
      if (used > 0) out.push([name, (used * 1e6) / events]);
    }
    return out.sort((a, b) => b[1] - a[1]);
  }
}

/** The q-quantile of sorted values (NaN when there are none). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
