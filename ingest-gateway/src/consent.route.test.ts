import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { StreamEvents, StreamName } from '@backbone/schemas';
import { MemoryConsentState, type ConsentState } from './consent-state.js';
import { memoryGateway, type Produced } from './memory-gateway.test-support.js';

const KEY = 'bbk_consent-test';
const produced: Produced = [];
let app: FastifyInstance | undefined;
afterEach(async () => {
  produced.length = 0;
  await app?.close();
});

async function gateway(consent: ConsentState = new MemoryConsentState(), policy?: 'drop') {
  app = await memoryGateway(KEY, produced, { consent, ...(policy ? { policy } : {}) });
  return app;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  app!.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    payload: JSON.stringify(body),
  });

let n = 0;
const pageView = (ids: { anonymous_id?: string; user_id?: string }, consent = {}) => ({
  event_id: `7d1b2c3a-4e5f-4a6b-8c7d-${String(++n).padStart(12, '0')}`,
  event_type: 'page_view',
  timestamp: '2025-01-15T10:29:55Z',
  session_id: 's-1',
  ...ids,
  consent,
  properties: { url: '/home' },
});

const identifiers = (e: StreamEvents[StreamName]) => [
  e.envelope.anonymous_id,
  e.envelope.user_id,
  e.envelope.context.ip,
];

describe('consent records at the gateway', () => {
  it('records a decision as an event of the consent stream, the consent text only as its SHA-256', async () => {
    await gateway();
    const text = 'We measure visits to improve the service. Version 3.';
    const res = await post(
      '/api/v1/consent',
      {
        event_id: '0b9a5a3e-1111-4a6b-8c7d-000000000001',
        anonymous_id: 'device-a',
        purposes: { analytics: true, marketing: false },
        text_version: 'v3',
        text,
        method: 'banner',
      },
      { 'user-agent': 'Mozilla/5.0' },
    );
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({
      status: 'accepted',
      event_id: '0b9a5a3e-1111-4a6b-8c7d-000000000001',
      timestamp: '2025-01-15T10:30:00.000Z',
    });
    expect(produced).toHaveLength(1);
    const [{ stream, event }] = produced as [(typeof produced)[number]];
    expect(stream).toBe('consent');
    expect(event.envelope).toMatchObject({
      event_type: 'consent_decision',
      anonymous_id: 'device-a',
      tenant_id: 'acme',
      consent: { anonymized: false },
    });
    expect(event.payload).toEqual({
      'backbone.events.consent.ConsentDecision': {
        analytics: true,
        marketing: false,
        functional: null,
        text_version: 'v3',
        text_sha256: createHash('sha256').update(text).digest('hex'),
        method: 'banner',
      },
    });
    expect(JSON.stringify(event)).not.toContain('improve the service');
  });

  it('gates the next event of a person who withdrew analytics consent, and only theirs', async () => {
    await gateway();
    expect(
      (await post('/v1/events', { events: [pageView({ anonymous_id: 'a' })] })).statusCode,
    ).toBe(202);
    const withdraw = await post('/v1/consent', {
      anonymous_id: 'a',
      purposes: { analytics: false },
      method: 'settings',
    });
    expect(withdraw.statusCode).toBe(202);
    const after = await post('/v1/events', {
      events: [pageView({ anonymous_id: 'a' }), pageView({ anonymous_id: 'b' })],
    });
    expect(after.json()).toMatchObject({ events_accepted: 2 });
    const views = produced.filter((p) => p.stream === 'web').map((p) => p.event);
    expect(views.map(identifiers)).toEqual([
      ['a', null, '127.0.0.1'],
      [null, null, null],
      ['b', null, '127.0.0.1'],
    ]);
    expect(views[1]!.envelope.consent.anonymized).toBe(true);

    // Granted again: identified again. A decision is never gated itself.
    await post('/v1/consent', { anonymous_id: 'a', purposes: { analytics: true } });
    await post('/v1/events', { events: [pageView({ anonymous_id: 'a' })] });
    expect(identifiers(produced.at(-1)!.event)).toEqual(['a', null, '127.0.0.1']);
  });

  it('gates by user id as well, and drops where the key says so', async () => {
    await gateway(new MemoryConsentState(), 'drop');
    await post('/v1/consent', { user_id: 'u-7', purposes: { analytics: false } });
    const res = await post('/v1/events', {
      events: [pageView({ anonymous_id: 'fresh-device', user_id: 'u-7' })],
    });
    expect(res.statusCode).toBe(202);
    expect(produced.filter((p) => p.stream === 'web')).toHaveLength(0);
  });

  it('takes consent events in batches too, without gating them, and a marketing refusal does not gate analytics', async () => {
    await gateway();
    const res = await post(
      '/v1/events',
      {
        events: [
          {
            ...pageView({ anonymous_id: 'c' }),
            event_type: 'consent_requested',
            properties: { text_version: 'v3', method: 'banner' },
          },
          {
            ...pageView({ anonymous_id: 'c' }, { analytics: false }),
            event_type: 'consent_decision',
            properties: { marketing: false, method: 'banner' },
          },
        ],
      },
      { 'sec-gpc': '1' },
    );
    expect(res.json()).toMatchObject({ events_accepted: 2 });
    expect(produced.map((p) => [p.stream, p.event.envelope.anonymous_id])).toEqual([
      ['consent', 'c'],
      ['consent', 'c'],
    ]);
    await post('/v1/events', { events: [pageView({ anonymous_id: 'c' })] });
    expect(produced.at(-1)!.event.envelope.anonymous_id).toBe('c');
  });
});

describe('consent records when Redis is away', () => {
  it('treats events as without consent while recorded consent is unreadable, and answers 503 when a decision cannot take effect', async () => {
    const down: ConsentState = {
      analyticsWithdrawn: () => Promise.reject(new Error('Connection is closed.')),
      record: () => Promise.reject(new Error('Connection is closed.')),
    };
    await gateway(down);
    const res = await post('/v1/events', {
      events: [pageView({ anonymous_id: 'a' }), pageView({})],
    });
    expect(res.statusCode).toBe(202);
    expect(produced.map((p) => identifiers(p.event))).toEqual([
      [null, null, null],
      [null, null, '127.0.0.1'],
    ]);
    const decision = await post('/v1/consent', {
      anonymous_id: 'a',
      purposes: { analytics: false },
    });
    expect(decision.statusCode).toBe(503);
    expect(decision.headers['retry-after']).toBe('1');
    const metrics = await app!.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/gateway_consent_state_failures_total\{operation="read"\} 1/);
    expect(metrics.body).toMatch(/gateway_consent_state_failures_total\{operation="write"\} 1/);
  });
});

describe('consent decisions the gateway refuses', () => {
  it.each([
    [{ purposes: { analytics: false } }, 'anonymous_id', /names its person/],
    [{ anonymous_id: 'a' }, 'purposes', /Required/],
    [{ anonymous_id: 'a', purposes: {} }, 'purposes', /At least one/],
    [{ anonymous_id: 'a', purposes: { ads: true } }, 'purposes.ads', /Unknown purpose/],
    [{ anonymous_id: 'a', purposes: { analytics: 'yes' } }, 'purposes.analytics', /boolean/i],
    [{ anonymous_id: 'a', purposes: { analytics: true }, color: 1 }, 'color', /Unknown field/],
    [
      { anonymous_id: 'a', purposes: { analytics: true }, text_sha256: 'abc' },
      'text_sha256',
      /hex/,
    ],
    [{ anonymous_id: 'a', purposes: { analytics: true }, method: 'the banner' }, 'method', /code/],
    [
      { anonymous_id: 'a', purposes: { analytics: true }, timestamp: 'yesterday' },
      'timestamp',
      /ISO 8601/,
    ],
  ])('refuses %j with 400 naming %s', async (body, field, message) => {
    await gateway();
    const res = await post('/api/v1/consent', body);
    expect(res.statusCode).toBe(400);
    const errors = res.json<{ errors: { field: string; message: string }[] }>().errors;
    expect(errors.find((e) => e.field === field)?.message, JSON.stringify(errors)).toMatch(message);
    expect(produced).toHaveLength(0);
  });

  it('refuses a decision without a valid API key', async () => {
    await gateway();
    const res = await app!.inject({
      method: 'POST',
      url: '/api/v1/consent',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ anonymous_id: 'a', purposes: { analytics: true } }),
    });
    expect(res.statusCode).toBe(401);
  });
});
