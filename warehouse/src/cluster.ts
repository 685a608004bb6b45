import { DEDUP_WINDOW, ident, literal, type TableNames } from './raw-tables.js';
import { TABLES } from './tables.js';

/**
 * The warehouse on a ClickHouse cluster (`CLICKHOUSE_CLUSTER`): the single-node model, each
 * statement rewritten into its cluster form (warehouse/README.md § On a cluster).
 *
 * - Stream data (raw tables, rollups, sessions) is sharded: a `<table>_local` on every node
 *   with a Replicated engine (`{shard}`/`{replica}` macros), and a `Distributed` table under
 *   the table's own name for reads and writes, sharded by tenant and session, so a session's
 *   events, and the session rows the views make of them, meet on one shard.
 * - Coordination and ledgers (migrations, the sink's in-flight record, replay's hand-over,
 *   erased subjects, audits) are one table replicated to every node, so every node reads them
 *   whole: the landing views' erasure filter reads erased subjects locally.
 * - Materialized views live on every node and read and write the local tables: an insert
 *   through a Distributed table reaches a shard's local table, whose views fill that shard's
 *   rollups. Reads go through the Distributed tables, which merge states across shards.
 * - Every statement runs `ON CLUSTER`; insert deduplication uses the replicated window.
 */

/** What is not stream data: one copy of the whole table on every node. */
const EVERYWHERE: ReadonlySet<string> = new Set([
  TABLES.schemaMigrations,
  TABLES.sinkInflight,
  TABLES.replayHandover,
  TABLES.replayRuns,
  TABLES.subjectErasures,
  TABLES.subjectExportTokens,
  TABLES.subjectRequestLog,
  TABLES.sqlAudit,
  TABLES.adminAudit,
  TABLES.alertNotifications,
  TABLES.webSessionsFinalized,
]);

/** The local table behind a Distributed one. */
export const localTable = (table: string) => `${table}_local`;

/** Where Keeper keeps a replicated table: by UUID (a RENAME or EXCHANGE keeps it valid). */
const SHARD_PATH = "'/clickhouse/tables/{uuid}/{shard}', '{replica}'";
const EVERYWHERE_PATH = "'/clickhouse/tables/{uuid}/all', '{replica}'";

const unquote = (s: string) => s.replace(/^`|`$/g, '').replace(/``/g, '`');

/** The table's name without the database and the replay suffix. */
function baseName(name: string, names: TableNames): string {
  const bare = unquote(name.slice(name.indexOf('.') + 1));
  return names.suffix && bare.endsWith(names.suffix) ? bare.slice(0, -names.suffix.length) : bare;
}

const isLanding = (base: string) => /_landing_[0-9a-f]{8}$/.test(base);

/** `db.t` → `db.t_local`, for a qualified, quoted name. */
const toLocal = (name: string) => name.replace(/`$/, '_local`');

/**
 * How rows are spread: tenant and session where a table has both, else tenant. A landing
 * table spreads its records by the envelope's tenant and session, which hash exactly as the
 * raw table's columns do (tested), so both of the sink's paths put a row on one shard.
 */
function shardingKey(createTable: string, base: string): string {
  const has = (column: RegExp) => column.test(createTable);
  if (isLanding(base)) {
    const tenant = /`([^`]*\.tenant_id)`/.exec(createTable)?.[1];
    const session = /`([^`]*\.session_id)`/.exec(createTable)?.[1];
    if (!tenant || !session)
      throw new Error(`cluster: landing table ${base} has no tenant or session`);
    return `cityHash64(${ident(tenant)}, ${ident(session)})`;
  }
  const tenant = has(/^\s+`?tenant_id`?\s/m);
  const session = has(/^\s+`?session_id`?\s/m);
  if (tenant && session) return 'cityHash64(tenant_id, session_id)';
  if (tenant) return 'cityHash64(tenant_id)';
  throw new Error(
    `cluster: ${base} has no tenant_id to shard by; list it as a table on every node`,
  );
}

const CREATE_TABLE = /^CREATE TABLE IF NOT EXISTS (`[^`]*(?:``[^`]*)*`\.`[^`]*(?:``[^`]*)*`) \(/;
const ENGINE = /\) ENGINE = (\w+)(?:\(([^)]*)\))?/;

function replicated(statement: string, path: string): string {
  return statement
    .replace(ENGINE, (_m, engine: string, args?: string) => {
      if (engine === 'Null') return ') ENGINE = Null';
      if (!engine.endsWith('MergeTree')) throw new Error(`cluster: no replicated ${engine}`);
      return `) ENGINE = Replicated${engine}(${path}${args ? `, ${args}` : ''})`;
    })
    .replace(
      /non_replicated_deduplication_window = \d+/,
      `replicated_deduplication_window = ${DEDUP_WINDOW}`,
    );
}

function createTable(statement: string, name: string, names: TableNames, cluster: string) {
  const on = onCluster(cluster);
  const base = baseName(name, names);
  if (EVERYWHERE.has(base))
    return [replicated(statement.replace(name, `${name}${on}`), EVERYWHERE_PATH)];
  const local = toLocal(name);
  const key = shardingKey(statement, base);
  const table = unquote(local.slice(local.indexOf('.') + 1));
  return [
    replicated(statement.replace(name, `${local}${on}`), SHARD_PATH),
    `CREATE TABLE IF NOT EXISTS ${name}${on} (
  ${distributedColumns(statement).join(',\n  ')}
) ENGINE = Distributed(${literal(cluster)}, ${literal(names.database)}, ${literal(table)}, ${key})`,
  ];
}

/**
 * The Distributed table's columns: the local table's names, types and defaults, without skip
 * indexes and column TTLs, which only MergeTree tables take (`CREATE TABLE … AS` would copy
 * the TTLs and be refused).
 */
function distributedColumns(statement: string): string[] {
  const open = statement.indexOf('(\n');
  const close = statement.indexOf('\n) ENGINE');
  return statement
    .slice(open + 2, close)
    .split(/,\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('INDEX '))
    .map((line) => line.replace(/ TTL .*$/, ''));
}

const MATERIALIZED_VIEW = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\S+)/;
const PLAIN_VIEW = /^CREATE VIEW IF NOT EXISTS (\S+)/;
const ALTER_TABLE = /^ALTER TABLE (\S+) /;
const QUALIFIED = /`[^`]*(?:``[^`]*)*`\.`[^`]*(?:``[^`]*)*`/g;

/**
 * A materialized view on every node, from and to local tables: the view is triggered by the
 * rows a shard receives, and writes that shard's part of the rollup. A view that read another
 * sharded table would see one shard of it, so that is refused rather than generated.
 */
function materializedView(statement: string, name: string, names: TableNames, on: string) {
  const header = statement.replace(name, `${name}${on}`);
  const sharded = new Set<string>();
  const body = header.replace(QUALIFIED, (ref) => {
    if (ref === name || !ref.startsWith(ident(names.database))) return ref;
    const base = baseName(ref, names);
    if (EVERYWHERE.has(base)) return ref;
    sharded.add(ref);
    return toLocal(ref);
  });
  if (sharded.size > 2)
    throw new Error(
      `cluster: ${name} reads ${[...sharded].join(', ')}: a view may read one sharded table and write one`,
    );
  return [body];
}

/**
 * One statement of the single-node model in its cluster form (one or more statements):
 * every one `ON CLUSTER`, tables replicated, stream data sharded behind `Distributed` tables.
 */
export function clusterStatements(statement: string, names: TableNames, cluster: string): string[] {
  const on = onCluster(cluster);
  const table = CREATE_TABLE.exec(statement);
  if (table) return createTable(statement, table[1]!, names, cluster);
  const mv = MATERIALIZED_VIEW.exec(statement);
  if (mv) return materializedView(statement, mv[1]!, names, on);
  const view = PLAIN_VIEW.exec(statement);
  // A plain view reads the Distributed tables: the whole cluster's rows.
  if (view) return [statement.replace(view[1]!, `${view[1]}${on}`)];
  const alter = ALTER_TABLE.exec(statement);
  if (alter) {
    const name = alter[1]!;
    const base = baseName(name, names);
    const local = statement.replace(name, `${toLocal(name)}${on}`);
    const dist = statement.replace(name, `${name}${on}`);
    // The Distributed table's columns follow its local table's, so both are altered.
    return EVERYWHERE.has(base) ? [dist] : [local, dist];
  }
  throw new Error(`cluster: no cluster form for: ${statement.split('\n')[0]}`);
}

/** The model's statements for a deployment: as they are, or in their cluster form. */
export function forDeployment(
  statements: readonly string[],
  names: TableNames,
  cluster?: string,
): string[] {
  return cluster
    ? statements.flatMap((s) => clusterStatements(s, names, cluster))
    : [...statements];
}

/**
 * The table a mutation (a lightweight DELETE, an ALTER … UPDATE) names, from the qualified
 * name readers use: a Distributed table takes no mutation, so on a cluster it is every
 * shard's local table, `ON CLUSTER` (subqueries in the WHERE still read the whole cluster).
 */
export function mutationTarget(name: string, cluster?: string): string {
  if (!cluster) return name;
  const bare = unquote(name.slice(name.lastIndexOf('.`') + 1));
  const local = EVERYWHERE.has(bare) ? name : toLocal(name);
  return `${local}${onCluster(cluster)}`;
}

/** A `system` table as seen from every node of the cluster (`system.<table>` on one server). */
export const systemTable = (table: string, cluster?: string) =>
  cluster ? `clusterAllReplicas(${literal(cluster)}, system.${table})` : `system.${table}`;

/** `ON CLUSTER <name>` where there is one, for statements written by hand (CREATE DATABASE). */
export const onCluster = (cluster?: string) => (cluster ? ` ON CLUSTER ${ident(cluster)}` : '');
