import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createLogger, ReadyReportSchema, type Check } from '@backbone/runtime';
import { BufferFullError, type StreamEvents, type StreamName } from '@backbone/schemas';
import { ApiKeyStore, hashApiKey } from './api-keys.js';
import { buildGateway } from './app.js';
import { GatewayConfig } from './config.js';
import type { EventSink } from './ingest.route.js';
import { GATEWAY_API } from './memory-gateway.test-support.js';
import { conformingInject } from '@backbone/test/openapi';

const KEY = 'bbk_test-key-acme';
const OTHER_KEY = 'bbk_test-key-globex';

class MemorySink implements EventSink {
  produced: {
    stream: StreamName;
    event: StreamEvents[StreamName];
    headers?: Record<string, string>;
  }[] = [];
  failure: Error | undefined;
  delayMs = 0;
  get pending() {
    return 0;
  }
  async produce<S extends StreamName>(
    stream: S,
    event: StreamEvents[S],
    headers?: Record<string, string>,
  ) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failure) throw this.failure;
    this.produced.push({ stream, event, ...(headers ? { headers } : {}) });
  }
}

let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

async function gateway(
  env: Record<string, string> = {},
  opts: {
    checks?: Check[];
    dropConsent?: boolean;
    logger?: ReturnType<typeof createLogger>;
  } = {},
) {
  const sink = new MemorySink();
  const config = GatewayConfig.parse({
    KAFKA_BROKERS: '127.0.0.1:9',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
    API_KEYS_FILE: '/dev/null',
    ...env,
  });
  const keys = new ApiKeyStore([
    {
      id: 'k-acme',
      hash: hashApiKey(KEY),
      tenant_id: 'acme',
      source: 'web-app',
      created_at: '2025-01-01T00:00:00Z',
      ...(opts.dropConsent ? { consent_policy: 'drop' as const } : {}),
    },
    {
      id: 'k-globex',
      hash: hashApiKey(OTHER_KEY),
      tenant_id: 'globex',
      source: 'stt',
      created_at: '2025-01-01T00:00:00Z',
    },
  ]);
  const logger = opts.logger ?? createLogger({ name: 'test', level: 'silent' });
  app = await buildGateway(config, {
    sink,
    keys,
    logger,
    checks: opts.checks ?? [{ name: 'kafka', run: () => Promise.resolve(true) }],
    now: () => Date.parse('2025-01-15T10:30:00Z'),
  });
  return { app: conformingInject(app, GATEWAY_API), sink };
}

const event = (overrides: Record<string, unknown> = {}) => ({
  event_id: '7d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  event_type: 'page_view',
  timestamp: '2025-01-15T10:29:55Z',
  session_id: 'sess-1',
  anonymous_id: 'hashed-device-id',
  properties: { url: '/products/shoes', title: 'Running Shoes' },
  context: { user_agent: 'Mozilla/5.0', locale: 'en-US' },
  ...overrides,
});

/** An object nested `levels` deep. */
const deep = (levels: number): unknown => (levels === 0 ? {} : { a: deep(levels - 1) });

const post = (
  a: FastifyInstance,
  body: unknown,
  headers: Record<string, string> = {},
  url = '/v1/events',
) =>
  a.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });

describe('ingest gateway', () => {
  it('accepts a valid batch with 202 once the events are produced, on both paths', async () => {
    const { app, sink } = await gateway();
    for (const url of ['/v1/events', '/api/v1/events']) {
      const res = await post(
        app,
        { batch_id: 'b-1', sent_at: '2025-01-15T10:30:00Z', events: [event()] },
        {
          traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          'x-request-id': '3f6c1c9e-2b7a-4d1e-9f0a-6b2d8c4e1a57',
        },
        url,
      );
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({
        status: 'accepted',
        batch_id: 'b-1',
        events_received: 1,
        events_accepted: 1,
        events_rejected: 0,
        timestamp: '2025-01-15T10:30:00.000Z',
      });
      expect(res.headers['x-request-id']).toBe('3f6c1c9e-2b7a-4d1e-9f0a-6b2d8c4e1a57');
    }
    expect(sink.produced).toHaveLength(2);
    expect(sink.produced[0]).toMatchObject({
      stream: 'web',
      event: { envelope: { tenant_id: 'acme', source: 'web-app', context: { ip: '127.0.0.1' } } },
      headers: {
        'x-request-id': '3f6c1c9e-2b7a-4d1e-9f0a-6b2d8c4e1a57',
        'x-batch-id': 'b-1',
        'x-tenant-id': 'acme',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
  });

  it.each(['078-05-1120', 'jane.doe', '4111111111111111'])(
    'replaces a client request id that could hold personal data (%j) with its own',
    async (given) => {
      const { app, sink } = await gateway();
      const res = await post(app, { events: [event()] }, { 'x-request-id': given });
      expect(res.statusCode).toBe(202);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(sink.produced[0]?.headers?.['x-request-id']).toBe(res.headers['x-request-id']);
    },
  );

  it('accepts the valid events of a mixed batch and names the fields of the others', async () => {
    const { app, sink } = await gateway();
    const res = await post(app, {
      events: [event(), event({ event_type: undefined }), event({ properties: { url: 7 } }), null],
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      events_received: 4,
      events_accepted: 1,
      events_rejected: 3,
      errors: [
        { field: 'events[1].event_type', message: 'Required field missing' },
        { field: 'events[2].properties.url', message: 'Expected a string' },
        { field: 'events[3]', message: 'Expected an object' },
      ],
    });
    expect(sink.produced).toHaveLength(1);
  });

  it.each([
    ['no event is valid', { events: [event({ event_type: 'teleport' })] }, 'events[0].event_type'],
    ['events is missing', { batch_id: 'x' }, 'events'],
    ['events is empty', { events: [] }, 'events'],
    ['the body is not an object', [event()], '(body)'],
    ['the JSON is malformed', '{"events": [', '(body)'],
    ['the body is not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), '(body)'],
    ['it nests too deep', { events: [event({ properties: { url: deep(20) } })] }, '(body)'],
  ])('answers 400 VALIDATION_ERROR naming the field when %s', async (_what, body, field) => {
    const { app, sink } = await gateway();
    const res = await post(app, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 'error', code: 'VALIDATION_ERROR' });
    expect(res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(field);
    expect(sink.produced).toHaveLength(0);
  });

  it('answers 413 past the body limit and 415 for a body that is not JSON', async () => {
    const { app } = await gateway({ BODY_LIMIT_BYTES: '2048' });
    const big = await post(app, { events: [event({ properties: { url: 'x'.repeat(4000) } })] });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const form = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': KEY },
      payload: 'a=1',
    });
    expect(form.statusCode).toBe(415);
  });
});

describe('ingest gateway', () => {
  it('answers 401 without detail for a missing or unknown key, before reading the body', async () => {
    const { app, sink } = await gateway();
    for (const headers of [{ 'x-api-key': '' }, { 'x-api-key': 'bbk_guess' }]) {
      const res = await post(app, '{not even json', headers);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        status: 'error',
        code: 'UNAUTHORIZED',
        message: 'Missing or invalid API key',
      });
    }
    expect(sink.produced).toHaveLength(0);
  });

  it('limits requests per API key with 429 and Retry-After, leaving other keys alone', async () => {
    const { app } = await gateway({ RATE_LIMIT_PER_MINUTE: '3' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await post(app, { events: [event()] })).statusCode);
    expect(codes).toEqual([202, 202, 202, 429]);
    const limited = await post(app, { events: [event()] });
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(app, { events: [event()] }, { 'x-api-key': OTHER_KEY })).statusCode).toBe(
      202,
    );
  });

  it('answers 503 with Retry-After when Kafka cannot take the events, or does not answer in time', async () => {
    const { app, sink } = await gateway({ PRODUCE_TIMEOUT_MS: '100' });
    sink.failure = new BufferFullError(10);
    const full = await post(app, { events: [event()] });
    expect(full.statusCode).toBe(503);
    expect(full.headers['retry-after']).toBe('5');
    expect(full.json()).toMatchObject({ code: 'UNAVAILABLE' });
    sink.failure = undefined;
    sink.delayMs = 300;
    expect((await post(app, { events: [event()] })).statusCode).toBe(503);
  });

  it('strips identifiers of events sent with Global Privacy Control, or drops them by tenant policy', async () => {
    const { app, sink } = await gateway();
    expect(
      (await post(app, { events: [event({ user_id: 'u-1' })] }, { 'sec-gpc': '1' })).statusCode,
    ).toBe(202);
    expect(sink.produced[0]?.event.envelope).toMatchObject({
      anonymous_id: null,
      user_id: null,
      context: { ip: null, user_agent: null },
      consent: { gpc: true, anonymized: true },
    });

    const dropping = await gateway({}, { dropConsent: true });
    const res = await post(dropping.app, { events: [event({ consent: { analytics: false } })] });
    expect(res.statusCode).toBe(202);
    expect(dropping.sink.produced).toHaveLength(0);
  });

  it('reports liveness, readiness per dependency, and metrics', async () => {
    const { app } = await gateway(
      {},
      {
        checks: [
          { name: 'kafka', run: () => Promise.resolve(true) },
          { name: 'registry', run: () => Promise.resolve(false) },
        ],
      },
    );
    expect((await app.inject('/health')).statusCode).toBe(200);
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ReadyReportSchema.parse(ready.json())).toMatchObject({
      status: 'not_ready',
      checks: { kafka: { status: 'up' }, registry: { status: 'down', required: true } },
    });
    const health = await app.inject('/api/v1/health');
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      version: '0.1.0',
      checks: { registry: { status: 'down' } },
    });
    await post(app, { events: [event(), event({ event_type: 'nope' })] });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toMatch(/gateway_events_total\{outcome="accepted",stream="web"\} 1/);
    expect(metrics).toMatch(/gateway_events_total\{outcome="rejected",stream="unknown"\} 1/);
    expect(metrics).toMatch(/gateway_http_requests_total\{route="\/v1\/events",status="202"\} 1/);
  });

  it('sends security headers', async () => {
    const { app } = await gateway();
    const res = await app.inject('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });
});

describe('CORS', () => {
  it('allows the configured origins in a preflight, and no other', async () => {
    const { app } = await gateway({ CORS_ORIGINS: 'https://shop.example' });
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/v1/events',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-api-key',
        },
      });
    const allowed = await preflight('https://shop.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/X-API-Key/i);
    expect(
      (await preflight('https://evil.example')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });
});

describe('request logging', () => {
  it("writes no per-request lines of fastify's own (they would carry the client's IP)", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { app } = await gateway(
      {},
      { logger: createLogger({ name: 'test', level: 'trace', destination }) },
    );
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/health',
      headers: { 'x-forwarded-for': '198.51.100.23' },
    });
    expect(res.statusCode).toBe(200);
    expect(lines.join('')).not.toMatch(/incoming request|request completed|198\.51\.100\.23/);
  });
});
