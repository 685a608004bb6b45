import { execFileSync } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The broker's classes as a class-data-sharing archive (the JDK's dynamic AppCDS, JDK 13+):
 * the first broker a machine starts records the classes it loaded when it exits
 * (`-XX:ArchiveClassesAtExit`), and once the JDK has checked that recording it becomes the
 * archive; every later JVM of the same JDK and classpath maps them
 * instead of loading and verifying them again. On this 2-core machine a fresh broker was
 * ready in 1.6 s instead of 2.7 s, and formatting a new log directory took 0.5 s instead of
 * 1.0 s. An archive the JDK cannot use (another JDK, another classpath) is ignored by the
 * JVM; the name carries both, so a new JDK or Kafka version records its own.
 */
export function classArchiveFlags(cacheDir: string, java: string, classpath: string): string[] {
  const archive = archivePath(cacheDir, java, classpath);
  if (!existsSync(archive)) adoptRecording(archive, java, classpath);
  removeStaleRecordings(archive);
  if (existsSync(archive)) return [`-XX:SharedArchiveFile=${archive}`];
  return [`-XX:ArchiveClassesAtExit=${archive}.${randomBytes(4).toString('hex')}.recording`];
}

/** Flags that use the archive if there is one, for short-lived JVMs (the storage tool). */
export function useClassArchive(cacheDir: string, java: string, classpath: string): string[] {
  const archive = archivePath(cacheDir, java, classpath);
  return existsSync(archive) ? [`-XX:SharedArchiveFile=${archive}`] : [];
}

function archivePath(cacheDir: string, java: string, classpath: string): string {
  const jdk = resolveJava(java);
  const key = createHash('sha256')
    .update(`${classpath}\0${jdk}\0${jdk ? statSync(jdk).mtimeMs : 0}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir, `kafka-classes-${key}.jsa`);
}

/** The java binary's real path (through PATH and symlinks), so a JDK update changes the key. */
function resolveJava(java: string): string {
  const candidates = java.includes('/')
    ? [java]
    : (process.env.PATH ?? '').split(':').map((dir) => path.join(dir, java));
  for (const c of candidates) {
    try {
      return realpathSync(c);
    } catch {
      // not here
    }
  }
  return java;
}

/** The recordings brokers of this archive's JDK and classpath have written. */
function recordings(archive: string): string[] {
  const dir = path.dirname(archive);
  if (!existsSync(dir)) return [];
  const prefix = `${path.basename(archive)}.`;
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.recording'))
    .map((name) => path.join(dir, name));
}

/**
 * A recording a broker wrote when it stopped becomes the archive once the JDK maps it with
 * `-Xshare:on` (which fails on a file cut short by a kill during the dump; a damaged archive
 * given to a broker would abort it, so only a checked one is ever used).
 */
function adoptRecording(archive: string, java: string, classpath: string): void {
  for (const file of recordings(archive)) {
    try {
      // A damaged archive makes the JVM abort: no crash report or core file for that.
      execFileSync(
        java,
        [
          '-XX:ErrorFile=/dev/null',
          '-XX:-CreateCoredumpOnCrash',
          '-Xshare:on',
          `-XX:SharedArchiveFile=${file}`,
          '-cp',
          classpath,
          '-version',
        ],
        { stdio: 'ignore', timeout: 10_000 },
      );
      renameSync(file, archive);
      return;
    } catch {
      // cut short, or still being written: not this one
    }
  }
}

/**
 * Recordings left over (brokers that started before the archive was there, or were killed
 * while writing one) go once they are an hour old: a broker writes its recording in a few
 * seconds when it stops, so one that old is never still being written.
 */
function removeStaleRecordings(archive: string): void {
  for (const file of recordings(archive)) {
    const written = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (Date.now() - written > 3_600_000) rmSync(file, { force: true });
  }
}
