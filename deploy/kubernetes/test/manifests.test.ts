import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { topicSpecs } from '@backbone/schemas';
import { asYaml, kafkaTopics, kafkaUsers } from '../src/kafka-resources.js';

/**
 * deploy/kubernetes, checked without a cluster: every resource against its schema — the
 * Kubernetes API's (kubernetes-models) or the operator's CRD committed in ../crds with its
 * version — fields a CRD does not know refused (the API server would silently drop them),
 * then what the backbone itself needs of the manifests.
 */
const ROOT = path.join(import.meta.dirname, '..');
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

const docsOf = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return d.toJS() as Doc;
  });

const kustomized = (dir: string) =>
  (
    docsOf(path.join(ROOT, dir, 'kustomization.yaml'))[0] as unknown as { resources: string[] }
  ).resources.filter((r) => r.endsWith('.yaml'));
const BASE = kustomized('base').flatMap((f) =>
  docsOf(path.join(ROOT, 'base', f)).map((d) => ({ file: `base/${f}`, doc: d })),
);
const OVERLAY = kustomized('overlays/example').flatMap((f) =>
  docsOf(path.join(ROOT, 'overlays/example', f)).map((d) => ({ file: f, doc: d })),
);

/** The CRDs' schemas by apiVersion and kind. */
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};
const CRDS = new Map<string, { validate: ValidateFunction; schema: Schema; file: string }>();
for (const file of readdirSync(path.join(ROOT, 'crds'))) {
  for (const crd of docsOf(path.join(ROOT, 'crds', file)) as unknown as {
    spec: {
      group: string;
      names: { kind: string };
      versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[];
    };
  }[]) {
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      const schema = v.schema.openAPIV3Schema;
      CRDS.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, {
        validate: ajv.compile(schema),
        schema,
        file,
      });
    }
  }
}

/** Paths of fields the schema does not declare (the API server prunes them). */
function unknownFields(value: unknown, schema: Schema | undefined, at: string): string[] {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value))
    return value.flatMap((v, i) => unknownFields(v, schema.items, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const declared = schema.properties?.[k];
    if (declared) return unknownFields(v, declared, `${at}.${k}`);
    if (typeof schema.additionalProperties === 'object')
      return unknownFields(v, schema.additionalProperties, `${at}.${k}`);
    if (schema.additionalProperties === true || !schema.properties) return [];
    return [`${at}.${k}`];
  });
}

/** What is wrong with one resource against its schema (empty: valid). */
async function problems(doc: Doc): Promise<string[]> {
  const crd = CRDS.get(`${doc.apiVersion}/${doc.kind}`);
  if (crd) {
    const errors = crd.validate(doc)
      ? []
      : (crd.validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    return [
      ...errors,
      ...unknownFields(doc, crd.schema, '').map((f) => `${f}: not in ${crd.file}`),
    ];
  }
  const group = doc.apiVersion.includes('/') ? doc.apiVersion : `v1`;
  const dir = doc.apiVersion === 'v1' ? 'v1' : group;
  const mod = (await import(`kubernetes-models/${dir}/${doc.kind}`)) as Record<
    string,
    new (d: unknown) => { validate(): void }
  >;
  const Model = mod[doc.kind];
  if (!Model) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (err) {
    return [(err as Error).message];
  }
}

describe('the Kubernetes manifests', () => {
  it.each(
    [...BASE, ...OVERLAY].map((r) => [`${r.file}: ${r.doc.kind} ${r.doc.metadata.name}`, r.doc]),
  )('validate: %s', async (_name, doc) => {
    expect(await problems(doc)).toEqual([]);
  });

  it('refuse what their schemas refuse (the check can fail)', async () => {
    const [kafka] = BASE.filter((r) => r.doc.kind === 'Kafka');
    const bad = structuredClone(kafka!.doc) as Doc & { spec: { kafka: Record<string, unknown> } };
    bad.spec.kafka.listners = bad.spec.kafka.listeners;
    expect(await problems(bad)).toEqual([
      '.spec.kafka.listners: not in strimzi-1.2.0-040-Crd-kafka.yaml',
    ]);
    const [deployment] = BASE.filter((r) => r.doc.kind === 'Deployment');
    const wrong = structuredClone(deployment!.doc) as Doc & { spec: { replicas: unknown } };
    wrong.spec.replicas = 'two';
    expect((await problems(wrong)).join()).toMatch(/replicas must be integer/);
  });

  it('hold the catalog’s topics and users as generated (UPDATE_MANIFESTS=1 rewrites them)', () => {
    for (const [file, docs] of [
      ['kafka-topics.yaml', kafkaTopics()],
      ['kafka-users.yaml', kafkaUsers()],
    ] as const) {
      const at = path.join(ROOT, 'base', file);
      if (process.env.UPDATE_MANIFESTS || !existsSync(at)) writeFileSync(at, asYaml(docs));
      expect(readFileSync(at, 'utf8')).toBe(asYaml(docs));
    }
    const topics = BASE.filter((r) => r.doc.kind === 'KafkaTopic').map((r) => r.doc) as unknown as {
      metadata: { name: string };
      spec: {
        topicName?: string;
        partitions: number;
        replicas: number;
        config: Record<string, string>;
      };
    }[];
    for (const spec of topicSpecs({}, 3)) {
      const t = topics.find((x) => (x.spec.topicName ?? x.metadata.name) === spec.topic);
      expect(t?.spec).toMatchObject({ partitions: spec.partitions, replicas: 3 });
      expect(t?.spec.config['min.insync.replicas']).toBe('2');
    }
  });

  it('run every service with probes, requests, a disruption budget and a graceful stop', () => {
    const deployments = BASE.filter(
      (r) => r.doc.kind === 'Deployment' && r.file === 'base/services.yaml',
    ).map((r) => r.doc) as unknown as {
      metadata: { name: string };
      spec: {
        template: {
          spec: {
            terminationGracePeriodSeconds: number;
            containers: {
              image: string;
              args: string[];
              livenessProbe: { httpGet: { path: string } };
              readinessProbe: { httpGet: { path: string } };
              resources: { requests: { cpu: string; memory: string } };
              env: { name: string; value?: string; valueFrom?: unknown }[];
            }[];
          };
        };
      };
    }[];
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([
      'enrich',
      'gateway',
      'query',
      'sink',
    ]);
    const pdbs = BASE.filter((r) => r.doc.kind === 'PodDisruptionBudget').map(
      (r) => r.doc.metadata.name,
    );
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      expect(c!.image).toBe('backbone');
      expect(c!.livenessProbe.httpGet.path).toBe('/health');
      expect(c!.readinessProbe.httpGet.path).toBe('/ready');
      expect(c!.resources.requests.cpu).toBeTruthy();
      // Longer than the 30 s shutdown sequence.
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(30);
      expect(pdbs).toContain(d.metadata.name);
      // Secrets come from Secrets, never as values.
      for (const e of c!.env.filter((x) =>
        /(_KEY|_KEYS|PASSWORD|SECRET)$|^REDIS_URL$/.test(x.name),
      ))
        expect(e.value, e.name).toBeUndefined();
    }
    const scaled = BASE.filter((r) => r.doc.kind === 'ScaledObject').map(
      (r) =>
        (r.doc as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef
          .name,
    );
    expect(scaled.sort()).toEqual(['enrich', 'sink']);
    expect(
      BASE.some((r) => r.doc.kind === 'Job' && r.doc.metadata.name === 'backbone-migrate'),
    ).toBe(true);
  });

  it('make the warehouse on the ClickHouse cluster the installation defines', () => {
    const config = BASE.find((r) => r.doc.kind === 'ConfigMap')!.doc as unknown as {
      data: Record<string, string>;
    };
    const chi = BASE.find((r) => r.doc.kind === 'ClickHouseInstallation')!.doc as unknown as {
      metadata: { name: string };
      spec: { configuration: { clusters: { name: string }[] } };
    };
    expect(chi.spec.configuration.clusters.map((c) => c.name)).toContain(
      config.data.CLICKHOUSE_CLUSTER,
    );
    expect(config.data.CLICKHOUSE_URL).toBe(`http://clickhouse-${chi.metadata.name}:8123`);
  });
});
