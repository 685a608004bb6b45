import { hostname } from 'node:os';
import { moduleLogger, type Logger } from '@backbone/runtime';
import type { ClickHouseClient } from '@clickhouse/client';
import { onCluster, systemTable } from './cluster.js';
import { isClickHouseCode } from './errors.js';
import { literal, qualified } from './raw-tables.js';
import { TABLES } from './tables.js';

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface LockOptions {
  client: ClickHouseClient;
  database: string;
  logger: Logger;
  cluster?: string | undefined;
  lockWaitMs?: number | undefined;
  staleLockMs?: number | undefined;
}

/**
 * The statement that takes the lock. ClickHouse has no locks, but CREATE TABLE of one name
 * succeeds for exactly one caller. On a cluster, where each node has its own tables, the lock
 * is a replicated table with a fixed Keeper path and replica name: a second CREATE, on any
 * node, is refused with REPLICA_ALREADY_EXISTS.
 */
export function lockDdl(database: string, owner: string, cluster?: string): string {
  const table = qualified({ database, suffix: '' }, TABLES.schemaMigrationsLock);
  const engine = cluster
    ? `ReplicatedMergeTree(${literal(`/clickhouse/backbone/${database}/${TABLES.schemaMigrationsLock}`)}, 'lock') ORDER BY tuple()`
    : 'Memory';
  return `CREATE TABLE ${table} (owner String) ENGINE = ${engine} COMMENT ${literal(owner)}`;
}

/** Releases the lock; on a cluster on whichever node took it (SYNC: its Keeper path too). */
export const unlockDdl = (database: string, cluster?: string) =>
  `DROP TABLE IF EXISTS ${qualified({ database, suffix: '' }, TABLES.schemaMigrationsLock)}${onCluster(cluster)}${cluster ? ' SYNC' : ''}`;

/**
 * Waits for the lock and takes it. A lock older than `staleLockMs` was left by a migrate
 * that died and is taken over; another holder is waited for up to `lockWaitMs`.
 */
export async function acquireLock(options: LockOptions) {
  const { client, database, cluster } = options;
  const logger = moduleLogger(options.logger, 'migrate');
  const owner = `${hostname()}:${process.pid}`;
  const deadline = Date.now() + (options.lockWaitMs ?? 120_000);
  const staleMs = options.staleLockMs ?? 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      await client.command({ query: lockDdl(database, owner, cluster) });
      return {
        owner,
        release: async () => {
          await client.command({ query: unlockDdl(database, cluster) });
        },
      };
    } catch (err) {
      if (
        !isClickHouseCode(err, 'TABLE_ALREADY_EXISTS') &&
        !isClickHouseCode(err, 'REPLICA_ALREADY_EXISTS')
      )
        throw err;
    }
    const held = await (
      await client.query({
        query: `SELECT comment, dateDiff('millisecond', metadata_modification_time, now()) AS age_ms
FROM ${systemTable('tables', cluster)} WHERE database = {db:String} AND name = {lock:String}`,
        query_params: { db: database, lock: TABLES.schemaMigrationsLock },
        format: 'JSONEachRow',
      })
    ).json<{ comment: string; age_ms: number | string }>();
    const age = Number(held[0]?.age_ms ?? 0);
    if (held[0] && age > staleMs) {
      logger.warn(
        { holder: held[0].comment, ageMs: age },
        'taking over a migration lock left by a migrate that did not finish',
      );
      await client.command({ query: unlockDdl(database, cluster) });
      continue;
    }
    if (Date.now() > deadline)
      throw new MigrationError(
        `another migrate (${held[0]?.comment ?? 'unknown'}) holds ${TABLES.schemaMigrationsLock}; if it is no longer running, run ${unlockDdl(database, cluster)} and migrate again`,
      );
    if (!told) {
      logger.info({ holder: held[0]?.comment }, 'another migrate is running; waiting for it');
      told = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
