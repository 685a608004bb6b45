/** How a client authenticates to Kafka, from the environment every service and tool reads. */
export interface KafkaAuth {
  sasl?: Sasl;
  ssl?: boolean;
}

const MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const;
type Mechanism = (typeof MECHANISMS)[number];
/** One object type per mechanism, as Kafka clients type it. */
type Sasl = { [M in Mechanism]: { mechanism: M; username: string; password: string } }[Mechanism];

/**
 * Credentials for a Kafka client (kafkajs' `sasl` and `ssl`) from KAFKA_SASL_USERNAME,
 * KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM (scram-sha-512 by default) and KAFKA_SSL=true;
 * none without a username. Every Kafka client of the project takes its credentials here, as
 * it takes its brokers from KAFKA_BROKERS (docs/operations.md § Kafka authentication).
 */
export function kafkaAuth(env: NodeJS.ProcessEnv = process.env): KafkaAuth {
  const ssl = env.KAFKA_SSL === 'true' ? { ssl: true } : {};
  const username = env.KAFKA_SASL_USERNAME;
  if (!username) return ssl;
  const mechanism = (env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512').toLowerCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism))
    throw new Error(`KAFKA_SASL_MECHANISM: one of ${MECHANISMS.join(', ')}`);
  const password = env.KAFKA_SASL_PASSWORD ?? '';
  return {
    ...ssl,
    sasl: { mechanism, username, password } as Sasl,
  };
}
