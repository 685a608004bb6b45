import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { BACKBONE_DIR, downStack, isAlive, upStack, type Endpoints } from '@backbone/deploy/local';
import { endpointsFromEnv } from './external.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Endpoints & { dataDir: string | null };
  }
}

/** Stops and removes test stacks whose test run died without tearing them down. */
async function reapStaleTestStacks(): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(BACKBONE_DIR).filter((e) => e.startsWith('test-'));
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(BACKBONE_DIR, entry);
    let owner = 0;
    try {
      owner = Number(readFileSync(path.join(dir, 'owner.pid'), 'utf8'));
    } catch {
      // no owner recorded: treat as stale
    }
    if (owner && isAlive(owner)) continue;
    await downStack(dir, { purge: true });
  }
}

/**
 * Brings up a private stack (own data directory, free ports) once for all integration
 * tests and tears it down afterwards, or uses an external one when
 * BACKBONE_TEST_STACK=external names it through the usual environment variables.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  if (process.env.BACKBONE_TEST_STACK === 'external') {
    project.provide('stack', { ...endpointsFromEnv(process.env), dataDir: null });
    return () => Promise.resolve();
  }
  await reapStaleTestStacks();
  const dataDir = path.join(BACKBONE_DIR, `test-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'owner.pid'), String(process.pid));
  try {
    const state = await upStack({
      dataDir,
      ports: 'auto',
      redis: process.env.BACKBONE_TEST_REDIS === 'none' ? 'none' : 'auto',
      kafkaHeap: '768m',
    });
    project.provide('stack', { ...state.endpoints, dataDir });
    process.stderr.write(
      `[global-setup] local stack up in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${process.uptime().toFixed(1)} s after the test run started (${dataDir})\n`,
    );
  } catch (err) {
    await downStack(dataDir, { purge: process.env.BACKBONE_KEEP_TEST_STACK !== '1' });
    // A StackError's hint holds the failing component's log tail: show it in the run's output.
    const hint = (err as { hint?: string }).hint;
    throw hint ? new Error(`${(err as Error).message}\n${hint}`, { cause: err }) : err;
  }
  return async () => {
    await downStack(dataDir, { purge: process.env.BACKBONE_KEEP_TEST_STACK !== '1' });
  };
}
