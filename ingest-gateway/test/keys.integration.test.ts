import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { createLogger } from '@backbone/runtime';
import { everyGateway, gatewayStatus, testKafka, uniqueName } from '@backbone/test';
import { ApiKeyStore, hashApiKey } from '../src/api-keys.js';
import { buildGateway } from '../src/app.js';
import { GatewayConfig } from '../src/config.js';
import { KeyDirectory, KeyWriter } from '../src/key-directory.js';

/**
 * API keys as data: created, revoked and rotated in the tenants topic of the real broker,
 * applied by two running gateway instances without a restart.
 */
const logger = createLogger({ name: 'test', level: 'silent' });
const topic = uniqueName('_tenants');
const FILE_KEY = 'bbk_bootstrap-file-key';
let producer: Producer;
let writer: KeyWriter;
const gateways: { app: FastifyInstance; keys: KeyDirectory }[] = [];

async function gateway() {
  const keys = new KeyDirectory({
    kafka: testKafka(),
    topic,
    file: new ApiKeyStore([
      {
        id: 'key_file',
        hash: hashApiKey(FILE_KEY),
        tenant_id: 'acme',
        source: 'bootstrap',
        created_at: '2026-01-01T00:00:00Z',
      },
    ]),
    logger,
  });
  await keys.start();
  await keys.whenReady();
  const app = await buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    {
      sink: { produce: () => Promise.resolve(), pending: 0 },
      keys,
      logger,
      checks: [{ name: 'keys', run: () => keys.ready }],
    },
  );
  gateways.push({ app, keys });
  return app;
}

const status = gatewayStatus;
const everywhere = (key: string, expected: number) =>
  everyGateway(
    gateways.map((g) => g.app),
    key,
    expected,
  );

beforeAll(async () => {
  producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  writer = new KeyWriter(producer, topic);
  await gateway();
  await gateway();
}, 60_000);
afterAll(async () => {
  for (const g of gateways) {
    await g.app.close();
    await g.keys.stop();
  }
  await producer?.disconnect();
});

describe('API keys from the tenants topic', () => {
  it('takes a key created in the topic on both instances within 5 s, and refuses it within 5 s of its revocation', async () => {
    const { key, record } = await writer.create({
      tenantId: 'acme',
      source: 'web-app',
      by: 'test',
    });
    expect(JSON.stringify(record)).not.toContain(key);
    const accepted = await everywhere(key, 202);
    await writer.expire(record, 'test');
    const refused = await everywhere(key, 401);
    console.log(`key created: accepted in ${accepted} ms; revoked: refused in ${refused} ms`);
    const ready = await gateways[0]!.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
  });

  it('rotates with an overlap: both keys work, then only the new one', async () => {
    const { record: old, key: oldKey } = await writer.create({
      tenantId: 'acme',
      source: 'billing',
      by: 'test',
    });
    await everywhere(oldKey, 202);
    const { key: newKey } = await writer.create({
      tenantId: 'acme',
      source: 'billing',
      by: 'test',
    });
    await writer.expire(old, 'test', new Date(Date.now() + 1500));
    await everywhere(newKey, 202);
    expect(await status(gateways[1]!.app, oldKey)).toBe(202);
    await new Promise((r) => setTimeout(r, 1600));
    await everywhere(oldKey, 401);
    await everywhere(newKey, 202);
  });

  it('keeps the bootstrap file key until the topic revokes it', async () => {
    await everywhere(FILE_KEY, 202);
    await writer.expire(
      {
        kind: 'api_key',
        id: 'key_file',
        hash: hashApiKey(FILE_KEY),
        tenant_id: 'acme',
        source: 'bootstrap',
        created_at: '2026-01-01T00:00:00Z',
        changed_by: 'test',
        changed_at: new Date().toISOString(),
      },
      'test',
    );
    await everywhere(FILE_KEY, 401);
  });
});
