import { spawn } from 'node:child_process';
import path from 'node:path';
import { testStack } from '@backbone/test';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a test script of this folder in a child process (node itself with tsx, not the tsx
 * CLI, which would run it in a grandchild), its config as JSON in one variable. `ended`
 * resolves with how it ended and rejects when it fails or outlives the timeout.
 */
export function startTestChild(script: string, variable: string, config: unknown, what: string) {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(ROOT, 'stream-workers/test', script)],
    { cwd: ROOT, env: { ...process.env, [variable]: JSON.stringify(config) }, stdio: 'pipe' },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: ${stderr}`));
    }, 90_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code) reject(new Error(`the child failed (exit ${code}): ${stderr}`));
      resolve({ code, signal });
    });
  });
  return { ended, stop: () => child.kill('SIGKILL') };
}

/** Where a child finds the test stack: the brokers, the registry, ClickHouse. */
export function stackEndpoints() {
  const stack = testStack();
  return {
    brokers: stack.kafkaBrokers.split(','),
    registryUrl: stack.schemaRegistryUrl,
    clickhouse: {
      url: stack.clickhouseUrl,
      user: stack.clickhouseUser,
      password: stack.clickhousePassword,
    },
  };
}

/** A script of the repository in a process of its own, `env` over this one's. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', path.join(ROOT, script), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `npx backbone …` (src/cli.ts) against the test stack, with `env` on top of the stack's
 * endpoints; resolves with its exit code and what it wrote.
 */
export function runCli(args: string[], env: Record<string, string>) {
  const stack = testStack();
  return runScript('stream-workers/src/cli.ts', args, {
    KAFKA_BROKERS: stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    CLICKHOUSE_URL: stack.clickhouseUrl,
    CLICKHOUSE_USER: stack.clickhouseUser,
    CLICKHOUSE_PASSWORD: stack.clickhousePassword,
    ...env,
  });
}
