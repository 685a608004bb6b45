import path from 'node:path';
import { REPO_ROOT } from './layout.js';
import type { ComponentStatus } from './stack.js';
import type { StackState } from './state.js';

const rel = (p: string) => {
  const relative = path.relative(process.cwd(), p);
  return relative.startsWith('..') ? p : relative || '.';
};

/** What `up` and `npm start` print: every endpoint and how a service finds them. */
export function describeEndpoints(state: StackState): string {
  const e = state.endpoints;
  return [
    `Local stack is up (data in ${rel(state.dataDir)}):`,
    `  Kafka             ${e.kafkaBrokers}  (SASL SCRAM-SHA-512; super user ${e.kafkaUser}, password ${e.kafkaPassword};
                    each service has its own user: kafka-users.json)`,
    `  Schema registry   ${e.schemaRegistryUrl}`,
    `  ClickHouse HTTP   ${e.clickhouseUrl}  (user ${e.clickhouseUser}, password ${e.clickhousePassword};`,
    `                    read-only user ${e.clickhouseReaderUser}, password ${e.clickhouseReaderPassword})`,
    `  Redis             ${e.redisUrl ?? 'none: services use in-process caches and limits'}`,
    `Endpoints for services and shells: ${rel(path.join(state.dataDir, 'endpoints.env'))}`,
    `  e.g. curl -u ${e.clickhouseUser}:${e.clickhousePassword} '${e.clickhouseUrl}/?query=SELECT+version()'`,
  ].join('\n');
}

export function describeStatus(components: ComponentStatus[], dataDir: string): string {
  if (components.length === 0)
    return `No stack has run from ${rel(dataDir)} (npm run stack -- up starts one).`;
  return [
    `Stack in ${rel(dataDir)} (repo ${rel(REPO_ROOT)}):`,
    ...components.map(
      (c) =>
        `  ${c.name.padEnd(11)} ${c.status.padEnd(8)} ${c.pid ? `pid ${String(c.pid).padEnd(8)}` : ''.padEnd(12)} ${c.endpoint ?? ''}`,
    ),
  ].join('\n');
}
