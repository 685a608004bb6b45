import { stringify } from 'yaml';
import { tenantsTopicSpec } from '@backbone/runtime';
import { topicSpecs } from '@backbone/schemas';
import { KAFKA_ACLS, type Grant } from '../../local/src/stack/kafka-users.js';

/**
 * The Strimzi resources made from the project's own catalogs, so a cluster gets the same
 * topics and the same least-privilege users as the local broker: `KafkaTopic` for every
 * topic of the stream catalog (three replicas, `min.insync.replicas` 2), the tenants topic
 * and the registry's `_schemas`; `KafkaUser` (SCRAM-SHA-512) for every service with the ACLs
 * of deploy/local/src/stack/kafka-users.ts. The subject topics are made by the first enrich
 * worker (its user may create `_subject_*`). `base/kafka-topics.yaml` and
 * `base/kafka-users.yaml` are these; a test keeps them equal.
 */
export const CLUSTER = 'backbone';
const BROKERS = 3;
const labels = { 'strimzi.io/cluster': CLUSTER, 'app.kubernetes.io/part-of': 'backbone' };

/** A Kubernetes name for a topic (`_tenants` → `tenants`, `raw.web.v1` stays). */
const resourceName = (topic: string) =>
  topic
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+/, '');

const topic = (name: string, partitions: number, config: Record<string, string | number>) => ({
  apiVersion: 'kafka.strimzi.io/v1',
  kind: 'KafkaTopic',
  metadata: { name: resourceName(name), labels },
  spec: {
    ...(resourceName(name) === name ? {} : { topicName: name }),
    partitions,
    replicas: BROKERS,
    config,
  },
});

export function kafkaTopics() {
  const tenants = tenantsTopicSpec('_tenants');
  return [
    ...topicSpecs({}, BROKERS).map((s) => topic(s.topic, s.partitions, s.config)),
    topic(
      '_tenants',
      tenants.numPartitions ?? 1,
      Object.fromEntries((tenants.configEntries ?? []).map((c) => [c.name, c.value])),
    ),
    topic('_schemas', 1, { 'cleanup.policy': 'compact' }),
  ];
}

const OPERATION: Record<Grant['ops'][number], string> = {
  READ: 'Read',
  WRITE: 'Write',
  CREATE: 'Create',
  DELETE: 'Delete',
  ALTER: 'Alter',
  DESCRIBE: 'Describe',
  CLUSTER_ACTION: 'ClusterAction',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  ALTER_CONFIGS: 'AlterConfigs',
  IDEMPOTENT_WRITE: 'IdempotentWrite',
  ALL: 'All',
  ANY: 'All',
  UNKNOWN: 'All',
};

const RESOURCE = {
  topic: 'topic',
  group: 'group',
  transactional: 'transactionalId',
  cluster: 'cluster',
} as const;

export function kafkaUsers() {
  return Object.entries(KAFKA_ACLS).map(([user, grants]) => ({
    apiVersion: 'kafka.strimzi.io/v1',
    kind: 'KafkaUser',
    metadata: { name: `backbone-${user}`, labels },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: {
        type: 'simple',
        acls: grants.map((g) => ({
          resource:
            g.type === 'cluster'
              ? { type: 'cluster' }
              : {
                  type: RESOURCE[g.type],
                  name: g.name,
                  patternType: g.prefixed ? 'prefix' : 'literal',
                },
          operations: g.ops.map((op) => OPERATION[op]),
          host: '*',
        })),
      },
    },
  }));
}

const HEADER =
  '# Generated from the stream catalog and deploy/local/src/stack/kafka-users.ts:\n# UPDATE_MANIFESTS=1 npx vitest run deploy/kubernetes rewrites it.\n';

export const asYaml = (docs: object[]) =>
  HEADER + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
