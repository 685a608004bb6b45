import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import {
  commaList,
  createLogger,
  kafkaLogCreator,
  logLevel as LogLevel,
  parseConfig,
  waitFor,
} from '@backbone/runtime';
import { confluentRegistry } from '@backbone/schemas';
import {
  ClickHouseConfig,
  clickhouseClient,
  migrate,
  type MigrateResult,
} from '@backbone/warehouse';
import { clickhouseRegistryUrl, SinkPathConfig } from './config.js';
import { ReplayConflictError } from './errors.js';
import { RunLedger } from './replay/ledger.js';
import { resolveFamily, type Plan } from './replay/plan.js';
import { catalogTopics } from './topics.js';
import { runReplay, type ReplayEnv } from './replay/replay.js';

/** Kafka is needed only by a migration that rebuilds tables (the live sinks' hand-over). */
const Env = ClickHouseConfig.extend(SinkPathConfig.shape).extend({
  KAFKA_BROKERS: commaList,
  SCHEMA_REGISTRY_URL: z.union([z.url(), z.literal('')]).default(''),
  SINK_GROUP_ID: z.string().min(1).default('backbone-sink'),
  LOG_LEVEL: LogLevel,
});

/**
 * A family rebuilt for a migration: `rebuild-rollups` (today's model as shadow tables, every
 * live raw row copied in, verified, swapped under the live sinks' hold). A rebuild a crash
 * left unfinished is dropped and made again (it may predate today's model), unless it was
 * swapping, which is finished first.
 */
export async function rebuildFamily(
  env: ReplayEnv,
  family: string,
  deps?: Dependencies,
): Promise<void> {
  if (deps) await ready(deps, env, family);
  const unfinished = await new RunLedger<Plan>(env.clickhouse, env.database, family).unfinished();
  if (unfinished && unfinished.detail.mode !== 'rebuild-rollups')
    throw new ReplayConflictError(
      `an unfinished ${unfinished.detail.mode} of ${family} exists (run ${unfinished.runId}, ${unfinished.state}): finish it (npx backbone replay --stream ${family} --resume) or drop it (--discard), then migrate again`,
    );
  if (unfinished)
    await runReplay(env, {
      stream: family,
      ...(unfinished.state === 'swapping' ? { resume: true } : { discard: true }),
    });
  await runReplay(env, { stream: family, mode: 'rebuild-rollups' });
}

/** What a rebuild waits for first: the broker (a client that logs nothing) and the registry. */
export interface Dependencies {
  quiet: Kafka;
  registryUrl: string;
}

/**
 * Waits (up to 2 min) until every partition of the family's events topics has a leader and
 * the registry answers: npm start migrates while both are still starting, and a broker
 * answers before its partitions are loaded.
 */
async function ready(deps: Dependencies, env: ReplayEnv, family: string): Promise<void> {
  const topics = resolveFamily(family).streams.map((s) =>
    (env.topics ?? catalogTopics)('events', s),
  );
  const admin = deps.quiet.admin();
  try {
    await waitFor(
      async () => {
        if (!(await fetch(new URL('subjects', `${deps.registryUrl}/`))).ok) return false;
        await admin.connect();
        for (const topic of topics)
          if ((await admin.fetchTopicOffsets(topic)).some((p) => p.high === '-1')) return false;
        return true;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: `the registry, and leaders for ${topics.join(', ')}`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/** `npm run migrate` / `npx backbone migrate`: the ClickHouse model, once, before any worker. */
export async function migrateCommand(
  environment: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<MigrateResult> {
  const config = parseConfig(Env, environment);
  const logger = createLogger({ name: 'migrate', level: config.LOG_LEVEL });
  const clickhouse = clickhouseClient(config);
  const database = config.CLICKHOUSE_DATABASE;
  try {
    const kafka = { clientId: 'backbone-migrate', brokers: config.KAFKA_BROKERS };
    const cluster = config.CLICKHOUSE_CLUSTER;
    // On a cluster, a rebuild migration is refused (warehouse/README.md § On a cluster).
    const rebuild =
      !cluster && config.KAFKA_BROKERS.length > 0 && config.SCHEMA_REGISTRY_URL
        ? (family: string) =>
            rebuildFamily(
              {
                kafka: new Kafka({
                  ...kafka,
                  logLevel: logLevel.WARN,
                  logCreator: kafkaLogCreator(logger),
                }),
                registry: confluentRegistry(config.SCHEMA_REGISTRY_URL),
                clickhouse,
                database,
                logger,
                liveGroup: config.SINK_GROUP_ID,
                clickhouseRegistryUrl: clickhouseRegistryUrl(config),
                print,
              },
              family,
              {
                quiet: new Kafka({ ...kafka, logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
                registryUrl: config.SCHEMA_REGISTRY_URL,
              },
            )
        : undefined;
    const result = await migrate({
      client: clickhouse,
      database,
      logger,
      ...(cluster ? { cluster } : {}),
      ...(rebuild ? { rebuild } : {}),
    });
    print(
      `database ${database}${cluster ? ` on cluster ${cluster}` : ''}: ${result.applied.length} migration(s) applied` +
        (result.applied.length ? ` (${result.applied.join(', ')})` : '') +
        `, ${result.alreadyApplied.length} already applied` +
        (result.columnsAdded.length ? `, columns added: ${result.columnsAdded.join(', ')}` : ''),
    );
    return result;
  } finally {
    await clickhouse.close();
  }
}
