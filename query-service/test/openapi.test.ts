import { fileURLToPath } from 'node:url';
import { validate } from '@readme/openapi-parser';
import { SignJWT } from 'jose';
import { inject as injectRaw } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conforming, OpenApiContract } from '@backbone/test/openapi';
import { createQueryService, type QueryService } from '../src/app.js';
import { jwtAuthenticator } from '../src/auth.js';
import { fakeRepositories, memoryLogger } from './fakes.js';

/**
 * openapi.yaml against the service itself: a valid OpenAPI 3.1 document, every route the
 * service serves is in it and every operation in it is served, and the answers of an instance
 * without Kafka or SQL (the 401s, 403s, 400s and 503s a client meets) are as documented. The
 * end-to-end suite checks the successful answers of the whole backbone against it.
 */
const FILE = fileURLToPath(new URL('../openapi.yaml', import.meta.url));
const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const contract = OpenApiContract.load(FILE);
const inject = conforming(injectRaw, contract);
const bearer = async (role: string) =>
  `Bearer ${await new SignJWT({ tenant_id: 'acme', role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tester')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))}`;

let service: QueryService;
beforeAll(async () => {
  service = await createQueryService({
    repositories: fakeRepositories({}, []),
    checks: [{ name: 'clickhouse', run: () => true }],
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger: memoryLogger().logger,
  });
});
afterAll(() => service.stop());

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

/** `METHOD /path/{param}` of every route in an Express app's routers. */
function expressRoutes(stack: Layer[]): string[] {
  return stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`)
      : expressRoutes(layer.handle?.stack ?? []),
  );
}

describe('openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(contract.doc.openapi).toBe('3.1.0');
    expect(await validate(structuredClone(contract.doc) as never)).toMatchObject({ valid: true });
  });

  it('documents every route the service serves, and the service serves every one it documents', () => {
    const app = service.app as unknown as { router: { stack: Layer[] } };
    const served = [...new Set(expressRoutes(app.router.stack))];
    expect(served.length).toBeGreaterThan(35);
    expect(served.filter((r) => !contract.names.includes(r))).toEqual([]);
    // GraphQL is mounted middleware, not routes: its three operations are asked below.
    const graphql = ['GET /graphql', 'POST /graphql', 'GET /graphql/schema.graphql'];
    expect(contract.names.filter((n) => !served.includes(n) && !graphql.includes(n))).toEqual([]);
  });

  it('describes what an instance without Kafka or SQL answers each operation', async () => {
    const tokens = {
      viewer: await bearer('viewer'),
      admin: await bearer('admin'),
      platform: await bearer('platform_admin'),
    };
    for (const op of contract.operations) {
      const url = op.path
        .replace('{id}', '00000000-0000-4000-8000-000000000000')
        .replace(/\{\w+\}/g, 'x');
      const role = op.path.startsWith('/api/v1/admin') ? 'platform' : 'admin';
      for (const authorization of [undefined, tokens.viewer, tokens[role]]) {
        const res = await inject(service.app, {
          method: op.method as 'GET',
          url,
          headers: {
            'content-type': 'application/json',
            accept: 'text/html',
            ...(authorization ? { authorization } : {}),
          },
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: '{}' }),
        });
        // Every API operation asks for a token first (SQL on an instance without it says so to all).
        if (!authorization && url.startsWith('/api/v1/') && url !== '/api/v1/sql')
          expect(res.statusCode, `${op.method} ${url}`).toBe(401);
      }
    }
    expect(contract.unchecked()).toEqual([]);
  });
});
