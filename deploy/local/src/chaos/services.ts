import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startService, stopChild } from '../services/gateway.js';
import { ensureWorkerSecrets } from '../services/workers.js';
import { ensureSecret } from '../services/query.js';
import { freePort } from '../stack/ports.js';
import { serviceEnv, type Endpoints } from '../stack/state.js';

/** One service of the run: how it starts, and its process now. */
interface Service {
  name: string;
  script: string;
  user: string;
  port: number;
  env: Record<string, string>;
  child?: ChildProcess;
  /** Started again by ensure() after a kill, until the run stops. */
  starting?: Promise<void>;
}

/** Resident set size of a process now, in MiB (0 when it is gone). */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The backbone's services as processes of the chaos run: a gateway, two enrich workers in
 * one group and a sink, each on its own port, their ClickHouse and Redis through the run's
 * proxies. A killed service is started again as a supervisor would (`restart`), retried
 * until it is ready.
 */
export class ChaosServices {
  private readonly services = new Map<string, Service>();
  private stopped = false;

  constructor(
    private readonly dataDir: string,
    private readonly endpoints: Endpoints,
    private readonly through: { clickhouseUrl: string; redisUrl: string },
    private readonly log: (line: string) => void,
  ) {}

  get names(): string[] {
    return [...this.services.keys()];
  }

  pid(name: string): number | undefined {
    return this.services.get(name)?.child?.pid;
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.services.get(name)!.port}`;
  }

  async startAll(keysFile: string): Promise<void> {
    const secrets = ensureWorkerSecrets(this.dataDir);
    const define = async (
      name: string,
      script: string,
      user: string,
      env: Record<string, string>,
    ) => {
      this.services.set(name, { name, script, user, env, port: await freePort() });
    };
    await define('gateway', 'ingest-gateway/src/main.ts', 'gateway', {
      API_KEYS_FILE: keysFile,
      SIGNING_SECRET_KEY: ensureSecret(this.dataDir, 'signing-secret-key'),
      TRUSTED_PROXIES: '127.0.0.1,::1',
      // The simulator sends many small requests (one per client network a tick).
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    for (const i of [0, 1])
      await define(`enrich-${i}`, 'stream-workers/src/enrich.main.ts', 'enrich', {
        ...secrets,
        WORKER_INSTANCE_ID: `chaos-enrich-${i}`,
      });
    await define('sink', 'stream-workers/src/sink.main.ts', 'sink', {
      SUBJECT_MASTER_KEYS: secrets.SUBJECT_MASTER_KEYS,
    });
    await Promise.all(this.names.map((n) => this.start(n)));
  }

  private async start(name: string): Promise<void> {
    const s = this.services.get(name)!;
    s.child = await startService({
      dataDir: this.dataDir,
      name,
      what: name,
      script: s.script,
      env: {
        ...serviceEnv(this.endpoints, s.user),
        CLICKHOUSE_URL: this.through.clickhouseUrl,
        REDIS_URL: this.through.redisUrl,
        LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
        ...s.env,
        PORT: String(s.port),
      },
      readyUrl: `http://127.0.0.1:${s.port}/ready`,
    });
  }

  /** kill -9. */
  kill(name: string): void {
    this.services.get(name)?.child?.kill('SIGKILL');
  }

  /** Starts a killed service again, retried until it is ready (its dependencies may be away). */
  restart(name: string): Promise<void> {
    const s = this.services.get(name)!;
    s.starting ??= (async () => {
      for (let attempt = 1; !this.stopped; attempt++) {
        try {
          await this.start(name);
          return;
        } catch (err) {
          this.log(`chaos: ${name} not ready yet (attempt ${attempt}): ${String(err)}`);
          await new Promise((r) => setTimeout(r, 2_000));
        }
      }
    })().finally(() => (s.starting = undefined));
    return s.starting;
  }

  /** Graceful stop of every service (SIGTERM: each finishes what it holds). */
  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      [...this.services.values()].flatMap((s) => (s.child ? [stopChild(s.child)] : [])),
    );
  }
}
