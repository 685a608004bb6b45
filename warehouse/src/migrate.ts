import { createHash } from 'node:crypto';
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
import { acquireLock, MigrationError } from './migration-lock.js';

export { MigrationError };
import { forDeployment, localTable, onCluster, systemTable } from './cluster.js';

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
  /** A ClickHouse cluster to make the model on (`CLICKHOUSE_CLUSTER`); unset, one server. */
  cluster?: string;
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

export const checksum = (m: Migration, names: TableNames, cluster?: string) =>
  createHash('sha256')
    .update(forDeployment(m.statements(names), names, cluster).join(';\n'))
    .digest('hex')
    .slice(0, 16);

/** Settings that make the ledger's rows on a cluster visible to the next reader, wherever it is. */
const quorum = (cluster?: string) =>
  cluster ? { clickhouse_settings: { insert_quorum: 'auto' as const } } : {};
const consistent = (cluster?: string) =>
  cluster ? { clickhouse_settings: { select_sequential_consistency: '1' } } : {};

/**
 * Applies what is missing, once, in order, and records it in `schema_migrations`. Safe when
 * several instances start together: ClickHouse has no locks, but CREATE TABLE of one name
 * succeeds for exactly one caller, so a lock table is the mutex; the others wait for it and
 * then find the work done. Afterwards raw tables gain any column a newer schema added.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const { client, database, cluster } = options;
  const logger = moduleLogger(options.logger, 'migrate');
  const names: TableNames = { database, suffix: options.suffix ?? '' };
  const migrations = options.migrations ?? MIGRATIONS;
  const ignoreExists = (err: unknown) => {
    if (!isClickHouseCode(err, 'TABLE_ALREADY_EXISTS')) throw err;
  };
  await client.command({
    query: `CREATE DATABASE IF NOT EXISTS ${ident(database)}${onCluster(cluster)}`,
  });
  const ledger = qualified({ database, suffix: '' }, TABLES.schemaMigrations);
  // On a cluster: one ledger replicated to every node, so migrations are recorded once.
  for (const query of forDeployment([ledgerDdl(ledger)], names, cluster))
    await client.command({ query }).catch(ignoreExists);

  const lock = await acquireLock(options);
  try {
    const done = new Set(
      (
        await (
          await client.query({
            query: `SELECT id FROM ${ledger} FINAL WHERE suffix = {suffix:String}`,
            query_params: { suffix: names.suffix },
            format: 'JSONEachRow',
            ...consistent(cluster),
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
      const rows =
        m.rebuild && !names.suffix ? await familyRows(client, database, m.rebuild, cluster) : 0;
      if (m.rebuild && rows > 0 && rebuilt.has(m.rebuild)) {
        // A rebuild makes today's whole model of the family: a second one would copy the same.
        logger.info({ migration: m.id, family: m.rebuild }, 'rebuilt already by this migrate');
      } else if (m.rebuild && rows > 0) {
        if (cluster)
          throw new MigrationError(
            `migration ${m.id} rebuilds the ${m.rebuild} tables from their ${rows} raw rows, which is not done on a cluster yet: upgrade through the release that brought it on one server, or rebuild the family by replay (warehouse/README.md § On a cluster)`,
          );
        if (!options.rebuild)
          throw new MigrationError(
            `migration ${m.id} rebuilds the ${m.rebuild} tables from their ${rows} raw rows (a change no table can take in place): run it where Kafka is reachable (npm run migrate with KAFKA_BROKERS and SCHEMA_REGISTRY_URL set), so the live sinks hold their writes meanwhile`,
          );
        logger.info({ migration: m.id, family: m.rebuild, rows }, 'rebuilding from raw tables');
        await options.rebuild(m.rebuild, m.id);
        rebuilt.add(m.rebuild);
      } else
        for (const query of forDeployment(m.statements(names), names, cluster)) {
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
            checksum: checksum(m, names, cluster),
            applied_at: clickhouseTime(Date.now()),
            duration_ms: Date.now() - started,
            applied_by: lock.owner,
          },
        ],
        ...quorum(cluster),
      });
      logger.info({ migration: m.id, ms: Date.now() - started }, 'migration applied');
      result.applied.push(m.id);
    }
    result.columnsAdded = await reconcileColumns(client, names, cluster);
    // The sink's landing tables follow today's schemas (after the columns their views fill).
    for (const stream of STREAM_NAMES)
      for (const query of forDeployment(landingDdl(stream, names), names, cluster))
        await client.command({ query });
    return result;
  } finally {
    await lock.release();
  }
}

/**
 * The whole model as `migrate` makes it on an empty database, in order: the ledger, every
 * migration, the landing tables (`npm run migrate -- --print`; the golden files in
 * warehouse/test/ddl are these, for one server and for a cluster).
 */
export function modelDdl(names: TableNames, cluster?: string): string[] {
  const ledger = qualified({ database: names.database, suffix: '' }, TABLES.schemaMigrations);
  return [
    `CREATE DATABASE IF NOT EXISTS ${ident(names.database)}${onCluster(cluster)}`,
    ...forDeployment([ledgerDdl(ledger)], names, cluster),
    ...MIGRATIONS.flatMap((m) => forDeployment(m.statements(names), names, cluster)),
    ...STREAM_NAMES.flatMap((s) => forDeployment(landingDdl(s, names), names, cluster)),
  ];
}

function ledgerDdl(ledger: string): string {
  return `CREATE TABLE IF NOT EXISTS ${ledger} (
  id String, suffix String, description String, checksum String,
  applied_at DateTime64(3, 'UTC'), duration_ms UInt32, applied_by String
) ENGINE = ReplacingMergeTree(applied_at) ORDER BY (suffix, id)`;
}

/** Rows in a family's live raw tables (0 where they do not exist yet), on any node. */
async function familyRows(
  client: ClickHouseClient,
  database: string,
  family: string,
  cluster?: string,
) {
  const f = FAMILIES[family];
  if (!f) throw new MigrationError(`unknown stream family ${family}`);
  const [row] = await (
    await client.query({
      query: `SELECT sum(total_rows) AS n FROM ${systemTable('tables', cluster)}
WHERE database = {db:String} AND name IN {names:Array(String)}`,
      query_params: { db: database, names: cluster ? f.raw.map(localTable) : f.raw },
      format: 'JSONEachRow',
    })
  ).json<{ n: string | number | null }>();
  return Number(row?.n ?? 0);
}

/**
 * Columns a newer schema added, added to the raw tables. On a cluster a column counts as
 * there only where both the Distributed table and its local table have it (an ALTER that
 * stopped half-way is finished; ADD COLUMN IF NOT EXISTS makes the repeat harmless).
 */
async function reconcileColumns(
  client: ClickHouseClient,
  names: TableNames,
  cluster?: string,
): Promise<string[]> {
  const added: string[] = [];
  for (const stream of STREAM_NAMES) {
    const table = rawTable(stream) + names.suffix;
    const tables = cluster ? [table, localTable(table)] : [table];
    const rows = await (
      await client.query({
        query: `SELECT name FROM system.columns WHERE database = {db:String} AND table IN {tables:Array(String)}
GROUP BY name HAVING count() = {n:UInt8}`,
        query_params: { db: names.database, tables, n: tables.length },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    if (rows.length === 0) continue;
    const missing = addMissingColumns(stream, names, new Set(rows.map((r) => r.name)));
    for (const statement of missing) {
      for (const query of forDeployment([statement], names, cluster))
        await client.command({ query });
      added.push(`${table}.${/ADD COLUMN IF NOT EXISTS `([^`]+)`/.exec(statement)?.[1]}`);
    }
  }
  return added;
}
