/**
 * A replay in a child process for the kill -9 tests: runReplay on a test's topics and database,
 * killed with SIGKILL as a chosen phase starts. Config comes as JSON in REPLAY_CHILD.
 */
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, kafkaAuth } from '@backbone/runtime';
import { confluentRegistry, type StreamName, type TopicKind } from '@backbone/schemas';
import { clickhouseClient } from '@backbone/warehouse';
import { runReplay } from '../src/replay/replay.js';

const config = JSON.parse(process.env.REPLAY_CHILD ?? '{}') as {
  topicsId: string;
  database: string;
  liveGroup: string;
  brokers: string[];
  registryUrl: string;
  clickhouse: { url: string; user: string; password: string };
  killAt: string;
  holdTtlMs: number;
};
const kafka = new Kafka({
  ...kafkaAuth(),
  clientId: 'replay-child',
  brokers: config.brokers,
  logLevel: logLevel.NOTHING,
});
await runReplay(
  {
    kafka,
    registry: confluentRegistry(config.registryUrl),
    clickhouseRegistryUrl: process.env.CLICKHOUSE_SCHEMA_REGISTRY_URL || config.registryUrl,
    clickhouse: clickhouseClient({
      CLICKHOUSE_URL: config.clickhouse.url,
      CLICKHOUSE_USER: config.clickhouse.user,
      CLICKHOUSE_PASSWORD: config.clickhouse.password,
    }),
    database: config.database,
    logger: createLogger({ name: 'replay-child', level: 'silent' }),
    liveGroup: config.liveGroup,
    topics: (kind: TopicKind, stream: StreamName) => `${kind}.${stream}.${config.topicsId}`,
  },
  {
    stream: 'web',
    force: true,
    holdTtlMs: config.holdTtlMs,
    onPhase: (phase) => {
      if (phase === config.killAt) process.kill(process.pid, 'SIGKILL');
    },
  },
);
