#!/bin/sh
# Generated from deploy/local/src/stack/kafka-users.ts (npm run stack -- kafka-setup-script);
# do not edit. Creates the backbone's Kafka users (SCRAM-SHA-512, passwords from
# KAFKA_PASSWORD_<USER>) and their ACLs, as the admin, with Kafka's own tools. Idempotent.
set -eu
bin=/opt/kafka/bin
: "${KAFKA_BOOTSTRAP:?the broker, e.g. kafka:29092}"
: "${KAFKA_ADMIN_CONFIG:?a client properties file with the admin's SASL settings}"
for user in admin gateway producer enrich sink query registry; do
  var=KAFKA_PASSWORD_$(echo "$user" | tr '[:lower:]' '[:upper:]')
  eval "password=\${$var:?set $var}"
  "$bin/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_CONFIG" \
    --alter --entity-type users --entity-name "$user" --add-config "SCRAM-SHA-512=[password=$password]"
done
acl() {
  user=$1
  shift
  "$bin/kafka-acls.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$KAFKA_ADMIN_CONFIG" \
    --add --allow-principal "User:$user" "$@" >/dev/null
}
acl gateway --topic 'raw.' --resource-pattern-type prefixed --operation Write --operation Describe
acl gateway --topic '_tenants' --operation Read --operation Describe
acl gateway --group 'backbone-keys-' --resource-pattern-type prefixed --operation Read
acl gateway --cluster --operation Describe
acl producer --topic 'raw.' --resource-pattern-type prefixed --operation Write --operation Describe
acl producer --cluster --operation Describe
acl enrich --topic 'raw.' --resource-pattern-type prefixed --operation Read --operation Describe
acl enrich --topic 'events.' --resource-pattern-type prefixed --operation Write --operation Describe
acl enrich --topic 'dlq.' --resource-pattern-type prefixed --operation Write --operation Describe
acl enrich --topic '_subject_' --resource-pattern-type prefixed --operation Read --operation Write --operation Describe --operation Create
acl enrich --topic '_tenants' --operation Read --operation Describe
acl enrich --group 'backbone-enrich' --resource-pattern-type prefixed --operation Read
acl enrich --group 'backbone-erasure' --resource-pattern-type prefixed --operation Read
acl enrich --group 'backbone-tenant-policies-' --resource-pattern-type prefixed --operation Read
acl enrich --group 'backbone-subjects-' --resource-pattern-type prefixed --operation Read
acl enrich --transactional-id 'backbone-enrich' --resource-pattern-type prefixed --operation Write --operation Describe
acl enrich --cluster --operation Describe
acl sink --topic 'events.' --resource-pattern-type prefixed --operation Read --operation Describe
acl sink --topic 'dlq.' --resource-pattern-type prefixed --operation Write --operation Describe
acl sink --topic '_subject_' --resource-pattern-type prefixed --operation Read --operation Describe --operation Create
acl sink --topic '_tenants' --operation Read --operation Describe
acl sink --group 'backbone-sink' --resource-pattern-type prefixed --operation Read
acl sink --group 'backbone-subjects-' --resource-pattern-type prefixed --operation Read
acl sink --group 'backbone-tenant-policies-' --resource-pattern-type prefixed --operation Read
acl sink --cluster --operation Describe
acl query --topic '_tenants' --operation Read --operation Write --operation Describe
acl query --topic '_subject_erasure_requests' --operation Write --operation Describe
acl query --topic 'dlq.' --resource-pattern-type prefixed --operation Read --operation Describe
acl query --group 'backbone-keys-' --resource-pattern-type prefixed --operation Read
acl query --group 'backbone-dead-letters-' --resource-pattern-type prefixed --operation Read
acl query --cluster --operation Describe
acl registry --topic '_schemas' --operation Read --operation Write --operation Describe --operation Create --operation DescribeConfigs
acl registry --group 'schema-registry-loader-' --resource-pattern-type prefixed --operation Read
acl registry --cluster --operation Describe --operation Create
echo "Kafka users and ACLs are in place"
