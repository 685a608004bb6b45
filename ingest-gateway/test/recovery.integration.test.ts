import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { downStack, serviceEnv, stopProcess, upStack } from '@backbone/deploy/local';
import { createLogger, kafkaAuth } from '@backbone/runtime';
import {
  ApiKeyStore,
  buildGateway,
  GatewayConfig,
  hashApiKey,
  KafkaSink,
} from '@backbone/ingest-gateway';
import { uniqueName, waitFor, testTempDir } from '@backbone/test';

const KEY = `bbk_${randomUUID()}`;
const silent = () => createLogger({ name: 'test', level: 'silent' });

describe('ingest gateway when Kafka goes away', () => {
  it('answers 503 while the broker is down and accepts again by itself once it is back', async () => {
    // A private stack: stopping the shared broker would break every other test.
    const dataDir = testTempDir('recovery');
    const stack = await upStack({ dataDir, ports: 'auto', redis: 'none', kafkaHeap: '384m' });
    const config = GatewayConfig.parse({
      KAFKA_BROKERS: stack.endpoints.kafkaBrokers,
      SCHEMA_REGISTRY_URL: stack.endpoints.schemaRegistryUrl,
      API_KEYS_FILE: '/dev/null',
      PRODUCE_TIMEOUT_MS: '1500',
    });
    const sink = new KafkaSink(
      {
        // The private stack's own gateway user.
        ...kafkaAuth(serviceEnv(stack.endpoints, 'gateway')),
        brokers: config.KAFKA_BROKERS,
        registryUrl: config.SCHEMA_REGISTRY_URL,
        clientId: uniqueName('gw'),
      },
      silent(),
      200,
    );
    void sink.start();
    const keys = new ApiKeyStore([
      {
        id: 'k',
        hash: hashApiKey(KEY),
        tenant_id: 'acme',
        source: 'web',
        created_at: '2025-01-01T00:00:00Z',
      },
    ]);
    const app = await buildGateway(config, { sink, keys, logger: silent(), checks: [] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/events`;
    const post = () =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({
          events: [
            {
              event_id: randomUUID(),
              event_type: 'click',
              timestamp: new Date().toISOString(),
              session_id: 's',
              properties: { element: '#buy' },
            },
          ],
        }),
      });
    try {
      await waitFor(() => sink.connected, {
        timeoutMs: 30_000,
        description: 'the gateway to connect',
      });
      expect((await post()).status).toBe(202);

      await stopProcess(stack.kafka.pid);
      const refused = await post();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');

      // The same ports, so the gateway's configuration still points at the broker.
      await upStack({
        dataDir,
        redis: 'none',
        kafkaHeap: '384m',
        ports: {
          kafka: stack.kafka.port,
          kafkaController: stack.kafka.controllerPort,
          clickhouse: stack.clickhouse.port,
          registry: stack.registry.port,
        },
      });
      const status = await waitFor(async () => ((await post()).status === 202 ? 202 : undefined), {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: 'the gateway to accept again',
      });
      expect(status).toBe(202);
    } finally {
      await app.close();
      await sink.close();
      await downStack(dataDir, { purge: true });
    }
  });
});
