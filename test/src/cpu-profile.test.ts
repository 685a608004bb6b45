import { describe, expect, it } from 'vitest';
import { codeHome, profileLines } from './cpu-profile.js';

describe('cpu profile homes', () => {
  it('groups frames by package, repository file or V8 entry', () => {
    const root = '/repo';
    expect(codeHome('file:///repo/node_modules/kafkajs/src/x.js', 'f', root)).toBe('kafkajs');
    expect(codeHome('file:///repo/node_modules/@clickhouse/client/dist/a.js', 'f', root)).toBe(
      '@clickhouse/client',
    );
    expect(codeHome('file:///repo/stream-workers/src/sink/frames.ts', 'body', root)).toBe(
      'stream-workers/src/sink/frames.ts',
    );
    expect(codeHome('node:internal/buffer', 'copy', root)).toBe('node:internal/buffer');
    expect(codeHome('', '(garbage collector)', root)).toBe('(garbage collector)');
    expect(codeHome('', 'JSONParse', root)).toBe('(native)');
  });

  it('prints µs per event and the share, largest first', () => {
    const lines = profileLines(
      new Map([
        ['a', 1000],
        ['b', 3000],
      ]),
      100,
    );
    expect(lines[0]).toMatch(/30\.0 µs\/event\s+75\.0 %\s+b$/);
    expect(lines[1]).toMatch(/10\.0 µs\/event\s+25\.0 %\s+a$/);
  });
});
