import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';
import { createLogger, kafkaAuth } from '@backbone/runtime';
import {
  ClickHouseConfig,
  clickhouseClient,
  erasureProgress,
  ErasureInputError,
  newErasureRequest,
  noteAccepted,
  requestMessage,
  type ErasureProgress,
} from '@backbone/warehouse';
import { commandConfig, ReplayInputError } from '../errors.js';
import { parseMasterKeys } from './crypto.js';
import { SubjectStore } from './store.js';
import { ensureSubjectTopics, prefixedSubjectTopics } from './topics.js';

const Env = z
  .object({
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .transform((s) => s.split(',').map((b) => b.trim())),
    /** Set when the subject topics carry a prefix (several installations on one cluster). */
    SUBJECT_TOPIC_PREFIX: z.string().default(''),
  })
  .extend(ClickHouseConfig.shape);

const line = (p: ErasureProgress['stores'][number]) =>
  `  ${p.store.padEnd(24)} ${p.state.padEnd(8)} ${p.rows}${p.detail ? ` (${p.detail})` : ''}`;

/**
 * `backbone erase`: queues an erasure request as the API does, then follows its progress in
 * the audit log until it is done (or, with --detach, prints its id and returns).
 */
export async function eraseCommand(
  args: string[],
  source: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: 'string' },
      'user-id': { type: 'string' },
      'anonymous-id': { type: 'string' },
      by: { type: 'string' },
      detach: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let request;
  try {
    request = newErasureRequest({
      tenant: values.tenant ?? '',
      userId: values['user-id'],
      anonymousId: values['anonymous-id'],
      requestedBy: values.by ?? `cli:${userInfo().username}`,
    });
  } catch (err) {
    if (err instanceof ErasureInputError)
      throw new ReplayInputError(
        `${err.message.replace('user_id and anonymous_id', '--user-id and --anonymous-id').replace('tenant:', '--tenant:')}`,
      );
    throw err;
  }
  const config = commandConfig(Env, source);
  const topics = prefixedSubjectTopics(config.SUBJECT_TOPIC_PREFIX);
  const kafka = new Kafka({
    ...kafkaAuth(),
    clientId: 'backbone-erase',
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const clickhouse = clickhouseClient(config);
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await admin.connect();
    await ensureSubjectTopics(admin, topics);
    await noteAccepted(clickhouse, config.CLICKHOUSE_DATABASE, request);
    await producer.connect();
    await producer.send({ topic: topics.requests, acks: -1, messages: [requestMessage(request)] });
    print(`erasure ${request.id} queued (tenant ${request.tenant}, ${request.kind} id)`);
    if (values.detach) return 0;
    const shown = new Set<string>();
    const started = Date.now();
    let warned = false;
    for (;;) {
      const progress = await erasureProgress(
        clickhouse,
        config.CLICKHOUSE_DATABASE,
        request.tenant,
        request.id,
      );
      for (const s of progress?.stores ?? []) {
        const text = line(s);
        if (s.state === 'done' && !shown.has(text)) {
          shown.add(text);
          print(text);
        }
      }
      if (progress?.state === 'done') {
        const rows = progress.stores
          .filter((s) => s.store !== 'keys' && s.store !== 'ledger' && s.store !== 'cache')
          .reduce((n, s) => n + s.rows, 0);
        print(`erasure ${request.id} done: ${rows} rows deleted`);
        return 0;
      }
      if (!warned && progress?.state === 'queued' && Date.now() - started > 30_000) {
        warned = true;
        print('  still queued after 30 s: is an enrich worker running? (it runs erasures)');
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await clickhouse.close();
  }
}

/** `backbone rewrap-subject-keys`: every key wrapped again with the first master key. */
export async function rewrapCommand(
  source: NodeJS.ProcessEnv,
  print: (line: string) => void,
): Promise<number> {
  const config = commandConfig(
    Env.extend({
      SUBJECT_MASTER_KEYS: z.string().min(1, 'at least one master key (id:secret)'),
      TOKEN_KEY: z.string().min(16, 'at least 16 characters of secret'),
    }),
    source,
  );
  const master = parseMasterKeys(config.SUBJECT_MASTER_KEYS);
  const kafka = new Kafka({
    ...kafkaAuth(),
    clientId: 'backbone-rewrap',
    brokers: config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const store = new SubjectStore({
    kafka,
    topics: prefixedSubjectTopics(config.SUBJECT_TOPIC_PREFIX),
    master,
    refSecret: config.TOKEN_KEY,
    instanceId: 'rewrap',
    logger: createLogger({ name: 'rewrap', level: 'warn' }),
  });
  await store.start();
  try {
    const n = await store.rewrap();
    print(
      `${n} subject keys wrapped again with master key ${master.current}; ${store.size.subjects} subjects in all. Once every worker runs with this list, older master keys can go.`,
    );
    return 0;
  } finally {
    await store.stop();
  }
}
