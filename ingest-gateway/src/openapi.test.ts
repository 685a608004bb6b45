import { fileURLToPath } from 'node:url';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@backbone/runtime';
import { conformingInject, fastifyRoutes, OpenApiContract } from '@backbone/test/openapi';
import { ApiKeyStore } from './api-keys.js';
import { buildGateway } from './app.js';
import { GatewayConfig } from './config.js';

const FILE = fileURLToPath(new URL('../openapi.yaml', import.meta.url));

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    {
      sink: { pending: 0, produce: async () => {} },
      keys: new ApiKeyStore([]),
      logger: createLogger({ name: 'test', level: 'silent' }),
      checks: [],
    },
  );
  await app.ready();
});
afterAll(() => app.close());

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const contract = OpenApiContract.load(FILE);
    expect(contract.doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(contract.doc) as never);
    expect(result).toMatchObject({ valid: true });
  });

  it('documents every route the gateway serves, and the gateway serves every one it documents', () => {
    const contract = OpenApiContract.load(FILE);
    const served = fastifyRoutes(app.printRoutes({ commonPrefix: false }));
    expect(served.length).toBeGreaterThan(20);
    const undocumented = served.filter((r) => {
      const [method, path] = r.split(' ') as [string, string];
      return !contract.operation(method, path);
    });
    expect(undocumented).toEqual([]);
    const unserved = contract.operations.filter(
      (o) => !served.some((r) => r.startsWith(`${o.method} `) && o.pattern.test(r.split(' ')[1]!)),
    );
    expect(unserved.map((o) => `${o.method} ${o.path}`)).toEqual([]);
  });

  it('describes the answers of the service routes and of a snippet version that does not exist', async () => {
    const contract = OpenApiContract.load(FILE);
    const checked = conformingInject(app, contract);
    expect((await checked.inject({ url: '/v1/snippet-0.0.0.js' })).statusCode).toBe(404);
    expect((await checked.inject({ url: '/v1/snippet.js' })).statusCode).toBe(200);
    for (const url of ['/health', '/ready', '/api/v1/health', '/metrics'])
      expect((await checked.inject({ url })).statusCode, url).toBe(200);
  });
});
