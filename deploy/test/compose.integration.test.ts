import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@backbone/deploy/local';

const run = promisify(execFile);

/** `docker compose` (v2 plugin) when the docker client has it, else Debian's docker-compose 1.x. */
async function composeCommand(): Promise<[string, string[]]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', ['compose']];
  } catch {
    await run('docker-compose', ['version']).catch(() => {
      throw new Error(
        'neither `docker compose` nor `docker-compose` is installed (apt-get install docker-compose)',
      );
    });
    return ['docker-compose', []];
  }
}

async function config(env: Record<string, string>) {
  const [command, prefix] = await composeCommand();
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return run(command, [...prefix, '-f', 'docker-compose.kafka.yml', 'config'], {
    cwd: REPO_ROOT,
    env: childEnv,
  });
}

describe('docker-compose.kafka.yml', () => {
  it('is accepted by docker compose config, with Kafka, the registry, ClickHouse and Redis on the local ports', async () => {
    const { stdout } = await config({
      CLICKHOUSE_PASSWORD: 'p1',
      CLICKHOUSE_READER_PASSWORD: 'p2',
      CLICKHOUSE_AUDITOR_PASSWORD: 'p3',
    });
    for (const service of ['kafka:', 'schema-registry:', 'clickhouse:', 'redis:'])
      expect(stdout).toContain(`  ${service}`);
    for (const port of ['9092', '8081', '8123', '6379'])
      expect(stdout).toMatch(
        new RegExp(`(published: "?${port}"?|127\\.0\\.0\\.1:${port}:${port})`),
      );
    expect(stdout).toContain('KAFKA_AUTO_CREATE_TOPICS_ENABLE');
  });

  it('refuses to render without the ClickHouse passwords, which are never committed', async () => {
    await expect(config({})).rejects.toThrow(/CLICKHOUSE_PASSWORD/);
  });
});
