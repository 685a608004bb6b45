import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { commaList, createLogger, kafkaLogCreator, kafkaAuth } from '@backbone/runtime';
import { confluentRegistry } from '@backbone/schemas';
import { ClickHouseConfig, clickhouseClient } from '@backbone/warehouse';
import { GeoLookup } from './enrich/geo.js';
import { eraseCommand, rewrapCommand } from './subjects/cli.js';
import { parseMasterKeys } from './subjects/crypto.js';
import { SubjectStore } from './subjects/store.js';
import { prefixedSubjectTopics, SUBJECT_TOPICS } from './subjects/topics.js';
import { resetOffsets } from './replay/reset-offsets.js';
import { commandConfig, exitCodeOf, ReplayInputError } from './errors.js';
import { resolveFamily } from './replay/plan.js';
import { clickhouseRegistryUrl, SinkPathConfig } from './config.js';
import { runReplay } from './replay/replay.js';
import { migrateCommand } from './migrate.js';

const USAGE = `usage: backbone <command> [options]   (environment: KAFKA_BROKERS, SCHEMA_REGISTRY_URL, CLICKHOUSE_*)

  migrate
      Apply the ClickHouse migrations (as npm run migrate); one that changes what a table
      cannot change in place rebuilds the family's tables from the live raw tables, as
      rebuild-rollups does, while ingestion goes on.
  replay --stream web|stt|consent [--from earliest|<ISO time>|<partition:offset,…>] [--to …]
         [--dry-run] [--force] [--resume | --discard]
      Rebuild the stream's raw table and rollups from events.* into shadow tables, verify them
      against live, and swap them in while ingestion goes on. Transcript text encrypted with
      a person's key needs SUBJECT_MASTER_KEYS (as the sink has it).
  rebuild-rollups --stream web|stt [--force] [--resume | --discard]
      Re-derive the rollups from the live raw tables (view logic changed), same hand-over.
  reenrich --stream web|stt [--from earliest|<ISO time>|<partition:offset,…>] [--force]
      Enrich the live rows again from raw.* (enrichment logic changed; needs HASH_KEY,
      TOKEN_KEY and SUBJECT_MASTER_KEYS of the live enrich worker, and GEO_DB_DIR /
      REDACT_TENANTS as it has them).
  reset-offsets --group <consumer group> --stream web|stt --to earliest|<ISO time> [--dry-run]
      Move a stopped worker group's offsets; refused while the group has members.
  erase --tenant <tenant> (--user-id <id> | --anonymous-id <id>) [--by <who>] [--no-wait]
      Erase a subject everywhere (keys, ClickHouse, caches; docs/privacy.md#erasure): queues
      the request for the enrich workers and follows it to the end, store by store.
  rewrap-subject-keys
      After adding a new master key first in SUBJECT_MASTER_KEYS: wrap every subject key with
      it (the keys stay the same; the topic gets a newer record per key). Needs TOKEN_KEY too.

exit codes: 0 done, 1 failed, 2 bad input, 3 conflict (running or unfinished replay, active
group), 4 live and shadow differ (not swapped; --force to swap anyway)`;

const Env = z.object({
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((s) => s.split(',').map((b) => b.trim())),
  SCHEMA_REGISTRY_URL: z.url(),
  /** The live sink's consumer group (the hand-over takes its position). */
  SINK_GROUP_ID: z.string().min(1).default('backbone-sink'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'),
});

/** reenrich runs today's enrich step: the live worker's secrets and settings. */
const EnrichEnv = z.object({
  HASH_KEY: z.string().min(16, 'at least 16 characters of secret'),
  TOKEN_KEY: z.string().min(16, 'at least 16 characters of secret'),
  SUBJECT_MASTER_KEYS: z.string().min(1, 'at least one master key (id:secret)'),
  GEO_DB_DIR: z.string().default(''),
  REDACT_TENANTS: commaList,
  ENRICH_GROUP_ID: z.string().min(1).default('backbone-enrich'),
});

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (command === 'migrate') {
    await migrateCommand(process.env, (line) => console.log(line));
    return 0;
  }
  if (command === 'erase') return eraseCommand(rest, process.env, (line) => console.log(line));
  if (command === 'rewrap-subject-keys')
    return rewrapCommand(process.env, (line) => console.log(line));
  const { values } = parseArgs({
    args: rest,
    options: {
      stream: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      group: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      resume: { type: 'boolean', default: false },
      discard: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.stream) throw new ReplayInputError('--stream is required (web or stt)');
  resolveFamily(values.stream);
  const config = commandConfig(
    Env.extend(ClickHouseConfig.shape).extend(SinkPathConfig.shape),
    process.env,
  );
  const enrichEnv = command === 'reenrich' ? commandConfig(EnrichEnv, process.env) : undefined;
  const logger = createLogger({ name: 'replay', level: config.LOG_LEVEL });
  const kafka = new Kafka({
    ...kafkaAuth(),
    clientId: 'backbone-replay',
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
  });
  const clickhouse = clickhouseClient(config);
  try {
    if (command === 'reset-offsets') {
      if (!values.group) throw new ReplayInputError('--group is required');
      if (!values.to) throw new ReplayInputError('--to is required (earliest or an ISO time)');
      await resetOffsets(kafka, {
        group: values.group,
        stream: values.stream,
        to: values.to,
        dryRun: values['dry-run'],
        print: (l) => console.log(l),
      });
      return 0;
    }
    if (command !== 'replay' && command !== 'rebuild-rollups' && command !== 'reenrich')
      throw new ReplayInputError(`unknown command "${command}"\n${USAGE}`);
    if (values.resume && values.discard)
      throw new ReplayInputError('--resume and --discard exclude each other');
    if (config.CLICKHOUSE_CLUSTER)
      throw new ReplayInputError(
        `${command} builds shadow tables and swaps them in, which is not done on a cluster (CLICKHOUSE_CLUSTER=${config.CLICKHOUSE_CLUSTER}) yet (warehouse/README.md § On a cluster)`,
      );
    const enrich = enrichEnv ? await enrichSettings(enrichEnv, kafka, logger) : undefined;
    const texts = enrich?.context.subjects ?? (await textKeys(kafka, logger));
    await runReplay(
      {
        kafka,
        registry: confluentRegistry(config.SCHEMA_REGISTRY_URL),
        clickhouse,
        database: config.CLICKHOUSE_DATABASE,
        logger,
        liveGroup: config.SINK_GROUP_ID,
        clickhouseRegistryUrl: clickhouseRegistryUrl(config),
        print: (l) => console.log(l),
        progress: { write: (s) => process.stderr.write(s), interactive: process.stderr.isTTY },
        ...(enrich ? { enrich } : {}),
        ...(texts ? { texts } : {}),
      },
      {
        stream: values.stream,
        mode: command,
        ...(values.from !== undefined ? { from: values.from } : {}),
        ...(values.to !== undefined ? { to: values.to } : {}),
        dryRun: values['dry-run'],
        force: values.force,
        resume: values.resume,
        discard: values.discard,
      },
    );
    return 0;
  } finally {
    for (const stop of stopAfter) await stop().catch(() => undefined);
    await clickhouse.close();
  }
}

/**
 * The subject keys for transcript text encrypted with them, when SUBJECT_MASTER_KEYS is set
 * (the live sink's); without them a replay refuses such records, naming the variable.
 */
async function textKeys(kafka: Kafka, logger: ReturnType<typeof createLogger>) {
  const master = process.env.SUBJECT_MASTER_KEYS;
  if (!master) return undefined;
  const store = new SubjectStore({
    kafka,
    topics: prefixedSubjectTopics(process.env.SUBJECT_TOPIC_PREFIX ?? ''),
    master: parseMasterKeys(master),
    instanceId: 'replay',
    logger,
  });
  await store.start();
  stopAfter.push(() => store.stop());
  return store;
}

/** What main stops before it returns (readers that would keep the process alive). */
const stopAfter: (() => Promise<void>)[] = [];

async function enrichSettings(
  e: z.infer<typeof EnrichEnv>,
  kafka: Kafka,
  logger: ReturnType<typeof createLogger>,
) {
  const geo = await GeoLookup.open(e.GEO_DB_DIR || undefined);
  const redact = new Set(e.REDACT_TENANTS);
  // The live subject keys: re-enriched rows get the tokens the live ones have.
  const subjects = new SubjectStore({
    kafka,
    topics: SUBJECT_TOPICS,
    master: parseMasterKeys(e.SUBJECT_MASTER_KEYS),
    refSecret: e.TOKEN_KEY,
    instanceId: 'reenrich',
    logger,
  });
  await subjects.start();
  stopAfter.push(() => subjects.stop());
  return {
    group: e.ENRICH_GROUP_ID,
    context: {
      keys: { hashKey: e.HASH_KEY, tokenKey: e.TOKEN_KEY },
      subjects,
      geo: (ip: string | null) => geo.lookup(ip),
      textPolicy: (tenant: string) =>
        redact.has(tenant) ? ('redact' as const) : ('drop' as const),
      now: Date.now,
    },
  };
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`backbone: ${(err as Error).message}`);
  process.exitCode = exitCodeOf(err);
}
