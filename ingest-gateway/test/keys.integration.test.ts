import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import { createLogger } from '@backbone/runtime';
import { spawn } from 'node:child_process';
import { REPO_ROOT } from '@backbone/deploy/local';
import { everyGateway, gatewayStatus, testKafka, testStack, uniqueName } from '@backbone/test';
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

/** `npm run gateway:keys -- …` as a process of its own, on this file's topic. */
function keysCli(...args: string[]) {
  return new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const proc = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'ingest-gateway/src/keys-cli.ts', ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, KAFKA_BROKERS: testStack().kafkaBrokers, TENANTS_TOPIC: topic },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.on('exit', (code) => resolve({ code, stdout }));
  });
}

describe('the keys CLI on the tenants topic', () => {
  it('creates, lists, rotates and revokes keys the running gateways follow', async () => {
    const created = await keysCli(
      'create',
      '--topic',
      '--tenant',
      'globex',
      '--source',
      'cli',
      '--by',
      'ops',
    );
    expect(created.code, created.stdout).toBe(0);
    const key = /X-API-Key: (bbk_\S+)/.exec(created.stdout)![1]!;
    const id = /created (key_[0-9a-f]+)/.exec(created.stdout)![1]!;
    await everywhere(key, 202);

    const listed = await keysCli('list', '--tenant', 'globex');
    expect(listed.stdout).toContain(`${id}  globex  cli`);
    expect(listed.stdout).not.toContain(key);

    const rotated = await keysCli('rotate', '--id', id, '--overlap-seconds', '0', '--by', 'ops');
    expect(rotated.code).toBe(0);
    const next = /X-API-Key: (bbk_\S+)/.exec(rotated.stdout)![1]!;
    await everywhere(key, 401);
    await everywhere(next, 202);
    const nextId = /→ (key_[0-9a-f]+)/.exec(rotated.stdout)![1]!;
    expect((await keysCli('revoke', '--id', nextId)).code).toBe(0);
    await everywhere(next, 401);
    expect((await keysCli('revoke', '--id', 'key_none')).code).toBe(1);
    expect((await keysCli('revoke')).code).toBe(2);
  }, 60_000);
});
