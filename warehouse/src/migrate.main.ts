import { createLogger, parseConfig } from '@backbone/runtime';
import { clickhouseClient } from './client.js';
import { migrate } from './migrate.js';
import { MigrateConfig } from './config.js';

/** `npm run migrate`: applies the ClickHouse model once, as a step of its own, before any worker starts. */
const config = parseConfig(MigrateConfig, process.env);
const logger = createLogger({ name: 'migrate', level: config.LOG_LEVEL });
const client = clickhouseClient(config);
try {
  const result = await migrate({ client, database: config.CLICKHOUSE_DATABASE, logger });
  console.log(
    `database ${config.CLICKHOUSE_DATABASE}: ${result.applied.length} migration(s) applied` +
      (result.applied.length ? ` (${result.applied.join(', ')})` : '') +
      `, ${result.alreadyApplied.length} already applied` +
      (result.columnsAdded.length ? `, columns added: ${result.columnsAdded.join(', ')}` : ''),
  );
} catch (err) {
  logger.error({ err }, 'migration failed; the database is left as the last statement left it');
  process.exitCode = 1;
} finally {
  await client.close();
}
