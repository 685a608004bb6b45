import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { memoryGateway, type Produced } from './memory-gateway.test-support.js';
import { eventIdOf, occurredAt, translate, writeKeyOf } from './segment.js';

const KEY = 'bbk_segment-test';
const NOW = Date.parse('2025-01-15T10:30:00Z');
const produced: Produced = [];
let app: FastifyInstance | undefined;
afterEach(async () => {
  produced.length = 0;
  await app?.close();
  app = undefined;
});

async function gateway() {
  app = await memoryGateway(KEY, produced);
  return app;
}

const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await (app ?? (await gateway())).inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', authorization: basic(KEY), ...headers },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};

const track = (extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Video Played',
  messageId: 'node-next-1736937000000-abc',
  anonymousId: 'anon-1',
  timestamp: '2025-01-15T10:29:00.000Z',
  properties: { seconds: 12, hd: true, tags: ['a'] },
  ...extra,
});

describe('Segment messages as gateway events', () => {
  it('derives a stable UUID from a messageId that is not one, and keeps one that is', () => {
    expect(eventIdOf('ajs-next-123')).toBe(eventIdOf('ajs-next-123'));
    expect(eventIdOf('ajs-next-123')).not.toBe(eventIdOf('ajs-next-124'));
    expect(eventIdOf('ajs-next-123')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab]/);
    const uuid = '0b7e4c1e-2b7a-4c59-9a5a-0f7d9f8e6a11';
    expect(eventIdOf(uuid.toUpperCase())).toBe(uuid);
  });

  it("corrects the device's clock by sentAt, as Segment does", () => {
    const device = { originalTimestamp: '2025-01-15T09:00:00.000Z' };
    // The device's clock is an hour behind: it sent at 09:30 by its clock, received at 10:30.
    expect(occurredAt(device, '2025-01-15T09:30:00.000Z', NOW)).toBe(
      Date.parse('2025-01-15T10:00:00Z'),
    );
    expect(occurredAt(device, undefined, NOW)).toBe(Date.parse('2025-01-15T09:00:00Z'));
    expect(occurredAt({}, undefined, NOW)).toBe(NOW);
  });

  it('takes the write key from HTTP Basic, else from the body', () => {
    expect(writeKeyOf(basic('wk_1'), { writeKey: 'wk_2' })).toBe('wk_1');
    expect(writeKeyOf(undefined, { writeKey: 'wk_2' })).toBe('wk_2');
    expect(writeKeyOf('Bearer x', {})).toBeUndefined();
  });

  it('maps an Order Completed track to a conversion, and says which field is missing', () => {
    const t = translate(
      track({ event: 'Order Completed', properties: { order_id: 'o-1', revenue: 25.5 } }),
      'batch[0]',
      { receivedAt: NOW },
    );
    expect(t.ok && t.event).toMatchObject({
      event_type: 'conversion',
      properties: { order_id: 'o-1', value: 25.5, currency: 'USD' },
    });
    const missing = translate(
      track({ event: 'Order Completed', properties: { revenue: 1 } }),
      'batch[2]',
      { receivedAt: NOW },
    );
    expect(missing).toEqual({
      ok: false,
      error: { field: 'batch[2].properties.order_id', message: 'Required for Order Completed' },
    });
  });
});

describe('Segment HTTP Tracking API on the gateway', () => {
  it('takes a batch of track, page and screen calls: 200 {success: true}, one event each', async () => {
    const res = await post('/v1/batch', {
      batch: [
        track(),
        {
          type: 'page',
          messageId: 'm-page',
          userId: 42,
          name: 'Pricing',
          properties: { url: 'https://shop.example/pricing?x=1' },
          context: {
            userAgent: 'Mozilla/5.0',
            locale: 'en-GB',
            campaign: { source: 'news', name: 'winter' },
            page: { referrer: 'https://search.example/' },
            consent: { categoryPreferences: { Analytics: true, Advertising: false } },
          },
        },
        { type: 'screen', messageId: 'm-screen', anonymousId: 'anon-2', name: 'Home' },
      ],
      sentAt: '2025-01-15T10:29:30.000Z',
    });
    expect(res).toEqual({ status: 200, body: { success: true } });
    expect(produced.map((p) => p.event.envelope.event_type)).toEqual([
      'custom',
      'page_view',
      'custom',
    ]);
    const [custom, page, screen] = produced.map((p) => p.event) as unknown as {
      envelope: Record<string, unknown> & { context: Record<string, unknown> };
      payload: Record<string, Record<string, unknown>>;
    }[];
    expect(custom!.envelope).toMatchObject({
      event_id: eventIdOf('node-next-1736937000000-abc'),
      tenant_id: 'acme',
      anonymous_id: 'anon-1',
      session_id: 'anon-1/2025-01-15',
      // 10:29:00 by a device that sent at 10:29:30 received at 10:30:00.
      occurred_at: Date.parse('2025-01-15T10:29:30Z'),
    });
    expect(Object.values(custom!.payload)[0]).toEqual({
      name: 'Video Played',
      properties: { seconds: '12', hd: 'true', tags: '["a"]' },
    });
    expect(Object.values(page!.payload)[0]).toEqual({
      url: 'https://shop.example/pricing?x=1&utm_source=news&utm_campaign=winter',
      title: 'Pricing',
    });
    expect(page!.envelope).toMatchObject({
      user_id: '42',
      consent: { analytics: true, marketing: false, functional: null },
    });
    expect(page!.envelope.context).toMatchObject({
      user_agent: 'Mozilla/5.0',
      locale: 'en-GB',
      referrer: 'https://search.example/',
    });
    expect(Object.values(screen!.payload)[0]).toEqual({
      name: 'screen',
      properties: { name: 'Home' },
    });
  });

  it('refuses identify, group and alias with the reason, and keeps the rest of the batch', async () => {
    const res = await post('/v1/batch', {
      batch: [track(), { type: 'identify', messageId: 'm-i', userId: 'u', traits: { x: 1 } }],
    });
    expect(res.status).toBe(200);
    const [refused] = res.body.errors as { field: string; message: string }[];
    expect(refused!.field).toBe('batch[1].type');
    expect(refused!.message).toMatch(/^identify calls are not accepted: their traits are/);
    expect(produced).toHaveLength(1);
    const alone = await post('/v1/alias', { userId: 'u', previousId: 'a', messageId: 'm-a' });
    expect(alone.status).toBe(400);
    const [why] = alone.body.errors as { field: string; message: string }[];
    expect(why!.field).toBe('(body).type');
    expect(why!.message).toMatch(/^alias calls are not accepted/);
  });

  it('takes single calls on their own paths, with the write key in the body', async () => {
    const res = await post(
      '/v1/track',
      { ...track({ type: undefined }), writeKey: KEY },
      { authorization: '' },
    );
    expect(res).toEqual({ status: 200, body: { success: true } });
    expect(produced).toHaveLength(1);
    // analytics.js' short path for track, writeKey in a text/plain body.
    const short = await post(
      '/v1/t',
      { ...track({ type: undefined, messageId: 'm-short' }), writeKey: KEY },
      { authorization: '', 'content-type': 'text/plain' },
    );
    expect(short.status).toBe(200);
    expect(produced).toHaveLength(2);
  });
});

describe('Segment HTTP Tracking API: what the gateway refuses', () => {
  it('answers 401 for an unknown write key, and 400 naming the field for bad messages and sizes', async () => {
    expect(
      (await post('/v1/batch', { batch: [track()] }, { authorization: basic('no') })).status,
    ).toBe(401);
    const bad = await post('/v1/batch', {
      batch: [
        track({ anonymousId: undefined }),
        track({ properties: { big: 'x'.repeat(33_000) } }),
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'batch[0].anonymousId', message: 'Either anonymousId or userId is required' },
      { field: 'batch[1]', message: 'The message is larger than 32 KB' },
    ]);
    const tooLarge = await post('/v1/batch', {
      batch: Array.from({ length: 20 }, (_, i) =>
        track({ messageId: `m-${i}`, properties: { v: 'x'.repeat(30_000) } }),
      ),
    });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errors).toEqual([{ field: '(body)', message: 'At most 500 KB' }]);
    // A value the event's contract refuses is named where the sender put it.
    const order = await post('/v1/batch', {
      batch: [
        track(),
        track({
          messageId: 'o',
          event: 'Order Completed',
          properties: { order_id: 'o-1', revenue: 3, currency: 'dollars' },
        }),
      ],
    });
    expect(order.status).toBe(200);
    expect((order.body.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'batch[1].properties.currency',
    ]);
    expect(produced).toHaveLength(1);
  });
});
