import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { clickhouseTime, migrate } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import {
  createTestDatabase,
  testClickHouse,
  testKafka,
  testStack,
  uniqueName,
} from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';
import { kafkaKeyAdmin } from '../src/keys.js';
import { AlertEvaluator } from '../src/alerts/evaluator.js';
import { DeadLetterCounter } from '../src/alerts/dead-letters.js';
import { measure } from '../src/alerts/measure.js';
import { row, SECRET, token } from './rollups-fixture.js';

/**
 * Alerts as a tenant defines them through the API, evaluated against the rollups of the
 * real engine and delivered to a local receiver that checks every signature the way a user's
 * would: an STT error-rate incident fires once and recovers once, through a failed first
 * attempt and an evaluator restart.
 */
const logger = createLogger({ name: 'test', level: 'silent' });
const SIGNING_KEY = 'alert-signing-key-for-the-test-0123456789';
const topic = uniqueName('_tenants');
const writer = testClickHouse();
let database: { name: string; drop: () => Promise<void> };
let api: Server;
let receiver: Server;
let url: string;
let hook: string;
const stops: (() => Promise<void>)[] = [];
let keys: ReturnType<typeof kafkaKeyAdmin>;
/** What the receiver got: payloads whose signature checked out, and how many did not. */
const received: Record<string, unknown>[] = [];
let badSignatures = 0;
let failNext = 1;
let secret = '';

/** Checks X-Signature as a receiver does: HMAC-SHA256 of `<t>.<body>`, constant time, fresh. */
function verified(header: string | undefined, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m || Math.abs(Date.now() / 1000 - Number(m[1])) > 300) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}

const call = async (method: string, path: string, role: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token({ tenant_id: 'acme', role, sub: `${role}-1` })}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return {
    status: res.status,
    body: (res.status === 204 ? {} : await res.json()) as Record<string, unknown>,
  };
};

const listen = async (s: Server) => {
  s.listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  database = await createTestDatabase(writer, 'alerts');
  await migrate({ client: writer, database: database.name, logger });
  keys = kafkaKeyAdmin({
    brokers: testStack().kafkaBrokers.split(','),
    topic,
    writer,
    database: database.name,
    logger,
  });
  stops.push(() => keys.stop());
  const service = await buildQueryService({
    clickhouse: writer,
    database: database.name,
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger,
    keys,
    alerts: { store: keys.alerts, signingKey: SIGNING_KEY, allowHttp: true },
  });
  stops.push(service.stop);
  api = createServer(service.app);
  url = await listen(api);
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end();
        return;
      }
      const header = req.headers['x-signature'];
      if (!verified(Array.isArray(header) ? header[0] : header, body)) {
        badSignatures++;
        res.writeHead(401).end();
        return;
      }
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  hook = `${await listen(receiver)}/hooks/backbone`;
}, 60_000);
afterAll(async () => {
  for (const s of [api, receiver]) await new Promise((r) => s?.close(r));
  for (const stop of stops.reverse()) await stop();
  await database?.drop();
  await writer.close();
});

/** `sessions` STT sessions started at `at`, `errors` of them failing. */
async function speech(at: number, sessions: number, errors: number) {
  const values = Array.from({ length: sessions + errors }, (_, i) => ({
    ...row('acme', `call-${at}-${i}`, '', i < sessions ? 'stt_session_started' : 'stt_error', 0, {
      model_id: 'whisper-large',
      language: 'en',
    }),
    event_id: `e-${at}-${i}`,
    occurred_at: clickhouseTime(at),
  }));
  await writer.insert({
    table: `${database.name}.${TABLES.sttSessionEvents}`,
    format: 'JSONEachRow',
    values,
  });
}

const evaluator = (now: () => number) =>
  new AlertEvaluator({
    alerts: () => keys.alerts.list(),
    reader: writer,
    writer,
    database: database.name,
    signingKey: SIGNING_KEY,
    logger,
    retry: { attempts: 4, firstDelayMs: 20, maxDelayMs: 100 },
    now,
  });

describe('alerts', () => {
  it('fires once and recovers once, each delivery signed, through a retry and a restart', async () => {
    const T = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
    await speech(T + 10_000, 10, 4);
    const created = await call('POST', '/api/v1/alerts', 'admin', {
      name: 'STT errors',
      metric: 'stt_error_rate',
      threshold: 0.2,
      window_minutes: 5,
      webhook_url: hook,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    secret = created.body.webhook_secret as string;
    expect(secret).toMatch(/^whsec_/);
    const id = created.body.id as string;

    let now = T + 3 * 60_000;
    const first = evaluator(() => now);
    await first.start(3_600_000);
    await first.tick();
    now += 30_000;
    await first.tick();
    await first.settled();
    await first.stop();
    expect(received).toMatchObject([
      { type: 'alert.firing', tenant_id: 'acme', value: 0.4, alert: { id, threshold: 0.2 } },
    ]);

    // A restarted evaluator knows the incident is open: no second firing, then the recovery.
    const second = evaluator(() => now);
    await second.start(3_600_000);
    await second.tick();
    now = T + 20 * 60_000;
    await second.tick();
    await second.tick();
    await second.stop();
    expect(received.map((r) => [r.type, r.value])).toEqual([
      ['alert.firing', 0.4],
      ['alert.resolved', 0],
    ]);
    expect(received[1]!.incident_id).toBe(received[0]!.incident_id);
    expect(badSignatures).toBe(0);
    const log = await (
      await writer.query({
        query: `SELECT state, delivered, attempts FROM ${database.name}.${TABLES.alertNotifications} ORDER BY at, attempts`,
        format: 'JSONEachRow',
      })
    ).json<Record<string, unknown>>();
    expect(log).toEqual([
      { state: 'firing', delivered: 0, attempts: 0 },
      { state: 'firing', delivered: 1, attempts: 2 },
      { state: 'resolved', delivered: 0, attempts: 0 },
      { state: 'resolved', delivered: 1, attempts: 1 },
    ]);
  });

  it('is the tenant admin’s: viewers list, bad settings are 400 naming the field, secrets rotate', async () => {
    const list = await call('GET', '/api/v1/alerts', 'viewer');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const [alert] = list.body.alerts as { id: string }[];
    expect(
      (await call('PATCH', `/api/v1/alerts/${alert!.id}`, 'viewer', { enabled: false })).status,
    ).toBe(403);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ metric: 'cpu' }, /^metric: one of stt_error_rate/],
      [{ threshold: 2 }, /^threshold: a number from 0 to 1 for stt_error_rate/],
      [{ window_minutes: 0 }, /^window_minutes: a whole number from 1 to 1440/],
      [{ webhook_url: 'ftp://x' }, /^webhook_url: an http\(s\) URL/],
      [{ webhook_url: 'https://u:p@example.com/' }, /^webhook_url: no credentials/],
    ];
    for (const [change, message] of cases) {
      const bad = await call('PATCH', `/api/v1/alerts/${alert!.id}`, 'admin', change);
      expect(bad.status, JSON.stringify(change)).toBe(400);
      expect(bad.body.message).toMatch(message);
    }
    const missing = await call('POST', '/api/v1/alerts', 'admin', {
      name: 'x',
      metric: 'dlq_rate',
    });
    expect(missing.body.message).toMatch(/^threshold: required/);
    const rotated = await call('POST', `/api/v1/alerts/${alert!.id}/rotate-secret`, 'admin');
    expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
    expect(rotated.body.webhook_secret).not.toBe(secret);
    expect((await call('DELETE', `/api/v1/alerts/${alert!.id}`, 'admin')).status).toBe(204);
    expect((await call('GET', `/api/v1/alerts/${alert!.id}`, 'viewer')).status).toBe(404);
    const audit = await (
      await writer.query({
        query: `SELECT action, detail FROM ${database.name}.${TABLES.adminAudit} WHERE action LIKE 'alert.%' ORDER BY at`,
        format: 'JSONEachRow',
      })
    ).json<{ action: string; detail: string }>();
    expect(audit.map((a) => a.action)).toEqual(['alert.create', 'alert.update', 'alert.delete']);
    expect(audit[0]!.detail).toContain('webhook_url=127.0.0.1:');
    expect(audit[0]!.detail).not.toContain('/hooks/');
  });
});

describe('alert metrics', () => {
  it('measures every metric from the rollups and the dead-letter topics', async () => {
    const T = Math.floor(Date.now() / 60_000) * 60_000 - 120 * 60_000;
    await writer.insert({
      table: `${database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: Array.from({ length: 8 }, (_, i) => ({
        ...row('acme', `w-${i}`, `v-${i}`, 'page_view', 0),
        event_id: `w-${T}-${i}`,
        occurred_at: clickhouseTime(T + i * 1000),
      })),
    });
    const dlq = uniqueName('dlq.web.v1');
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: dlq, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const at = Date.now() - 30_000;
    await producer.send({
      topic: dlq,
      messages: [
        ...['acme', 'acme', 'acme', 'globex'].map((t) => ({
          value: 'not avro',
          timestamp: String(at),
          headers: { 'x-tenant-id': t },
        })),
        { value: 'no tenant', timestamp: String(at) },
      ],
    });
    await producer.disconnect();
    const deadLetters = new DeadLetterCounter({ kafka, topics: [dlq], logger });
    stops.push(() => deadLetters.stop());
    await deadLetters.start();
    const o = { clickhouse: writer, database: database.name, deadLetters };
    const five = (to: number) => ({ from: to - 5 * 60_000, to });
    // Eight events in [T, T+5 min), none in the five minutes after: a 100 % drop.
    expect(await measure(o, 'acme', 'ingest_volume_drop', five(T + 10 * 60_000))).toBe(100);
    expect(await measure(o, 'acme', 'ingest_volume_drop', five(T + 5 * 60_000))).toBeNull();
    expect(await measure(o, 'acme', 'stt_latency_p95_ms', five(T + 5 * 60_000))).toBeNull();
    const now = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    const deadline = Date.now() + 10_000;
    while (deadLetters.count('acme', now - 120_000, now) < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(await measure(o, 'acme', 'dlq_rate', { from: now - 120_000, to: now })).toBe(1.5);
    expect(await measure(o, 'globex', 'dlq_rate', { from: now - 120_000, to: now })).toBe(0.5);
  });
});
