/**
 * `npm start` run by a bench as a user runs it: in a fresh data directory on the default
 * ports, its output read line by line, its processes found by what they run, Ctrl-C at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PORTS, REPO_ROOT } from '@backbone/deploy/local';
import { waitFor } from '@backbone/runtime';

// Redis is the machine's, shared: it stays up before and after.
const { kafka, kafkaController, clickhouse, registry } = DEFAULT_PORTS;
export const PORTS = [kafka, kafkaController, clickhouse, registry, 8080, 4000];

export const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket.destroy() !== undefined));
    socket.once('error', () => resolve(false));
  });

export const portsOpen = async () =>
  (await Promise.all(PORTS.map(async (p) => ((await listening(p)) ? p : 0)))).filter(Boolean);

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Exits with a message when something already listens on a port `npm start` needs. */
export async function refuseTakenPorts(): Promise<void> {
  const taken = await portsOpen();
  if (taken.length === 0) return;
  console.error(`ports ${taken.join(', ')} are in use; stop what runs there first`);
  process.exit(2);
}

export interface NpmStart {
  dataDir: string;
  /** When `npm start` was spawned (ms since the epoch). */
  t0: number;
  pid: number;
  /** The first line printed so far that matches, waiting up to timeoutMs for it. */
  line(re: RegExp, timeoutMs: number): Promise<{ at: number; text: string }>;
  /** The dashboard link and the workers' metrics URLs from the welcome text. */
  welcome(): Promise<{ dashboardUrl: string; metricsUrls: string[] }>;
  /** Ctrl-C to the whole process group; resolves with how it exited. */
  stop(): Promise<string>;
  /** Stops it if still running and removes the data directory. */
  cleanUp(): Promise<void>;
}

export function startNpm(prefix: string, args: string[] = []): NpmStart {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const t0 = Date.now();
  const npm = spawn('npm', ['start', '--', '--data-dir', dataDir, ...args], {
    cwd: REPO_ROOT,
    detached: true, // its own process group, which Ctrl-C in a terminal signals as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: { at: number; text: string }[] = [];
  let tail = '';
  npm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (tail + chunk).split('\n');
    tail = parts.pop() ?? '';
    for (const text of parts) lines.push({ at: Date.now(), text });
  });
  npm.stderr.resume();
  const exited = new Promise<string>((resolve) =>
    npm.once('exit', (code, signal) =>
      resolve(code === null ? `signal ${signal}` : `code ${code}`),
    ),
  );
  const running = () => npm.exitCode === null && npm.signalCode === null;
  const line = (re: RegExp, timeoutMs: number) =>
    waitFor(() => lines.find((l) => re.test(l.text)), {
      timeoutMs,
      intervalMs: 50,
      description: `npm start to print ${re}`,
    });
  const stop = async () => {
    if (running()) process.kill(-npm.pid!, 'SIGINT');
    return exited;
  };
  // Interrupted, the bench's `finally` does not run: stop its `npm start` (its own group) here.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => {
      void stop()
        .then(() => rmSync(dataDir, { recursive: true, force: true }))
        .finally(() => process.exit(130));
    });
  return {
    dataDir,
    t0,
    pid: npm.pid!,
    line,
    stop,
    async welcome() {
      const dashboardUrl = /Dashboard\s+(\S+#token=\S+)/.exec(
        (await line(/^\s+Dashboard\s+http/, 1000)).text,
      )![1]!;
      const workersLine = (await line(/^\s+Workers\s+enrich/, 1000)).text;
      const metricsUrls = [...workersLine.matchAll(/(http:\/\/\S+\/metrics)/g)].map((m) => m[1]!);
      return { dashboardUrl, metricsUrls };
    },
    async cleanUp() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The workers' summed consumer lag, from their Prometheus metrics. */
export async function consumerLag(metricsUrls: string[]): Promise<number> {
  let sum = 0;
  for (const url of metricsUrls) {
    const text = await (await fetch(url)).text();
    for (const m of text.matchAll(/^backbone_consumer_lag\{[^}]*\} (\S+)$/gm)) sum += Number(m[1]);
  }
  return sum;
}

/** Every process below pid (itself included), by reading /proc. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++)
    for (const [child, p] of parent) if (p === out[i]) out.push(child);
  return out;
}

/** CPU seconds (user + system) a process has used, or undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime), in clock ticks of 1/100 s on Linux.
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}
