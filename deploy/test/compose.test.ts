import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, REPO_ROOT } from '@backbone/deploy/local';
import { kafkaSetupScript } from '../local/src/stack/kafka-setup-script.js';

/**
 * docker-compose.kafka.yml, checked without a Docker engine: the Compose Specification's JSON
 * schema and dclint's best-practice rules (the `dclint` package bundles both), then what the
 * backbone itself needs of the file.
 */
const FILE = path.join(REPO_ROOT, 'docker-compose.kafka.yml');

/**
 * What the test uses of dclint. Its published declarations import without file extensions,
 * which NodeNext resolution cannot follow, so the shape is written down here.
 */
interface Linter {
  lintFiles(
    paths: string[],
    recursive: boolean,
  ): { messages: { rule: string; message: string }[] }[];
}
const dclint: unknown = await import('dclint');
const { DCLinter } = dclint as {
  DCLinter: new (config: {
    rules: Record<string, 0 | 1 | 2>;
    quiet: boolean;
    debug: boolean;
    exclude: string[];
  }) => Linter;
};

/**
 * dclint with only its style rules (key and service order) off: those are taste, not faults;
 * and no-build-and-image: building the backbone's image once and naming it, so five services
 * share it, is what Compose documents `build` with `image` for.
 */
const linter = new DCLinter({
  rules: { 'service-keys-order': 0, 'services-alphabetical-order': 0, 'no-build-and-image': 0 },
  quiet: false,
  debug: false,
  exclude: [],
});
const lint = (file: string) =>
  linter.lintFiles([file], false).flatMap((r) => r.messages.map((m) => `${m.rule}: ${m.message}`));

interface Service {
  profiles?: string[];
  build?: string;
  command?: string[];
  image?: string;
  ports?: string[];
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(await readFile(FILE, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
/** The infrastructure (no profile) and the backbone's own services (profile `backbone`). */
const services = Object.fromEntries(
  Object.entries(compose.services).filter(([, s]) => !s.profiles),
);
const backbone = Object.fromEntries(
  Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('backbone')),
);

const scratch = await mkdtemp(path.join(tmpdir(), 'compose-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('docker-compose.kafka.yml', () => {
  it("is valid by the Compose Specification schema and breaks none of dclint's rules", () => {
    expect(lint(FILE)).toEqual([]);
  });

  it('is checked for real: a file the specification does not allow is refused', async () => {
    const broken = path.join(scratch, 'broken.yml');
    await writeFile(
      broken,
      'name: broken\nservices:\n  kafka:\n    image: apache/kafka:4.3.1\n    environmnt:\n      A: b\n',
    );
    expect(lint(broken).join('\n')).toMatch(
      /invalid-schema: .*\/services\/kafka.*additional properties/,
    );
  });

  it("runs Kafka, the registry, ClickHouse and Redis on the local stack's ports, on loopback only", () => {
    const published = {
      kafka: DEFAULT_PORTS.kafka,
      'schema-registry': DEFAULT_PORTS.registry,
      clickhouse: DEFAULT_PORTS.clickhouse,
      redis: DEFAULT_PORTS.redis,
    };
    expect(Object.keys(services).sort()).toEqual([...Object.keys(published), 'kafka-setup'].sort());
    for (const [name, port] of Object.entries(published)) {
      const service = services[name];
      expect(service?.ports, name).toEqual([`127.0.0.1:${port}:${port}`]);
      expect(service?.image, name).toMatch(/^[\w./-]+:\d[\w.-]*$/);
      expect(service?.healthcheck?.test, name).toBeDefined();
      for (const [dependency, { condition }] of Object.entries(service?.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on`).toContain(dependency);
        // Healthy, or (a one-shot set-up) finished.
        expect(condition).toBe(
          services[dependency]?.healthcheck ? 'service_healthy' : 'service_completed_successfully',
        );
      }
    }
    // Topics come from the stream catalog only, never from a producer's typo.
    expect(services.kafka?.environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('runs Kafka with SASL on every listener and ACLs, its users made by the generated script', async () => {
    const env = services.kafka?.environment ?? {};
    expect(String(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).split(',')).toEqual([
      'HOST:SASL_PLAINTEXT',
      'DOCKER:SASL_PLAINTEXT',
      'CONTROLLER:SASL_PLAINTEXT',
      'SERVICES:SASL_PLAINTEXT',
    ]);
    expect(env.KAFKA_LISTENER_NAME_HOST_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(env.KAFKA_LISTENER_NAME_SERVICES_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
    expect(env.KAFKA_AUTHORIZER_CLASS_NAME).toBe(
      'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
    expect(env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
    expect(services['kafka-setup']?.depends_on).toEqual({
      kafka: { condition: 'service_healthy' },
    });
    expect(services['schema-registry']?.depends_on?.['kafka-setup']).toEqual({
      condition: 'service_completed_successfully',
    });
    // The script the setup runs is the native stack's users and ACLs, regenerated.
    const script = await readFile(path.join(REPO_ROOT, 'deploy/docker/kafka/setup.sh'), 'utf8');
    expect(script).toBe(kafkaSetupScript());
    expect(script).toContain(
      "acl gateway --topic 'raw.' --resource-pattern-type prefixed --operation Write",
    );
  });

  it('takes every password from the environment and refuses to render without it', () => {
    const passwords = Object.entries(services).flatMap(([service, s]) =>
      Object.entries(s.environment ?? {})
        .filter(([key]) => key.includes('PASSWORD'))
        .map(([key, value]) => ({ service, key, value: String(value) })),
    );
    expect([...new Set(passwords.map((p) => p.key))].sort()).toEqual([
      'CLICKHOUSE_AUDITOR_PASSWORD',
      'CLICKHOUSE_PASSWORD',
      'CLICKHOUSE_READER_PASSWORD',
      ...['ADMIN', 'ENRICH', 'GATEWAY', 'PRODUCER', 'QUERY', 'REGISTRY', 'SINK'].map(
        (u) => `KAFKA_PASSWORD_${u}`,
      ),
    ]);
    // Passwords inside other values (the brokers' and the registry's JAAS) are required too.
    for (const [service, s] of Object.entries(services))
      for (const [key, value] of Object.entries(s.environment ?? {}))
        for (const [, name, rest] of String(value).matchAll(/\$\{(\w+)([^}]*)\}/g))
          expect(rest, `${service}.${key}: \${${name}}`).toMatch(/^:\?set /);
    for (const { service, key, value } of passwords) {
      // `${VAR:?message}`: Compose stops with the message when VAR is unset or empty.
      const required = /^\$\{(\w+):\?([^}]+)\}$/.exec(value);
      expect(required, `${service}.${key}`).not.toBeNull();
      expect(required?.[1]).toBe(key);
      expect(required?.[2]).toContain(`set ${key}`);
    }
  });
});

describe('the backbone profile of docker-compose.kafka.yml', () => {
  it('runs the whole backbone from one image, each process as its own user', () => {
    expect(Object.keys(backbone).sort()).toEqual(['enrich', 'gateway', 'migrate', 'query', 'sink']);
    const all = { ...services, ...backbone };
    for (const [name, s] of Object.entries(backbone)) {
      expect(s.image, name).toBe('backbone:local');
      // The entry point's own names (deploy/docker/entrypoint.sh).
      expect(['gateway', 'enrich', 'sink', 'query', 'migrate']).toContain(s.command?.[0]);
      if (name !== 'migrate') expect(s.healthcheck?.test, name).toBeDefined();
      for (const port of s.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
      for (const [dependency, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(Object.keys(all), `${name} depends on`).toContain(dependency);
        expect(condition).toBe(
          all[dependency]?.healthcheck ? 'service_healthy' : 'service_completed_successfully',
        );
      }
      const env = s.environment ?? {};
      if (env.KAFKA_SASL_USERNAME) expect(env.KAFKA_SASL_USERNAME).toBe(name);
      // Every secret is required from the environment, never written here.
      for (const [key, value] of Object.entries(env).filter(([k]) =>
        /(PASSWORD|_KEY|_KEYS|SECRET)$/.test(k),
      ))
        expect(String(value), `${name}.${key}`).toMatch(/^\$\{(\w+):\?set \1\b[^}]*\}$/);
    }
    // Built once, by the migration that runs first.
    expect(backbone.migrate?.build).toBe('.');
  });
});
