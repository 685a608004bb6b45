import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '@backbone/runtime';
import { STREAM_NAMES, topicName } from '@backbone/schemas';
import { alertMetrics } from '../metrics.js';
import type { KeyAdmin } from '../keys.js';
import type { AlertsApi } from '../http/alerts.route.js';
import { DeadLetterCounter } from './dead-letters.js';
import { AlertEvaluator, RedisLease } from './evaluator.js';
import { kafkaAuth } from '@backbone/runtime';

/**
 * The alerts of a running query service: the API's parts, and the evaluator with the
 * dead-letter counter (one evaluating instance among those that share a Redis).
 */
export function alerting(o: {
  keys: KeyAdmin;
  brokers: string[];
  signingKey: string;
  allowHttp: boolean;
  intervalSeconds: number;
  reader: ClickHouseClient;
  writer: ClickHouseClient;
  database: string;
  redis: Redis | undefined;
  logger: Logger;
}): { api: AlertsApi; start: (registry: Registry) => Promise<void>; stop: () => Promise<void> } {
  const logger = o.logger.child({ module: 'alerts' });
  const deadLetters = new DeadLetterCounter({
    kafka: new Kafka({
      ...kafkaAuth(),
      clientId: 'query-service-dlq',
      brokers: o.brokers,
      logLevel: logLevel.NOTHING,
    }),
    topics: STREAM_NAMES.map((s) => topicName('dlq', s)),
    logger,
  });
  let evaluator: AlertEvaluator | undefined;
  let stopped = false;
  return {
    api: { store: o.keys.alerts, signingKey: o.signingKey, allowHttp: o.allowHttp },
    async start(registry) {
      const interval = o.intervalSeconds * 1000;
      evaluator = new AlertEvaluator({
        alerts: () => o.keys.alerts.list(),
        reader: o.reader,
        writer: o.writer,
        database: o.database,
        signingKey: o.signingKey,
        logger,
        deadLetters,
        metrics: alertMetrics(registry),
        ...(o.redis ? { lease: new RedisLease(o.redis, interval * 3) } : {}),
      });
      // Kafka or ClickHouse may come up after this service: tried again until they answer.
      for (let attempt = 1; !stopped; attempt++)
        try {
          await deadLetters.start();
          await evaluator.start(interval);
          logger.info({ intervalSeconds: o.intervalSeconds }, 'evaluating alerts');
          return;
        } catch (err) {
          await deadLetters.stop().catch(() => undefined);
          logger.warn({ err, attempt }, 'alerts cannot start yet; trying again in 5 s');
          await new Promise((r) => setTimeout(r, 5000));
        }
    },
    async stop() {
      stopped = true;
      await evaluator?.stop();
      await deadLetters.stop();
    },
  };
}
