import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnedProcess {
  pid: number;
  logFile: string;
}

/** How processes this one started ended: an exit code or the signal that killed them. */
const exits = new Map<number, { code: number | null; signal: NodeJS.Signals | null }>();

/** Why a process this one started is gone ('killed by SIGKILL', 'exited with code 1'), if known. */
export function exitOf(pid: number): string | undefined {
  const exit = exits.get(pid);
  if (!exit) return undefined;
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * Starts a long-running process in its own process group, detached from the caller, with
 * stdout and stderr appended to a log file. The stack records the pid; `down` stops it.
 */
export function spawnDetached(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
): SpawnedProcess {
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    const pid = child.pid;
    child.once('exit', (code, signal) => exits.set(pid, { code, signal }));
    child.unref();
    return { pid: child.pid, logFile: options.logFile };
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/** True when `pid` runs a command line that mentions `marker` (guards against pid reuse). */
export function isOurs(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return (
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) ||
      readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker)
    );
  } catch {
    return false;
  }
}

/**
 * Stops a process group: SIGTERM, then SIGKILL if it is still there after the grace period.
 * Signalling the group (negative pid) also reaches anything the process started itself.
 */
export async function stopProcess(
  pid: number,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isAlive(pid)) return 'gone';
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

/** The last lines of a log file, to show why a process did not come up. */
export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
