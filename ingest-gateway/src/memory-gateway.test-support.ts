import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@backbone/runtime';
import { conformingInject, OpenApiContract } from '@backbone/test/openapi';
import type { StreamEvents, StreamName } from '@backbone/schemas';
import { ApiKeyStore, hashApiKey } from './api-keys.js';
import { buildGateway } from './app.js';
import { GatewayConfig } from './config.js';
import type { ConsentState } from './consent-state.js';
import type { ConsentPolicy } from './consent.js';

/** The gateway's OpenAPI document: every answer a unit test injects is checked against it. */
export const GATEWAY_API = OpenApiContract.load(
  fileURLToPath(new URL('../openapi.yaml', import.meta.url)),
);

export type Produced = { stream: StreamName; event: StreamEvents[StreamName] }[];

/**
 * A gateway whose events go to `produced` instead of Kafka, with one API key (`key`, tenant
 * acme) and a fixed clock (2025-01-15T10:30:00Z): for tests of what the routes accept.
 */
export function memoryGateway(
  key: string,
  produced: Produced,
  options: { consent?: ConsentState; policy?: ConsentPolicy } = {},
): Promise<FastifyInstance> {
  const app = buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    {
      sink: {
        produce: (stream, event) => {
          produced.push({ stream, event });
          return Promise.resolve();
        },
        pending: 0,
      },
      keys: new ApiKeyStore([
        {
          id: 'k1',
          hash: hashApiKey(key),
          tenant_id: 'acme',
          source: 'web-app',
          created_at: '2025-01-01T00:00:00Z',
          ...(options.policy ? { consent_policy: options.policy } : {}),
        },
      ]),
      logger: createLogger({ name: 'test', level: 'silent' }),
      checks: [],
      ...(options.consent ? { consent: options.consent } : {}),
      now: () => Date.parse('2025-01-15T10:30:00Z'),
    },
  );
  return app.then((a) => conformingInject(a, GATEWAY_API));
}
