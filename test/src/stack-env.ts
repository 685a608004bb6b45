import { inject } from 'vitest';

/**
 * Each integration test process authenticates to the stack's broker as its super user, the
 * way a shell that sourced endpoints.env does: every Kafka client of the project (and every
 * child process a test starts) takes its credentials from KAFKA_SASL_*.
 */
const stack = inject('stack');
if (stack.kafkaUser) {
  process.env.KAFKA_SASL_MECHANISM = 'scram-sha-512';
  process.env.KAFKA_SASL_USERNAME = stack.kafkaUser;
  process.env.KAFKA_SASL_PASSWORD = stack.kafkaPassword;
}
