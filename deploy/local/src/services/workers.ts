import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../stack/ports.js';
import type { ClickHouseEndpoint } from '../stack/stack.js';
import { serviceEnv, type Endpoints } from '../stack/state.js';
import { runStep, startService, stopChild } from './gateway.js';
import { ensureCacheNamespace } from './query.js';

interface WorkerSecrets {
  HASH_KEY: string;
  TOKEN_KEY: string;
  /** The master key that wraps subject keys (docs/privacy.md#erasure). */
  SUBJECT_MASTER_KEYS: string;
}

/**
 * The enrich worker's secrets for the local demo: made once, kept (mode 0600) in the
 * git-ignored data directory so hashes, tokens and subject keys stay usable across restarts.
 * A data directory from before a secret existed gets it added.
 */
export function ensureWorkerSecrets(dataDir: string): WorkerSecrets {
  const file = path.join(dataDir, 'worker-secrets.json');
  const kept = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<WorkerSecrets>)
    : {};
  const secret = () => randomBytes(24).toString('base64url');
  const secrets: WorkerSecrets = {
    HASH_KEY: kept.HASH_KEY ?? secret(),
    TOKEN_KEY: kept.TOKEN_KEY ?? secret(),
    SUBJECT_MASTER_KEYS: kept.SUBJECT_MASTER_KEYS ?? `local1:${secret()}`,
  };
  if (Object.keys(kept).length !== Object.keys(secrets).length)
    writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  return secrets;
}

/** The ClickHouse migrations, as their own step before anything reads or writes the tables. */
/**
 * `npm run migrate` as a step. Kafka and the registry are named for a migration that rebuilds
 * tables (an installation from before it): that one waits for the broker, which starts
 * meanwhile; no sink runs yet, so their hand-over is immediate.
 */
export async function migrateWarehouse(o: {
  dataDir: string;
  clickhouse: ClickHouseEndpoint;
  kafkaBrokers?: string;
  schemaRegistryUrl?: string;
  /** Credentials for a rebuild's replay (KAFKA_SASL_*); this process's own by default. */
  kafkaEnv?: Record<string, string>;
}) {
  await runStep({
    dataDir: o.dataDir,
    name: 'migrate',
    what: 'Applying the ClickHouse migrations',
    script: 'stream-workers/src/migrate.main.ts',
    env: {
      ...o.kafkaEnv,
      CLICKHOUSE_URL: o.clickhouse.url,
      CLICKHOUSE_USER: o.clickhouse.user,
      CLICKHOUSE_PASSWORD: o.clickhouse.password,
      KAFKA_BROKERS: o.kafkaBrokers ?? '',
      SCHEMA_REGISTRY_URL: o.schemaRegistryUrl ?? '',
    },
  });
}

/**
 * Migrations as their own step (docs/architecture.md § Local stack; skipped when `migrated`),
 * then one enrich and one sink worker, started side by side (on `ports` when given).
 */
export async function startWorkers(o: {
  dataDir: string;
  endpoints: Endpoints;
  migrated?: boolean;
  ports?: { enrich: number; sink: number };
}): Promise<{
  children: ChildProcess[];
  urls: Record<string, string>;
  /** Starts worker `i` again on its port (`children[i]` is then the new process). */
  restart: (i: number) => Promise<void>;
  names: string[];
}> {
  const env = (user: string) => serviceEnv(o.endpoints, user);
  if (!o.migrated)
    await migrateWarehouse({
      dataDir: o.dataDir,
      clickhouse: {
        url: o.endpoints.clickhouseUrl,
        user: o.endpoints.clickhouseUser,
        password: o.endpoints.clickhousePassword,
      },
      kafkaBrokers: o.endpoints.kafkaBrokers,
      schemaRegistryUrl: o.endpoints.schemaRegistryUrl,
      // A rebuild replays as the super user, like the replay command.
      kafkaEnv: serviceEnv(o.endpoints, 'admin'),
    });
  const children: ChildProcess[] = [];
  const urls: Record<string, string> = {};
  const workers = [
    {
      name: 'enrich',
      what: 'The enrich worker',
      // The demo tenant keeps transcripts, redacted, so the masking can be seen; every other
      // tenant's transcript text is dropped (the default; docs/privacy.md).
      extra: {
        ...ensureWorkerSecrets(o.dataDir),
        WORKER_INSTANCE_ID: 'local-enrich-0',
        // An erasure drops the tenant's answers the query service cached.
        QUERY_CACHE_NAMESPACE: ensureCacheNamespace(o.dataDir),
        REDACT_TENANTS: 'demo',
      },
    },
    {
      name: 'sink',
      what: 'The ClickHouse sink',
      // It reads the transcript text enrich encrypted with each person's key.
      extra: { SUBJECT_MASTER_KEYS: ensureWorkerSecrets(o.dataDir).SUBJECT_MASTER_KEYS },
    },
  ];
  const ports: number[] = [];
  const start = (i: number) => {
    const w = workers[i] as (typeof workers)[number];
    return startService({
      dataDir: o.dataDir,
      name: w.name,
      what: w.what,
      script: `stream-workers/src/${w.name}.main.ts`,
      env: { ...env(w.name), ...w.extra, PORT: String(ports[i]) },
      readyUrl: `${urls[w.name]}/ready`,
    });
  };
  for (const [i, w] of workers.entries()) {
    ports[i] = o.ports?.[w.name as 'enrich' | 'sink'] ?? (await freePort());
    urls[w.name] = `http://127.0.0.1:${ports[i]}`;
  }
  // Side by side: each waits for its own readiness (Kafka group join, registry, ClickHouse).
  const started = await Promise.allSettled(workers.map((_, i) => start(i)));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(
      started.flatMap((r) => (r.status === 'fulfilled' ? [stopChild(r.value)] : [])),
    );
    throw failed.reason;
  }
  for (const r of started) if (r.status === 'fulfilled') children.push(r.value);
  return {
    children,
    urls,
    names: workers.map((w) => w.name),
    restart: async (i) => {
      children[i] = await start(i);
    },
  };
}
