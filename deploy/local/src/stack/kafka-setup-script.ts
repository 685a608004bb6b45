import { KAFKA_ACLS, KAFKA_USERS } from './kafka-users.js';

const OPERATION: Record<string, string> = {
  READ: 'Read',
  WRITE: 'Write',
  DESCRIBE: 'Describe',
  CREATE: 'Create',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
};
const RESOURCE: Record<string, (name: string) => string> = {
  topic: (n) => `--topic '${n}'`,
  group: (n) => `--group '${n}'`,
  transactional: (n) => `--transactional-id '${n}'`,
  cluster: () => '--cluster',
};

/**
 * The same users and ACLs as the local stack (kafka-users.ts), as a shell script for
 * Kafka's own tools: what the compose file's kafka-setup service runs against the broker
 * (deploy/docker/kafka/setup.sh, kept equal to this by a test).
 */
export function kafkaSetupScript(): string {
  const users = KAFKA_USERS.join(' ');
  const acls = Object.entries(KAFKA_ACLS).flatMap(([user, grants]) =>
    grants.map(
      (g) =>
        `acl ${user} ${RESOURCE[g.type]!(g.name)}${g.prefixed ? ' --resource-pattern-type prefixed' : ''} ${g.ops.map((op) => `--operation ${OPERATION[op]!}`).join(' ')}`,
    ),
  );
  return `#!/bin/sh
# Generated from deploy/local/src/stack/kafka-users.ts (npm run stack -- kafka-setup-script);
# do not edit. Creates the backbone's Kafka users (SCRAM-SHA-512, passwords from
# KAFKA_PASSWORD_<USER>) and their ACLs, as the admin, with Kafka's own tools. Idempotent.
set -eu
bin=/opt/kafka/bin
: "\${KAFKA_BOOTSTRAP:?the broker, e.g. kafka:29092}"
: "\${KAFKA_ADMIN_CONFIG:?a client properties file with the admin's SASL settings}"
for user in ${users}; do
  var=KAFKA_PASSWORD_$(echo "$user" | tr '[:lower:]' '[:upper:]')
  eval "password=\\\${$var:?set $var}"
  "$bin/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_CONFIG" \\
    --alter --entity-type users --entity-name "$user" --add-config "SCRAM-SHA-512=[password=$password]"
done
acl() {
  user=$1
  shift
  "$bin/kafka-acls.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_CONFIG" \\
    --add --allow-principal "User:$user" "$@" >/dev/null
}
${acls.join('\n')}
echo "Kafka users and ACLs are in place"
`;
}
