import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './errors.js';
import { KAFKA_VERSION } from './kafka.js';

/** The repository root (deploy/local/src/stack → four levels up). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const LOCAL_DIR = path.join(REPO_ROOT, 'deploy', 'local');
export const SRC_DIR = path.join(LOCAL_DIR, 'src');
/** Where every stack keeps its data unless told otherwise (git-ignored). */
export const BACKBONE_DIR = path.join(REPO_ROOT, '.backbone');
export const DEFAULT_DATA_DIR = path.join(BACKBONE_DIR, 'local');
export const CACHE_DIR = path.join(BACKBONE_DIR, 'cache');

/** Bumped whenever the data directory's layout changes incompatibly (2: Kafka with SCRAM users). */
export const LAYOUT_VERSION = 2;

function chdbVersion(): string {
  const require = createRequire(path.join(LOCAL_DIR, 'package.json'));
  return (require('chdb/package.json') as { version: string }).version;
}

interface VersionFile {
  layout: number;
  kafka: string;
  chdb: string;
}

/**
 * Refuses a data directory written by an incompatible stack (another layout, or another
 * Kafka or chDB version whose files this one may not read), rather than corrupting it.
 */
export function checkDataDirVersion(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'VERSION.json');
  const current: VersionFile = {
    layout: LAYOUT_VERSION,
    kafka: KAFKA_VERSION,
    chdb: chdbVersion(),
  };
  if (existsSync(file)) {
    let found: Partial<VersionFile>;
    try {
      found = JSON.parse(readFileSync(file, 'utf8')) as Partial<VersionFile>;
    } catch {
      found = {};
    }
    const differs = (Object.keys(current) as (keyof VersionFile)[]).filter(
      (k) => found[k] !== current[k],
    );
    if (differs.length > 0) {
      throw new StackError(
        `The data directory ${dataDir} was made by an incompatible stack (${differs
          .map((k) => `${k} ${String(found[k] ?? '?')}, this stack has ${current[k]}`)
          .join('; ')}).`,
        `Remove it with \`npm run stack -- down --purge\` (its data is lost), or use another one with --data-dir.`,
      );
    }
    return;
  }
  writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
}
