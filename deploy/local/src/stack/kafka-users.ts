import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import kafkajs, { type Admin, type AclEntry } from 'kafkajs';

// kafkajs is CommonJS: its enums are not named exports under ESM.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/**
 * The broker's users (SASL/SCRAM-SHA-512), one per kind of client, each allowed what it
 * needs and nothing else (docs/operations.md § Kafka authentication):
 * - admin: the super user (the stack itself, the CLIs, tests);
 * - gateway and producer (the producer SDK): write raw.*;
 * - enrich: reads raw.*, writes events.* and dlq.*, keeps the subject keys;
 * - sink: reads events.*, writes dlq.*, reads the subject keys;
 * - query: the tenants topic, erasure requests, and reads dlq.* for alerts;
 * - registry: the schema registry's _schemas topic.
 */
export const KAFKA_USERS = [
  'admin',
  'gateway',
  'producer',
  'enrich',
  'sink',
  'query',
  'registry',
] as const;
export type KafkaUser = (typeof KAFKA_USERS)[number];

export type Grant = {
  type: 'topic' | 'group' | 'transactional' | 'cluster';
  name: string;
  prefixed: boolean;
  ops: (keyof typeof AclOperationTypes)[];
};
const prefix = (type: Grant['type'], name: string, ...ops: Grant['ops']): Grant => ({
  type,
  name,
  prefixed: true,
  ops,
});
const literal = (type: Grant['type'], name: string, ...ops: Grant['ops']): Grant => ({
  type,
  name,
  prefixed: false,
  ops,
});

const WRITE: Grant['ops'] = ['WRITE', 'DESCRIBE'];
const READ: Grant['ops'] = ['READ', 'DESCRIBE'];
const cluster = literal('cluster', 'kafka-cluster', 'DESCRIBE');

/** What each user may do. Group and transactional ids are the services' defaults. */
export const KAFKA_ACLS: Record<Exclude<KafkaUser, 'admin'>, Grant[]> = {
  gateway: [
    prefix('topic', 'raw.', ...WRITE),
    literal('topic', '_tenants', ...READ),
    prefix('group', 'backbone-keys-', 'READ'),
    cluster,
  ],
  producer: [prefix('topic', 'raw.', ...WRITE), cluster],
  enrich: [
    prefix('topic', 'raw.', ...READ),
    prefix('topic', 'events.', ...WRITE),
    prefix('topic', 'dlq.', ...WRITE),
    // The subject topics are made by the first worker that needs them.
    prefix('topic', '_subject_', 'READ', 'WRITE', 'DESCRIBE', 'CREATE'),
    literal('topic', '_tenants', ...READ),
    prefix('group', 'backbone-enrich', 'READ'),
    prefix('group', 'backbone-erasure', 'READ'),
    prefix('group', 'backbone-tenant-policies-', 'READ'),
    prefix('group', 'backbone-subjects-', 'READ'),
    prefix('transactional', 'backbone-enrich', 'WRITE', 'DESCRIBE'),
    cluster,
  ],
  sink: [
    prefix('topic', 'events.', ...READ),
    prefix('topic', 'dlq.', ...WRITE),
    prefix('topic', '_subject_', 'READ', 'DESCRIBE', 'CREATE'),
    literal('topic', '_tenants', ...READ),
    prefix('group', 'backbone-sink', 'READ'),
    prefix('group', 'backbone-subjects-', 'READ'),
    prefix('group', 'backbone-tenant-policies-', 'READ'),
    cluster,
  ],
  query: [
    literal('topic', '_tenants', 'READ', 'WRITE', 'DESCRIBE'),
    literal('topic', '_subject_erasure_requests', ...WRITE),
    prefix('topic', 'dlq.', ...READ),
    prefix('group', 'backbone-keys-', 'READ'),
    prefix('group', 'backbone-dead-letters-', 'READ'),
    cluster,
  ],
  registry: [
    literal('topic', '_schemas', 'READ', 'WRITE', 'DESCRIBE', 'CREATE', 'DESCRIBE_CONFIGS'),
    prefix('group', 'schema-registry-loader-', 'READ'),
    literal('cluster', 'kafka-cluster', 'DESCRIBE', 'CREATE'),
  ],
};

const RESOURCE = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  transactional: AclResourceTypes.TRANSACTIONAL_ID,
  cluster: AclResourceTypes.CLUSTER,
} as const;

/** Every ACL of the catalog as kafkajs creates them. */
export function aclEntries(): AclEntry[] {
  return Object.entries(KAFKA_ACLS).flatMap(([user, grants]) =>
    grants.flatMap((g) =>
      g.ops.map((op) => ({
        resourceType: RESOURCE[g.type],
        resourceName: g.name,
        resourcePatternType: g.prefixed
          ? ResourcePatternTypes.PREFIXED
          : ResourcePatternTypes.LITERAL,
        principal: `User:${user}`,
        host: '*',
        operation: AclOperationTypes[op],
        permissionType: AclPermissionTypes.ALLOW,
      })),
    ),
  );
}

/** Creates the catalog's ACLs (creating one that exists changes nothing). */
export async function applyAcls(admin: Admin): Promise<void> {
  await admin.createAcls({ acl: aclEntries() });
}

/**
 * The users' passwords of a stack's data directory: made on first use (random, base64url, so
 * they need no quoting in the broker's configuration) and kept, readable by the owner only.
 */
export function kafkaPasswords(stackDir: string): Record<KafkaUser, string> {
  const file = path.join(stackDir, 'kafka-users.json');
  const known = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<KafkaUser, string>>)
    : {};
  const all = Object.fromEntries(
    KAFKA_USERS.map((u) => [u, known[u] ?? randomBytes(18).toString('base64url')]),
  ) as Record<KafkaUser, string>;
  if (KAFKA_USERS.some((u) => known[u] === undefined))
    writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  return all;
}
