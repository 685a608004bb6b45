import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClickHouseClient } from '@clickhouse/client';
import { moduleLogger, type Logger } from '@backbone/runtime';
import { STREAM_NAMES } from '@backbone/schemas';
import { clickhouseTime, rawTable } from './columns.js';
import { FAMILIES } from './families.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import { landingDdl } from './landing.js';
import { addMissingColumns, ident, qualified, type TableNames } from './raw-tables.js';
import { TABLES } from './tables.js';
import { isClickHouseCode } from './errors.js';

export class MigrationError extends Error {
  readonly code = 'MIGRATION_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrateOptions {
  client: ClickHouseClient;
  database: string;
  /** Shadow tables for replay: every table and view name gets this suffix. */
  suffix?: string;
  logger: Logger;
  /** How long to wait for another migrate to finish. */
  lockWaitMs?: number;
  /** A lock older than this was left by a migrate that died; it is taken over. */
  staleLockMs?: number;
  migrations?: readonly Migration[];
  /**
   * Rebuilds a stream family's tables from its live raw tables with today's model while the
   * live sinks hold their writes (stream-workers' `rebuild-rollups`). Without it, a rebuild
   * migration on a database with rows is refused.
   */
  rebuild?: (family: string, migration: string) => Promise<void>;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  columnsAdded: string[];
}

export const checksum = (m: Migration, names: TableNames) =>
  createHash('sha256').update(m.statements(names).join(';\n')).digest('hex').slice(0, 16);

/**
 * Applies what is missing, once, in order, and records it in `schema_migrations`. Safe when
 * several instances start together: ClickHouse has no locks, but CREATE TABLE of one name
 * succeeds for exactly one caller, so a lock table is the mutex; the others wait for it and
 * then find the work done. Afterwards raw tables gain any column a newer schema added.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { client, database } = options;
  const logger = moduleLogger(options.logger, 'migrate');
  const names: TableNames = { database, suffix: options.suffix ?? '' };
  const migrations = options.migrations ?? MIGRATIONS;
  const ignoreExists = (err: unknown) => {
    if (!isClickHouseCode(err, 'TABLE_ALREADY_EXISTS')) throw err;
  };
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(database)}` });
  const ledger = qualified({ database, suffix: '' }, TABLES.schemaMigrations);
  await client
    .command({
      query: `CREATE TABLE IF NOT EXISTS ${ledger} (
  id String, suffix String, description String, checksum String,
  applied_at DateTime64(3, 'UTC'), duration_ms UInt32, applied_by String
) ENGINE = ReplacingMergeTree(applied_at) ORDER BY (suffix, id)`,
    })
    .catch(ignoreExists);

  const lock = await acquireLock(options, names);
  try {
    const done = new Set(
      (
        await (
          await client.query({
            query: `SELECT id FROM ${ledger} FINAL WHERE suffix = {suffix:String}`,
            query_params: { suffix: names.suffix },
            format: 'JSONEachRow',
          })
        ).json<{ id: string }>()
      ).map((r) => r.id),
    );
    const result: MigrateResult = { applied: [], alreadyApplied: [], columnsAdded: [] };
    const rebuilt = new Set<string>();
    for (const m of migrations) {
      if (done.has(m.id)) {
        result.alreadyApplied.push(m.id);
        continue;
      }
      const started = Date.now();
      const rows = m.rebuild && !names.suffix ? await familyRows(client, database, m.rebuild) : 0;
      if (m.rebuild && rows > 0 && rebuilt.has(m.rebuild)) {
        // A rebuild makes today's whole model of the family: a second one would copy the same.
        logger.info({ migration: m.id, family: m.rebuild }, 'rebuilt already by this migrate');
      } else if (m.rebuild && rows > 0) {
        if (!options.rebuild)
          throw new MigrationError(
            `migration ${m.id} rebuilds the ${m.rebuild} tables from their ${rows} raw rows (a change no table can take in place): run it where Kafka is reachable (npm run migrate with KAFKA_BROKERS and SCHEMA_REGISTRY_URL set), so the live sinks hold their writes meanwhile`,
          );
        logger.info({ migration: m.id, family: m.rebuild, rows }, 'rebuilding from raw tables');
        await options.rebuild(m.rebuild, m.id);
        rebuilt.add(m.rebuild);
      } else
        for (const query of m.statements(names)) {
          try {
            await client.command({ query });
          } catch (err) {
            throw new MigrationError(`migration ${m.id} failed: ${(err as Error).message}`, {
              cause: err,
            });
          }
        }
      await client.insert({
        table: ledger,
        format: 'JSONEachRow',
        values: [
          {
            id: m.id,
            suffix: names.suffix,
            description: m.description,
            checksum: checksum(m, names),
            applied_at: clickhouseTime(Date.now()),
            duration_ms: Date.now() - started,
            applied_by: lock.owner,
          },
        ],
      });
      logger.info({ migration: m.id, ms: Date.now() - started }, 'migration applied');
      result.applied.push(m.id);
    }
    result.columnsAdded = await reconcileColumns(client, names);
    // The sink's landing tables follow today's schemas (after the columns their views fill).
    for (const stream of STREAM_NAMES)
      for (const query of landingDdl(stream, names)) await client.command({ query });
    return result;
  } finally {
    await lock.release();
  }
}

/** Rows in a family's live raw tables (0 where they do not exist yet). */
async function familyRows(client: ClickHouseClient, database: string, family: string) {
  const f = FAMILIES[family];
  if (!f) throw new MigrationError(`unknown stream family ${family}`);
  const [row] = await (
    await client.query({
      query: `SELECT sum(total_rows) AS n FROM system.tables
WHERE database = {db:String} AND name IN {names:Array(String)}`,
      query_params: { db: database, names: f.raw },
      format: 'JSONEachRow',
    })
  ).json<{ n: string | number | null }>();
  return Number(row?.n ?? 0);
}

async function reconcileColumns(client: ClickHouseClient, names: TableNames): Promise<string[]> {
  const added: string[] = [];
  for (const stream of STREAM_NAMES) {
    const table = rawTable(stream) + names.suffix;
    const rows = await (
      await client.query({
        query:
          'SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String}',
        query_params: { db: names.database, table },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    if (rows.length === 0) continue;
    for (const query of addMissingColumns(stream, names, new Set(rows.map((r) => r.name)))) {
      await client.command({ query });
      added.push(`${table}.${/ADD COLUMN IF NOT EXISTS `([^`]+)`/.exec(query)?.[1]}`);
    }
  }
  return added;
}

async function acquireLock(options: MigrateOptions, names: TableNames) {
  const { client } = options;
  const logger = moduleLogger(options.logger, 'migrate');
  const lockTable = qualified(
    { database: names.database, suffix: '' },
    TABLES.schemaMigrationsLock,
  );
  const owner = `${hostname()}:${process.pid}`;
  const deadline = Date.now() + (options.lockWaitMs ?? 120_000);
  const staleMs = options.staleLockMs ?? 15 * 60_000;
  let told = false;
  for (;;) {
    try {
      await client.command({
        query: `CREATE TABLE ${lockTable} (owner String) ENGINE = Memory COMMENT ${quote(owner)}`,
      });
      return {
        owner,
        release: async () => {
          await client.command({ query: `DROP TABLE IF EXISTS ${lockTable}` });
        },
      };
    } catch (err) {
      if (!isClickHouseCode(err, 'TABLE_ALREADY_EXISTS')) throw err;
    }
    const held = await (
      await client.query({
        query: `SELECT comment, dateDiff('millisecond', metadata_modification_time, now()) AS age_ms
FROM system.tables WHERE database = {db:String} AND name = {lock:String}`,
        query_params: { db: names.database, lock: TABLES.schemaMigrationsLock },
        format: 'JSONEachRow',
      })
    ).json<{ comment: string; age_ms: number | string }>();
    const age = Number(held[0]?.age_ms ?? 0);
    if (held[0] && age > staleMs) {
      logger.warn(
        { holder: held[0].comment, ageMs: age },
        'taking over a migration lock left by a migrate that did not finish',
      );
      await client.command({ query: `DROP TABLE IF EXISTS ${lockTable}` });
      continue;
    }
    if (Date.now() > deadline)
      throw new MigrationError(
        `another migrate (${held[0]?.comment ?? 'unknown'}) holds ${lockTable}; if it is no longer running, drop that table and run migrate again`,
      );
    if (!told) {
      logger.info({ holder: held[0]?.comment }, 'another migrate is running; waiting for it');
      told = true;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
