import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '@backbone/runtime';
import { StackError } from './stack/errors.js';
import { dataDirOf, localConfig, type LocalConfig } from './config.js';
import { describeEndpoints } from './stack/report.js';
import { downStack, stackStatus, upStack } from './stack/stack.js';
import { existsSync, writeFileSync } from 'node:fs';
import { ensureDashboardBuilt } from './services/dashboard.js';
import {
  dropPreparedServices,
  ensureDemoKey,
  prepareServices,
  startGateway,
  stopChild,
} from './services/gateway.js';
import { Simulator } from './simulator/simulator.js';
import { startQueryService } from './services/query.js';
import { migrateWarehouse, startWorkers } from './services/workers.js';
import { freePort } from './stack/ports.js';
import type { StackState } from './stack/state.js';
import { Supervisor, watchedChild, watchedProcess, type Watched } from './supervisor.js';
import { kafkaPasswords } from './stack/kafka-users.js';

/**
 * `npm start`: brings the local backbone up in the foreground and stops it on Ctrl-C.
 * Components that were already running (a stack started with `npm run stack -- up`) are
 * reused and left running; only what this command started is stopped.
 *
 * Then the services run as its children: ClickHouse migrations (once, as their own step), the
 * enrich worker and the ClickHouse sink, the query service serving the dashboard (with ready
 * tokens for tenant demo) and the ingest gateway (with a demo API key). As soon as the
 * gateway is up, the simulator sends demo traffic through it (the first time, 24 hours of
 * history as well), unless --no-simulator.
 */
const OPTIONS = {
  'data-dir': { type: 'string' },
  'no-simulator': { type: 'boolean', default: false },
} as const;

/** The super user's credentials: a migration's rebuild replays as it. */
const adminEnv = (dataDir: string) => ({
  KAFKA_SASL_USERNAME: 'admin',
  KAFKA_SASL_PASSWORD: kafkaPasswords(dataDir).admin,
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: OPTIONS });
  const config = localConfig();
  const dataDir = dataDirOf(config, values['data-dir']);
  const before = await stackStatus(dataDir);
  const alreadyRunning = new Set(
    before.components.filter((c) => c.status === 'running' && c.pid).map((c) => c.pid as number),
  );
  const started = Date.now();
  process.on('exit', dropPreparedServices);
  const stackOptions = {
    dataDir,
    ...(config.JAVA_HOME ? { javaHome: config.JAVA_HOME } : {}),
    log: (line: string) => console.log(line),
  };
  // The migrations need only ClickHouse: they run while Kafka is still starting.
  let state = await upStack({
    ...stackOptions,
    ports: 'default',
    // The services' code loads while the registry starts; each starts once its turn comes.
    afterKafka: () => prepareServices(dataDir, SERVICES),
    afterClickHouse: (clickhouse, coming) =>
      migrateWarehouse({ dataDir, clickhouse, ...coming, kafkaEnv: adminEnv(dataDir) }),
  });
  const gatewayPort = config.GATEWAY_PORT;
  const { key, keysFile } = ensureDemoKey(dataDir);
  let gateway: ChildProcess | undefined;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  let query: Awaited<ReturnType<typeof startQueryService>> | undefined;
  let supervisor: Supervisor | undefined;
  let simulator: Simulator | undefined;
  let stopping = false;
  try {
    const dashboardDir = ensureDashboardBuilt((line) => console.log(line));
    const workerPorts = { enrich: await freePort(), sink: await freePort() };
    const workerUrls = Object.fromEntries(
      Object.entries(workerPorts).map(([name, port]) => [name, `http://127.0.0.1:${port}`]),
    );
    const queryOptions = {
      dataDir,
      endpoints: state.endpoints,
      port: config.QUERY_PORT,
      dashboardDir,
      components: { gateway: `http://127.0.0.1:${gatewayPort}`, ...workerUrls },
    };
    const gatewayOptions = { dataDir, endpoints: state.endpoints, port: gatewayPort, keysFile };
    // The gateway, the workers and the query service start side by side.
    // The demo traffic starts as soon as the gateway takes events: Kafka keeps them until the
    // workers have joined their groups, so the first rows land sooner.
    const up = await startSideBySide({
      gateway: async () => {
        const child = await startGateway(gatewayOptions);
        if (!values['no-simulator'])
          simulator = demoTraffic(config, dataDir, gatewayPort, key, () => stopping);
        return child;
      },
      workers: () =>
        startWorkers({ dataDir, endpoints: state.endpoints, migrated: true, ports: workerPorts }),
      query: () => startQueryService(queryOptions),
    });
    ({ gateway, workers, query } = up);
    supervisor = superviseAll({
      dataDir,
      stack: () => state,
      restartStack: async () => {
        state = await upStack({ ...stackOptions, ports: portsOf(state) });
      },
      workers,
      query: () => (query as NonNullable<typeof query>).child,
      restartQuery: async () => {
        query = await startQueryService(queryOptions);
      },
      gateway: () => gateway as ChildProcess,
      restartGateway: async () => {
        gateway = await startGateway(gatewayOptions);
      },
    });
  } catch (err) {
    await simulator?.stop();
    await Promise.all(
      [
        ...(workers?.children ?? []),
        ...(query ? [query.child] : []),
        ...(gateway ? [gateway] : []),
      ].map((c) => stopChild(c)),
    );
    await downStack(dataDir, { keep: alreadyRunning });
    throw err;
  }
  printWelcome({ state, key, gatewayPort, query, workers, dataDir, started });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    supervisor?.stop();
    console.log(
      `\n${signal}: stopping the simulator, the gateway, the query service, the workers, then the local stack…`,
    );
    (simulator?.stop() ?? Promise.resolve())
      .then(() => gateway && stopChild(gateway))
      .then(() => query && stopChild(query.child))
      .then(() => Promise.all(workers.children.map((c) => stopChild(c))))
      .then(() => downStack(dataDir, { keep: alreadyRunning, log: (line) => console.log(line) }))
      .then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Keep the event loop alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

/** The services `npm start` runs, by the name of their log file. */
const SERVICES = [
  { name: 'gateway', script: 'ingest-gateway/src/main.ts' },
  { name: 'enrich', script: 'stream-workers/src/enrich.main.ts' },
  { name: 'sink', script: 'stream-workers/src/sink.main.ts' },
  { name: 'query', script: 'query-service/src/main.ts' },
];

/** Starts the three side by side; if one fails, whatever did start is stopped before the error goes on. */
async function startSideBySide(steps: {
  gateway: () => Promise<ChildProcess>;
  workers: () => ReturnType<typeof startWorkers>;
  query: () => ReturnType<typeof startQueryService>;
}) {
  const [g, w, q] = await Promise.allSettled([steps.gateway(), steps.workers(), steps.query()]);
  const failure = [g, w, q].find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failure) {
    const started = [
      ...(g.status === 'fulfilled' ? [g.value] : []),
      ...(w.status === 'fulfilled' ? w.value.children : []),
      ...(q.status === 'fulfilled' ? [q.value.child] : []),
    ];
    await Promise.all(started.map((c) => stopChild(c)));
    throw failure.reason;
  }
  return {
    gateway: (g as PromiseFulfilledResult<ChildProcess>).value,
    workers: (w as PromiseFulfilledResult<Awaited<ReturnType<typeof startWorkers>>>).value,
    query: (q as PromiseFulfilledResult<Awaited<ReturnType<typeof startQueryService>>>).value,
  };
}

/** The ports the stack runs on now, so a restarted component comes back on the same one. */
function portsOf(state: StackState) {
  return {
    kafka: state.kafka.port,
    kafkaController: state.kafka.controllerPort,
    clickhouse: state.clickhouse.port,
    registry: state.registry.port,
  };
}

/** Kafka, ClickHouse and the registry, the workers, the query service and the gateway, watched. */
function superviseAll(o: {
  dataDir: string;
  stack: () => StackState;
  restartStack: () => Promise<void>;
  workers: Awaited<ReturnType<typeof startWorkers>>;
  query: () => ChildProcess;
  restartQuery: () => Promise<void>;
  gateway: () => ChildProcess;
  restartGateway: () => Promise<void>;
}): Supervisor {
  const log = (name: string) => path.join(o.dataDir, `${name}.log`);
  const watched: Watched[] = [
    watchedProcess('kafka', () => o.stack().kafka, o.restartStack),
    watchedProcess('clickhouse', () => o.stack().clickhouse, o.restartStack),
    watchedProcess('schema registry', () => o.stack().registry, o.restartStack),
    ...o.workers.names.map((name, i) =>
      watchedChild(
        name,
        log(name),
        () => o.workers.children[i] as ChildProcess,
        () => o.workers.restart(i),
      ),
    ),
    watchedChild('query service', log('query'), o.query, o.restartQuery),
    watchedChild('gateway', log('gateway'), o.gateway, o.restartGateway),
  ];
  const supervisor = new Supervisor(
    () => watched,
    (line) => console.log(line),
  );
  supervisor.start();
  return supervisor;
}

/** The endpoints, credentials and a first request to try, once everything is up. */
function printWelcome(up: {
  state: Awaited<ReturnType<typeof upStack>>;
  key: string;
  gatewayPort: number;
  query: Awaited<ReturnType<typeof startQueryService>>;
  workers: Awaited<ReturnType<typeof startWorkers>>;
  dataDir: string;
  started: number;
}): void {
  const { state, key, gatewayPort, query, workers, dataDir, started } = up;
  console.log(`\n${describeEndpoints(state)}`);
  console.log(`  Ingest gateway    http://127.0.0.1:${gatewayPort}/v1/events  (X-API-Key: ${key})`);
  console.log(`  Query service     ${query.url}/graphql  (tenant demo; tokens below, 30 days)`);
  console.log(`    viewer token    ${query.tokens.viewer}`);
  console.log(`    admin token     ${query.tokens.admin}`);
  console.log(`  Dashboard         ${query.url}/#token=${query.tokens.admin}`);
  console.log(
    `                    (signed in as admin of tenant demo; viewer: ${query.url}/#token=${query.tokens.viewer})`,
  );
  console.log(
    `  Workers           enrich ${workers.urls.enrich}/metrics, sink ${workers.urls.sink}/metrics; tables in ClickHouse database analytics`,
  );
  console.log(
    `    e.g. curl -X POST http://127.0.0.1:${gatewayPort}/v1/events -H 'content-type: application/json' -H 'x-api-key: ${key}' \\`,
  );
  console.log(
    `         -d '{"events":[{"event_id":"'$(cat /proc/sys/kernel/random/uuid)'","event_type":"page_view","timestamp":"'$(date -u +%FT%TZ)'","session_id":"s1","properties":{"url":"/"}}]}'`,
  );
  console.log(
    `\nUp in ${((Date.now() - started) / 1000).toFixed(1)} s. Logs in ${path.relative(process.cwd(), dataDir) || dataDir}/*.log. Press Ctrl-C to stop.`,
  );
}

/**
 * The simulator's demo traffic through the gateway: live events at SIMULATOR_RATE from the
 * first second until the command stops, and the first time 24 hours of history beside them
 * (so the dashboard shows something live while the history is still going in).
 */
function demoTraffic(
  config: LocalConfig,
  dataDir: string,
  gatewayPort: number,
  key: string,
  stopping: () => boolean,
): Simulator {
  const rate = config.SIMULATOR_RATE;
  const live = new Simulator({
    url: `http://127.0.0.1:${gatewayPort}/v1/events`,
    apiKey: key,
    rate,
    seed: config.SIMULATOR_SEED,
    log: (line) => console.log(line),
  });
  if (stopping()) return live;
  live.start();
  console.log(
    `Simulator: ${rate} events/s of web and speech traffic (npm start -- --no-simulator for none).`,
  );
  const marker = path.join(dataDir, 'simulator-backfilled');
  if (!existsSync(marker))
    void live
      .backfill(24, 1)
      .then((complete) => {
        // Cut short by Ctrl-C: no mark, so the next start sends the history again. The
        // same seed gives the same event ids, which enrich's dedup window drops when it
        // lives in Redis (in-process, it is gone with the restart).
        if (!complete) return;
        writeFileSync(marker, `${new Date().toISOString()}\n`);
        console.log(`Simulator: 24 h of history sent (${live.stats.accepted} events so far).`);
      })
      .catch((err: unknown) => console.error('simulator history stopped:', err));
  return live;
}

// Output piped to a reader that goes first (`npm start | tee log`, then Ctrl-C): a write to
// the closed pipe must not end this process before it has stopped what it started.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

main().catch((err: unknown) => {
  if (err instanceof StackError)
    console.error(`error: ${err.message}${err.hint ? `\n${err.hint}` : ''}`);
  else if (err instanceof ConfigError) console.error(`error: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
