import { createLogger } from '@backbone/runtime';
import { migrateCommand } from './migrate.js';

/**
 * `npm run migrate`: applies the ClickHouse model once, as a step of its own, before any
 * worker starts. With KAFKA_BROKERS and SCHEMA_REGISTRY_URL it can also run a migration that
 * rebuilds a family's tables while the live sinks hold their writes.
 */
try {
  await migrateCommand(process.env, (line) => console.log(line));
} catch (err) {
  createLogger({ name: 'migrate' }).error(
    { err },
    'migration failed; the database is left as the last statement left it',
  );
  process.exitCode = 1;
}
