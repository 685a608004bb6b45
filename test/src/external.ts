import { readFileSync } from 'node:fs';
import type { Endpoints } from '@backbone/deploy/local';

/** Endpoints of an external stack, from the same variables the services read. */
export function endpointsFromEnv(env: NodeJS.ProcessEnv): Endpoints {
  const missing = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'CLICKHOUSE_URL'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(`BACKBONE_TEST_STACK=external needs ${missing.join(', ')} in the environment`);
  }
  return {
    kafkaBrokers: env.KAFKA_BROKERS as string,
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL as string,
    clickhouseUrl: env.CLICKHOUSE_URL as string,
    clickhouseUser: env.CLICKHOUSE_USER ?? 'default',
    clickhousePassword: env.CLICKHOUSE_PASSWORD ?? '',
    clickhouseReaderUser: env.CLICKHOUSE_READER_USER ?? 'reader',
    clickhouseReaderPassword: env.CLICKHOUSE_READER_PASSWORD ?? '',
    redisUrl: env.REDIS_URL || null,
    kafkaUser: env.KAFKA_SASL_USERNAME ?? '',
    kafkaPassword: env.KAFKA_SASL_PASSWORD ?? '',
    // The services' users' passwords, for the ACL tests: a local stack's kafka-users.json,
    // or KAFKA_PASSWORD_<USER> as the compose file takes them.
    ...kafkaUsers(env),
  };
}

function kafkaUsers(env: NodeJS.ProcessEnv): { kafkaUsers?: Record<string, string> } {
  if (env.KAFKA_USERS_FILE)
    return {
      kafkaUsers: JSON.parse(readFileSync(env.KAFKA_USERS_FILE, 'utf8')) as Record<string, string>,
    };
  const users = Object.entries(env)
    .filter(([k, v]) => k.startsWith('KAFKA_PASSWORD_') && v)
    .map(([k, v]): [string, string] => [k.slice('KAFKA_PASSWORD_'.length).toLowerCase(), v ?? '']);
  return users.length > 0 ? { kafkaUsers: Object.fromEntries(users) } : {};
}
