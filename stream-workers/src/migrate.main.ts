import { createLogger } from '@backbone/runtime';
import { ClickHouseConfig, modelDdl } from '@backbone/warehouse';
import { migrateCommand } from './migrate.js';

/**
 * `npm run migrate`: applies the ClickHouse model once, as a step of its own, before any
 * worker starts. With KAFKA_BROKERS and SCHEMA_REGISTRY_URL it can also run a migration that
 * rebuilds a family's tables while the live sinks hold their writes.
 *
 * `npm run migrate -- --print` prints the statements an empty database would get (for one
 * server, or for CLICKHOUSE_CLUSTER), without connecting: what a DBA reviews first.
 */
try {
  if (process.argv.includes('--print')) {
    const config = ClickHouseConfig.pick({
      CLICKHOUSE_DATABASE: true,
      CLICKHOUSE_CLUSTER: true,
    }).parse(process.env);
    const names = { database: config.CLICKHOUSE_DATABASE, suffix: '' };
    const ddl = modelDdl(names, config.CLICKHOUSE_CLUSTER).map((s) => `${s};\n`);
    process.stdout.on('error', () => undefined); // a reader that stops early (| head)
    process.stdout.write(ddl.join('\n'));
  } else await migrateCommand(process.env, (line) => console.log(line));
} catch (err) {
  createLogger({ name: 'migrate' }).error(
    { err },
    'migration failed; the database is left as the last statement left it',
  );
  process.exitCode = 1;
}
