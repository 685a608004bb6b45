import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classArchiveFlags, useClassArchive } from '../src/stack/class-archive.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'class-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A JVM run to its end with the given flags, as the broker's would be (the real JDK). */
const java = (flags: string[], classpath: string) =>
  spawnSync('java', ['-XX:ErrorFile=/dev/null', ...flags, '-cp', classpath, '-version'], {
    encoding: 'utf8',
  });

describe("the broker's class archive", () => {
  it('is recorded by the first JVM, adopted once the JDK maps it, never when cut short, and leftovers go', () => {
    const cache = path.join(dir, 'cache');
    const classpath = path.join(dir, 'classes');
    mkdirSync(cache);
    mkdirSync(classpath);

    const first = classArchiveFlags(cache, 'java', classpath);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^-XX:ArchiveClassesAtExit=.+\.recording$/);
    expect(useClassArchive(cache, 'java', classpath)).toEqual([]);

    // A recording cut short (a kill during the dump) is not taken: the JDK would abort on it.
    expect(java(first, classpath).status).toBe(0);
    const recording = first[0]!.split('=')[1]!;
    const bytes = readFileSync(recording);
    writeFileSync(recording, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const second = classArchiveFlags(cache, 'java', classpath);
    expect(second[0]).toMatch(/^-XX:ArchiveClassesAtExit=/);
    expect(second[0]).not.toBe(first[0]);

    // A whole one is, and the next JVM maps it.
    expect(java(second, classpath).status).toBe(0);
    const used = classArchiveFlags(cache, 'java', classpath);
    expect(used).toEqual([
      `-XX:SharedArchiveFile=${path.join(cache, path.basename(recording).split('.jsa.')[0]!)}.jsa`,
    ]);
    expect(useClassArchive(cache, 'java', classpath)).toEqual(used);
    const shared = java(['-Xshare:on', ...used], classpath);
    expect(shared.status).toBe(0);
    expect(shared.stderr).toContain('sharing');

    // The cut-short recording stays while it could still be being written, and goes once
    // it is an hour old.
    expect(existsSync(recording)).toBe(true);
    classArchiveFlags(cache, 'java', classpath);
    expect(existsSync(recording)).toBe(true);
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    utimesSync(recording, twoHoursAgo, twoHoursAgo);
    expect(classArchiveFlags(cache, 'java', classpath)).toEqual(used);
    expect(existsSync(recording)).toBe(false);

    // Another classpath (another Kafka version) records its own.
    const other = path.join(dir, 'other-classes');
    mkdirSync(other);
    expect(classArchiveFlags(cache, 'java', other)[0]).toMatch(/^-XX:ArchiveClassesAtExit=/);
  });
});
