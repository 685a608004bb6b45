import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import SpreadSequencer from './test/src/sequencer.js';

/**
 * Workspaces export their TypeScript sources under the "source" condition (tsx honours it
 * through --conditions=source). For vitest, the same exports become aliases, read from each
 * workspace's package.json so there is one list of entry points.
 */
function workspaceSourceAliases(): { find: RegExp; replacement: string }[] {
  const root = import.meta.dirname;
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    workspaces: string[];
  };
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const workspace of manifest.workspaces) {
    const pkg = JSON.parse(readFileSync(path.join(root, workspace, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, { source?: string }>;
    };
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (!target.source) continue;
      // Exact matches: a prefix match would send '@backbone/x/sub' to '@backbone/x'.
      const specifier = path.posix.join(pkg.name, subpath).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      aliases.push({
        find: new RegExp(`^${specifier}$`),
        replacement: path.join(root, workspace, target.source),
      });
    }
  }
  return aliases;
}

export default defineConfig({
  resolve: { alias: workspaceSourceAliases() },
  test: {
    reporters: ['default', './test/src/summary-reporter.ts'],
    // The tests that run a backbone of their own processes, spread through the run.
    sequence: { sequencer: SpreadSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // Unit tests first: fast feedback before the stack-backed suite.
          sequence: { groupOrder: 0 },
          include: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['**/*.integration.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          globalSetup: ['./test/src/global-setup.ts'],
          setupFiles: ['./test/src/stack-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: two test files at a time against one shared stack.
          maxWorkers: 2,
        },
      },
    ],
  },
});
