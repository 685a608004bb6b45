import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@backbone/runtime';
import { StackError } from './stack/errors.js';
import { dataDirOf, localConfig } from './config.js';
import { describeEndpoints, describeStatus } from './stack/report.js';
import { downStack, stackStatus, upStack } from './stack/stack.js';
import { kafkaSetupScript } from './stack/kafka-setup-script.js';

const USAGE = `usage: npm run stack -- <command> [options]

commands:
  up        start Kafka, the schema registry, ClickHouse and Redis (reuses what already runs)
  down      stop what this stack started (--purge also deletes its data)
  status    show each component and its endpoint
  env       print the endpoints as environment variables
  kafka-setup-script
            print the shell script that makes the same Kafka users and ACLs on another broker
            (deploy/docker/kafka/setup.sh is this, for the compose file)

options:
  --data-dir DIR        where the stack keeps its data (default .backbone/local)
  --ports default|auto  well-known ports (9092, 8081, 8123) or free ones (default: default)
  --kafka-nodes N       Kafka brokers to run, 1 to 5 (default 1); 3 or more: three replicas
                        of every topic, writes acknowledged by two (fixed at the first start)
  --no-redis            run without Redis (services fall back to in-process caches)
  --json                machine-readable output (up, status)
  --purge               with down: delete the data directory too`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      ports: { type: 'string', default: 'default' },
      'no-redis': { type: 'boolean', default: false },
      'kafka-nodes': { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
      purge: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  const config = localConfig();
  const dataDir = dataDirOf(config, values['data-dir']);
  const log = (line: string) => console.log(line);
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  if (values.ports !== 'default' && values.ports !== 'auto') {
    throw new StackError(`--ports must be "default" or "auto", not "${values.ports}"`);
  }
  switch (command) {
    case 'up': {
      const state = await upStack({
        dataDir,
        ports: values.ports,
        redis: values['no-redis'] ? 'none' : 'auto',
        kafkaNodes: Number(values['kafka-nodes']),
        ...(config.JAVA_HOME ? { javaHome: config.JAVA_HOME } : {}),
        log: values.json ? () => undefined : log,
      });
      console.log(
        values.json ? JSON.stringify(state.endpoints, null, 2) : describeEndpoints(state),
      );
      return 0;
    }
    case 'down':
      await downStack(dataDir, { purge: values.purge, log });
      return 0;
    case 'status': {
      const { components } = await stackStatus(dataDir);
      console.log(
        values.json ? JSON.stringify(components, null, 2) : describeStatus(components, dataDir),
      );
      return components.every((c) => c.status !== 'stopped') ? 0 : 1;
    }
    case 'env':
      process.stdout.write(readFileSync(path.join(dataDir, 'endpoints.env'), 'utf8'));
      return 0;
    case 'kafka-setup-script':
      process.stdout.write(kafkaSetupScript());
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError) {
      console.error(`error: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
    } else if (err instanceof ConfigError) {
      console.error(`error: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  },
);
