import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { consentStateKey, createLogger, ReadyReportSchema, kafkaAuth } from '@backbone/runtime';
import {
  confluentRegistry,
  registerSchemas,
  StreamSerde,
  type StreamEvents,
} from '@backbone/schemas';
import { EventTracker } from '@backbone/schemas/http-client';
import { freePort } from '@backbone/deploy/local';
import { RedisSeenSignatures, SIGNATURE_WINDOW_SECONDS } from '../src/signature.js';
import {
  ApiKeyStore,
  buildGateway,
  GatewayConfig,
  hashApiKey,
  KafkaSink,
} from '@backbone/ingest-gateway';
import { testKafka, testStack, uniqueName, waitFor } from '@backbone/test';

const KEY = `bbk_${randomUUID()}`;
/** Unique per run, so rate-limit counters left in Redis by an earlier run do not count. */
const KEY_ID = `key_${randomUUID()}`;
const silent = () => createLogger({ name: 'test', level: 'silent' });

async function startGateway(
  brokers: string,
  registryUrl: string,
  env: Record<string, string> = {},
  redis?: Redis,
) {
  const config = GatewayConfig.parse({
    KAFKA_BROKERS: brokers,
    SCHEMA_REGISTRY_URL: registryUrl,
    API_KEYS_FILE: '/dev/null',
    PORT: '0',
    ...env,
  });
  const sink = new KafkaSink(
    { ...kafkaAuth(), brokers: [brokers], registryUrl, clientId: uniqueName('gw') },
    silent(),
    200,
  );
  void sink.start();
  const keys = new ApiKeyStore([
    {
      id: KEY_ID,
      hash: hashApiKey(KEY),
      tenant_id: 'acme',
      source: 'web-app',
      created_at: '2025-01-01T00:00:00Z',
    },
  ]);
  const app = await buildGateway(config, {
    sink,
    keys,
    logger: silent(),
    checks: [{ name: 'kafka', run: () => Promise.resolve(sink.connected) }],
    ...(redis ? { redis } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, sink, url, close: async () => (await app.close(), await sink.close()) };
}

const pageView = (session: string, n: number) => ({
  event_id: randomUUID(),
  event_type: 'page_view',
  timestamp: new Date(Date.now() - 1000 + n).toISOString(),
  session_id: session,
  properties: { url: `/p/${n}`, title: null },
  context: { locale: 'en-US' },
});

/** Every web event of these sessions on raw.web.v1, decoded through the registry. */
async function readRawWeb(
  sessions: Set<string>,
  expected: number,
): Promise<{ bytes: Buffer; value: StreamEvents['web'] }[]> {
  const serde = await StreamSerde.open(confluentRegistry(testStack().schemaRegistryUrl), 'raw');
  const out: { bytes: Buffer; value: StreamEvents['web'] }[] = [];
  const consumer = testKafka().consumer({ groupId: uniqueName('gw-read') });
  await consumer.connect();
  await consumer.subscribe({ topic: 'raw.web.v1', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!sessions.has(message.key?.toString() ?? '')) return;
      out.push({
        bytes: message.value as Buffer,
        value: (await serde.decode(message.value as Buffer)) as StreamEvents['web'],
      });
    },
  });
  try {
    await waitFor(() => out.length >= expected, {
      timeoutMs: 30_000,
      description: `${expected} events on raw.web.v1`,
    });
    // Anything beyond `expected` would be a duplicate: give it a moment to show up.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await consumer.disconnect();
  }
  return out;
}

let gw: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  await registerSchemas(testStack().schemaRegistryUrl);
  gw = await startGateway(testStack().kafkaBrokers, testStack().schemaRegistryUrl);
  await waitFor(() => gw.sink.connected, {
    timeoutMs: 30_000,
    description: 'the gateway to connect',
  });
});
afterAll(async () => gw.close());

describe('ingest gateway on the real stack', () => {
  it('puts every accepted event on raw.web.v1 once, Confluent-framed, and nothing of the rejected ones', async () => {
    const session = uniqueName('s');
    const events = Array.from({ length: 20 }, (_, n) => pageView(session, n));
    const res = await fetch(`${gw.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({
        batch_id: 'b-int',
        events: [...events, { ...pageView(session, 99), event_type: 'nope' }],
      }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      events_received: 21,
      events_accepted: 20,
      events_rejected: 1,
    });

    const records = await readRawWeb(new Set([session]), 20);
    expect(records).toHaveLength(20);
    const latest = (await (
      await fetch(`${testStack().schemaRegistryUrl}/subjects/raw.web.v1-value/versions/latest`)
    ).json()) as { id: number };
    for (const { bytes } of records) {
      expect(bytes[0]).toBe(0);
      expect(bytes.readInt32BE(1)).toBe(latest.id);
    }
    expect(records.map((r) => r.value.envelope.event_id).sort()).toEqual(
      events.map((e) => e.event_id).sort(),
    );
    expect(records[0]?.value.envelope).toMatchObject({
      tenant_id: 'acme',
      source: 'web-app',
      session_id: session,
      context: { ip: '127.0.0.1' },
    });
  });

  it('delivers each event once through the HTTP SDK, even when the gateway refuses at first', async () => {
    // A flaky front: the first two requests get 503, the rest reach the gateway.
    let refused = 0;
    const front = http.createServer((req, res) => {
      if (refused < 2) {
        refused++;
        req.resume();
        res.writeHead(503, { 'retry-after': '1' }).end();
        return;
      }
      const upstream = http.request(
        `${gw.url}${req.url ?? ''}`,
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
    const session = uniqueName('sdk');
    const tracker = new EventTracker({
      endpoint: `http://127.0.0.1:${port}/v1/events`,
      apiKey: KEY,
      consent: { analytics: true },
      retryDelaysMs: [50, 100, 200],
    });
    try {
      for (let n = 0; n < 25; n++) {
        const { event_id: _id, ...rest } = pageView(session, n);
        tracker.track(rest);
      }
      await tracker.shutdown();
    } finally {
      front.close();
    }
    expect(refused).toBe(2);
    const records = await readRawWeb(new Set([session]), 25);
    expect(records).toHaveLength(25);
    expect(new Set(records.map((r) => r.value.envelope.event_id)).size).toBe(25);
  });
});

describe('ingest gateway on the real stack', () => {
  it('answers 401, 400 and 413 over HTTP with a JSON error and changes nothing', async () => {
    const send = (body: string, key = KEY) =>
      fetch(`${gw.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body,
      });
    const unauthorized = await send(JSON.stringify({ events: [pageView('s', 1)] }), 'bbk_wrong');
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toEqual({
      status: 'error',
      code: 'UNAUTHORIZED',
      message: 'Missing or invalid API key',
    });
    const malformed = await send('{"events": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      code: 'VALIDATION_ERROR',
      errors: [{ field: '(body)' }],
    });
    const huge = await send(
      JSON.stringify({ events: [pageView('s', 1)], padding: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('shares the rate limit of a key between gateway instances through Redis, answering 429 with Retry-After', async (ctx) => {
    const redisUrl = testStack().redisUrl;
    if (redisUrl === null) ctx.skip();
    const redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    const limit = { RATE_LIMIT_PER_MINUTE: '3' };
    const [a, b] = [
      await startGateway(testStack().kafkaBrokers, testStack().schemaRegistryUrl, limit, redis),
      await startGateway(testStack().kafkaBrokers, testStack().schemaRegistryUrl, limit, redis),
    ];
    try {
      // Invalid events: each request is answered (400) and counted, and nothing is produced.
      const send = (gateway: typeof a) =>
        fetch(`${gateway.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEY },
          body: JSON.stringify({ events: [{ ...pageView('rl', 1), event_type: 'nope' }] }),
        });
      const statuses = [(await send(a)).status, (await send(b)).status, (await send(a)).status];
      const limited = await send(b);
      expect(statuses).toEqual([400, 400, 400]);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
      redis.disconnect();
    }
  });

  it('answers 503 with Retry-After and reports not ready while Kafka is unreachable', async () => {
    const down = await startGateway(`127.0.0.1:${await freePort()}`, testStack().schemaRegistryUrl);
    try {
      const res = await fetch(`${down.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ events: [pageView('s', 1)] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ code: 'UNAVAILABLE' });
      const ready = await fetch(`${down.url}/ready`);
      expect(ready.status).toBe(503);
      expect(ReadyReportSchema.parse(await ready.json())).toMatchObject({
        status: 'not_ready',
        checks: { kafka: { status: 'down' } },
      });
    } finally {
      await down.close();
    }
  });
});

describe('recorded consent across gateway instances', () => {
  it("applies a withdrawal recorded through one instance to the person's next event on another, through Redis", async (ctx) => {
    const redisUrl = testStack().redisUrl;
    if (redisUrl === null) ctx.skip();
    const redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 });
    const [a, b] = [
      await startGateway(testStack().kafkaBrokers, testStack().schemaRegistryUrl, {}, redis),
      await startGateway(testStack().kafkaBrokers, testStack().schemaRegistryUrl, {}, redis),
    ];
    const device = `device-${randomUUID()}`;
    const anonymized = async (gateway: typeof a) =>
      Number(
        /gateway_events_total\{outcome="anonymized",stream="web"\} (\d+)/.exec(
          await (await fetch(`${gateway.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const visit = (gateway: typeof a) =>
      fetch(`${gateway.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ events: [{ ...pageView('c', 1), anonymous_id: device }] }),
      });
    try {
      await waitFor(async () => (await visit(b)).status === 202, {
        timeoutMs: 30_000,
        description: 'gateway b connected to Kafka',
      });
      expect(await anonymized(b)).toBe(0);
      const decided = await fetch(`${a.url}/api/v1/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify({ anonymous_id: device, purposes: { analytics: false } }),
      });
      expect(decided.status, await decided.clone().text()).toBe(202);
      expect((await visit(b)).status).toBe(202);
      expect(await anonymized(b)).toBe(1);
      // Kept in Redis under a hash of the id, never the id, for the consent's lifetime.
      const key = consentStateKey('acme', 'anonymous', device);
      expect(key).not.toContain(device);
      expect(await redis.hgetall(key)).toEqual({ analytics: '0' });
      expect(await redis.ttl(key)).toBeGreaterThan(390 * 86_400);
    } finally {
      await a.close();
      await b.close();
      redis.disconnect();
    }
  });

  it('remembers a used signature in Redis for every instance, for longer than the window', async (ctx) => {
    const redisUrl = testStack().redisUrl;
    if (redisUrl === null) ctx.skip();
    const [one, two] = [new Redis(redisUrl as string), new Redis(redisUrl as string)];
    try {
      const signature = randomUUID().replace(/-/g, '').repeat(2);
      const ttl = 2 * SIGNATURE_WINDOW_SECONDS + 60;
      expect(await new RedisSeenSignatures(one).first('k1', signature, ttl)).toBe(true);
      // Replayed to another instance: refused there too.
      expect(await new RedisSeenSignatures(two).first('k1', signature, ttl)).toBe(false);
      expect(await new RedisSeenSignatures(two).first('k2', signature, ttl)).toBe(true);
      expect(await one.ttl(`gateway-sig:k1:${signature}`)).toBeGreaterThan(
        SIGNATURE_WINDOW_SECONDS,
      );
    } finally {
      one.disconnect();
      two.disconnect();
    }
  });
});
