import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction, type JSONInstruction } from 'dockerfile-ast';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { freePort, REPO_ROOT } from '@backbone/deploy/local';
import { waitFor } from '@backbone/test';

/**
 * The services' image, checked without a Docker engine: the Dockerfile's structure through a
 * parser (dockerfile-ast, the one VS Code's Docker support uses), and its entry point run
 * here, outside a container, as the image runs it.
 */
const dockerfile = DockerfileParser.parse(readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const ENTRYPOINT = path.join(REPO_ROOT, 'deploy/docker/entrypoint.sh');
const NAMES = ['gateway', 'enrich', 'sink', 'query', 'migrate', 'backbone'];
const workspaces = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }
).workspaces;

/** The instructions of each stage, by stage name. */
function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const i of dockerfile.getInstructions()) {
    if (i.getKeyword() === 'FROM') {
      current = [];
      out.set(i.getArguments().at(-1)!.getValue(), current);
    }
    current.push(i);
  }
  return out;
}
const args = (i: Instruction) => i.getArguments().map((a) => a.getValue());

describe('the Dockerfile', () => {
  it('builds in stages from pinned images, and runs as an unprivileged user', () => {
    const froms = dockerfile.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(3);
    const all = stages();
    const names = [...all.keys()];
    // Images from a registry carry a version; a stage builds on an earlier stage.
    for (const from of froms.filter((f) => !names.includes(f.getImageName() ?? '')))
      expect(from.getImageTag(), from.getImageName() ?? '').toMatch(/^\d/);
    const runtime = all.get(names.at(-1)!)!;
    const user = runtime.filter((i) => i.getKeyword() === 'USER').map((i) => args(i)[0]);
    expect(user.at(-1)).toBe('node');
    // COPY --from names an earlier stage.
    for (const copy of dockerfile.getCOPYs()) {
      const from = copy.getFromFlag()?.getValue();
      if (from) expect(names).toContain(from);
    }
    // Nothing fetched by URL, and the dependencies only from the lockfile.
    expect(dockerfile.getInstructions().some((i) => i.getKeyword() === 'ADD')).toBe(false);
    const installs = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN' && args(i).includes('npm'));
    for (const i of installs.filter((x) => args(x).includes('install')))
      expect(args(i), 'npm install in the image').toEqual([]);
  });

  it('installs from every workspace manifest the lockfile names, and runs the services’ ones', () => {
    const copied = stages()
      .get('deps')!
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => args(i).slice(0, -1));
    for (const w of workspaces) expect(copied, w).toContain(`${w}/package.json`);
    const runtimeInstall = stages()
      .get('runtime')!
      .filter((i) => i.getKeyword() === 'RUN')
      .flatMap(args);
    for (const w of [
      'runtime',
      'schemas',
      'warehouse',
      'ingest-gateway',
      'stream-workers',
      'query-service',
    ])
      expect(runtimeInstall.join(' ')).toContain(`-w ${w}`);
    expect(runtimeInstall).toContain('--omit=dev');
  });

  it('applies the fixes to dependencies in patches/ wherever it installs them', () => {
    const patches = readdirSync(path.join(REPO_ROOT, 'patches')).filter((f) =>
      f.endsWith('.patch'),
    );
    expect(patches.length).toBeGreaterThan(0);
    for (const stage of ['deps', 'runtime']) {
      const instructions = stages().get(stage)!;
      const copies = instructions.filter((i) => i.getKeyword() === 'COPY').map(args);
      expect(copies, stage).toContainEqual(['patches', 'patches']);
      const install = instructions
        .filter((i) => i.getKeyword() === 'RUN')
        .map((i) => args(i).join(' '))
        .find((r) => r.includes('npm ci'));
      // Scripts are off in the image, so the patches are applied after the install, by name.
      expect(install, stage).toMatch(
        /npm ci .*--ignore-scripts.*&& npx patch-package --error-on-fail/,
      );
    }
  });

  it('has one entry point, which the compose file and the Kubernetes manifests call by name', () => {
    const [entrypoint] = dockerfile.getENTRYPOINTs() as unknown as JSONInstruction[];
    expect(entrypoint!.getJSONStrings().map((s) => s.getJSONValue())).toEqual([
      '/app/deploy/docker/entrypoint.sh',
    ]);
    const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.kafka.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { command?: string[]; image?: string }> };
    const composeNames = Object.values(compose.services)
      .filter((s) => s.image === 'backbone:local')
      .map((s) => s.command![0]!);
    const k8s = kubernetesArgs();
    expect(composeNames.length + k8s.length).toBeGreaterThan(8);
    for (const name of [...composeNames, ...k8s]) expect(NAMES).toContain(name);
  });
});

/** The first argument of every container of our image in the Kubernetes manifests. */
function kubernetesArgs(): string[] {
  type Pod = { containers: { args?: string[] }[]; initContainers?: { args?: string[] }[] };
  return ['services.yaml', 'migrate-job.yaml'].flatMap((f) =>
    parseAllDocuments(
      readFileSync(path.join(REPO_ROOT, 'deploy/kubernetes/base', f), 'utf8'),
    ).flatMap((d) => {
      const pod = (d.toJS() as { spec?: { template?: { spec: Pod } } }).spec?.template?.spec;
      return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((c) => c.args![0]!);
    }),
  );
}

describe('the entry point, run outside a container', () => {
  const run = (...a: string[]) =>
    spawnSync(ENTRYPOINT, a, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

  it('refuses a process it does not know, saying which ones it knows', () => {
    const r = run('nope');
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('usage: entrypoint.sh gateway|enrich|sink|query|migrate|backbone');
    expect(r.stderr).toContain('unknown process: nope');
  });

  it('runs migrate (printing the cluster DDL, no server needed)', () => {
    const r = spawnSync(ENTRYPOINT, ['migrate', '--print'], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', CLICKHOUSE_CLUSTER: 'events' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'CREATE TABLE IF NOT EXISTS `analytics`.`web_events_local` ON CLUSTER `events`',
    );
  });

  it('runs the gateway: healthy, not ready without Kafka, and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(ENTRYPOINT, ['gateway'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        HOST: '127.0.0.1',
        PORT: String(port),
        KAFKA_BROKERS: '127.0.0.1:1',
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const health = await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.status,
        { timeoutMs: 30_000, intervalMs: 200, description: 'the gateway to answer' },
      );
      expect(health).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
