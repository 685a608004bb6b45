import { describe, expect, it } from 'vitest';
import { Supervisor, type Watched } from './supervisor.js';

function component(name: string, restart: () => Promise<void>) {
  const state = { alive: true, restarts: 0 };
  const watched: Watched = {
    name,
    alive: () => state.alive,
    why: () => 'killed by SIGKILL; last log line: out of memory',
    restart: async () => {
      state.restarts++;
      await restart();
      state.alive = true;
    },
  };
  return { state, watched };
}

describe('Supervisor', () => {
  it('restarts what died, saying which and why, and leaves the living alone', async () => {
    const lines: string[] = [];
    const a = component('clickhouse', () => Promise.resolve());
    const b = component('kafka', () => Promise.resolve());
    const supervisor = new Supervisor(
      () => [a.watched, b.watched],
      (l) => lines.push(l),
    );
    a.state.alive = false;
    await supervisor.round();
    expect(a.state.restarts).toBe(1);
    expect(b.state.restarts).toBe(0);
    expect(lines[0]).toBe(
      'supervisor: clickhouse died (killed by SIGKILL; last log line: out of memory); restarting it',
    );
    expect(lines[1]).toMatch(/^supervisor: clickhouse is back after \d+\.\d s$/);
    await supervisor.round();
    expect(a.state.restarts).toBe(1);
  });

  it('waits longer after each restart that fails, and says when it tries next', async () => {
    const lines: string[] = [];
    const a = component('registry', () => Promise.reject(new Error('port taken')));
    const supervisor = new Supervisor(
      () => [a.watched],
      (l) => lines.push(l),
    );
    a.state.alive = false;
    await supervisor.round();
    await supervisor.round();
    expect(a.state.restarts).toBe(1);
    expect(lines[1]).toBe('supervisor: registry did not come back (port taken); next try in 2 s');
  });
});
