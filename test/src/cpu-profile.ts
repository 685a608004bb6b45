/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the CPU went, by self time, grouped
 * by where the code lives: a package under node_modules, a source file of this repository, or
 * V8's own entries ((garbage collector), (program)). Figures are µs per event.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: `pkg` for node_modules, the repo path for our sources. */
export function codeHome(url: string, functionName: string, root: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = file.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (file.startsWith('node:')) return file;
  return path.relative(root, file);
}

/** Self time per home, in µs, over all profiles in `dir`; idle time left out. */
export function selfTimes(dir: string, root: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Profile;
    const home = new Map(
      profile.nodes.map((n) => [n.id, codeHome(n.callFrame.url, n.callFrame.functionName, root)]),
    );
    profile.samples.forEach((id, i) => {
      const h = home.get(id) ?? '(unknown)';
      if (h === '(idle)') return;
      out.set(h, (out.get(h) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
  }
  return out;
}

/** The top homes as printable lines: µs per event and share of the process's busy time. */
export function profileLines(times: Map<string, number>, events: number, top = 15): string[] {
  const total = [...times.values()].reduce((a, b) => a + b, 0);
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([home, us]) =>
        `    ${(us / events).toFixed(1).padStart(6)} µs/event  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${home}`,
    );
}
