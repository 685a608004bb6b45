import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@backbone/runtime';
import { EventTracker } from '@backbone/schemas/http-client';
import { ApiKeyStore, hashApiKey } from './api-keys.js';
import { conformingInject } from '@backbone/test/openapi';
import { GATEWAY_API } from './memory-gateway.test-support.js';
import { buildGateway } from './app.js';
import { GatewayConfig } from './config.js';
import { signatureHeader, type SeenSignatures } from './signature.js';

const KEY = 'bbk_signed-key';
const SECRET = 'bbs_signing-secret-of-the-test';
const NOW = Date.parse('2026-12-06T10:30:00Z');
const T = NOW / 1000;
let produced = 0;
let app: FastifyInstance | undefined;
afterEach(async () => {
  produced = 0;
  await app?.close();
});

async function gateway(seen?: SeenSignatures) {
  app = await buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    {
      sink: { produce: () => (produced++, Promise.resolve()), pending: 0 },
      keys: new ApiKeyStore([
        {
          id: 'k-signed',
          hash: hashApiKey(KEY),
          tenant_id: 'acme',
          source: 'billing',
          created_at: '2026-01-01T00:00:00Z',
          signing_secret: SECRET,
        },
      ]),
      logger: createLogger({ name: 'test', level: 'silent' }),
      checks: [],
      now: () => NOW,
      ...(seen ? { signatures: seen } : {}),
    },
  );
  return conformingInject(app, GATEWAY_API);
}

const body = JSON.stringify({
  events: [
    {
      event_id: '7d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      event_type: 'page_view',
      timestamp: '2026-12-06T10:29:55Z',
      session_id: 's-1',
      properties: { url: '/invoice' },
    },
  ],
});
const post = (headers: Record<string, string>, payload = body) =>
  app!.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    payload,
  });
const reason = (res: { json: () => unknown }) => (res.json() as { message: string }).message;

describe('signed requests', () => {
  it('takes a request signed over its time and body, once', async () => {
    await gateway();
    const signed = { 'x-signature': signatureHeader(SECRET, T, body) };
    const first = await post(signed);
    expect(first.statusCode, first.body).toBe(202);
    const again = await post(signed);
    expect(again.statusCode).toBe(401);
    expect(reason(again)).toMatch(/used before/);
    expect(produced).toBe(1);
  });

  it.each([
    ['no signature', {}, /X-Signature .* is missing/],
    ['a malformed header', { 'x-signature': 'sha256=abc' }, /must be t=<unix seconds>,v1=/],
    [
      'a time 6 minutes old',
      { 'x-signature': signatureHeader(SECRET, T - 360, body) },
      /more than 5 minutes/,
    ],
    [
      'another secret',
      { 'x-signature': signatureHeader('bbs_someone-else', T, body) },
      /does not match/,
    ],
    [
      'another body',
      { 'x-signature': signatureHeader(SECRET, T, body.replace('invoice', 'refund')) },
      /does not match/,
    ],
  ])('refuses %s with 401 and the reason', async (_what, headers, message) => {
    await gateway();
    const res = await post(headers);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 'error', code: 'UNAUTHORIZED' });
    expect(reason(res)).toMatch(message);
    expect(produced).toBe(0);
  });

  it('answers 503 when it cannot tell whether a signature was used', async () => {
    await gateway({ first: () => Promise.reject(new Error('Connection is closed.')) });
    const res = await post({ 'x-signature': signatureHeader(SECRET, T, body) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
  });

  it('is what the HTTP SDK sends when given the signing secret, each attempt signed anew', async () => {
    await gateway();
    await app!.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app!.server.address() as AddressInfo).port}/v1/events`;
    const statuses: number[] = [];
    const tracker = new EventTracker({
      endpoint: url,
      apiKey: KEY,
      signingSecret: SECRET,
      consent: { analytics: true },
      now: () => new Date(NOW),
      retryDelaysMs: [10],
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    });
    tracker.track({ event_type: 'page_view', session_id: 's-2', properties: { url: '/a' } });
    tracker.track({ event_type: 'page_view', session_id: 's-2', properties: { url: '/b' } });
    await tracker.flush();
    expect(statuses).toEqual([202]);
    expect(produced).toBe(2);
    const unsigned = new EventTracker({ endpoint: url, apiKey: KEY, consent: { analytics: true } });
    unsigned.track({ event_type: 'page_view', session_id: 's-3', properties: { url: '/c' } });
    await unsigned.shutdown();
    expect(produced).toBe(2);
  });
});
