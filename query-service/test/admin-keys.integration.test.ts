import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { SignJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import {
  ApiKeyStore,
  buildGateway,
  GatewayConfig,
  KeyDirectory,
  signatureHeader,
} from '@backbone/ingest-gateway';
import { migrate } from '@backbone/warehouse';
import { TABLES } from '@backbone/warehouse/tables';
import {
  createTestDatabase,
  testClickHouse,
  testKafka,
  everyGateway,
  gatewayStatus,
  testStack,
  pageViewBatch,
  uniqueName,
  waitFor,
} from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService } from '../src/app.js';
import { kafkaKeyAdmin } from '../src/keys.js';

/**
 * API keys through the admin API: the query service writes the tenants topic of the real
 * broker, two running gateway instances take a new key and refuse a revoked one within 5 s,
 * and admin_audit records every change without a key.
 */
const SECRET = 'admin-test-secret-admin-test-secret-01';
/** The platform's SIGNING_SECRET_KEY, as the gateways and the query service share it. */
const SIGNING = 'signing-secret-key-for-the-admin-tests-0001';
const logger = createLogger({ name: 'test', level: 'silent' });
const token = (role: string, tenant = 'platform') =>
  new SignJWT({ tenant_id: tenant, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`ops-${role}`)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
const topic = uniqueName('_tenants');
const writer = testClickHouse();
let database: { name: string; drop: () => Promise<void> };
let server: Server;
let url: string;
const stops: (() => Promise<void>)[] = [];
const gateways: FastifyInstance[] = [];

async function gateway() {
  const keys = new KeyDirectory({
    kafka: testKafka(),
    topic,
    file: new ApiKeyStore([]),
    logger,
    signingMaster: SIGNING,
  });
  await keys.start();
  await keys.whenReady();
  stops.push(() => keys.stop());
  const app = await buildGateway(
    GatewayConfig.parse({
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      API_KEYS_FILE: '/dev/null',
    }),
    { sink: { produce: () => Promise.resolve(), pending: 0 }, keys, logger, checks: [] },
  );
  stops.push(() => app.close());
  gateways.push(app);
}

const ingest = gatewayStatus;
const everywhere = (key: string, status: number) => everyGateway(gateways, key, status);
const api = async (method: string, path: string, role: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await token(role)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  database = await createTestDatabase(writer, 'admin');
  await migrate({ client: writer, database: database.name, logger });
  const stack = testStack();
  const keys = kafkaKeyAdmin({
    brokers: stack.kafkaBrokers.split(','),
    topic,
    writer,
    database: database.name,
    logger,
    signingMaster: SIGNING,
  });
  stops.push(() => keys.stop());
  const service = await buildQueryService({
    clickhouse: writer,
    database: database.name,
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger,
    keys,
  });
  stops.push(service.stop);
  server = createServer(service.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await gateway();
  await gateway();
}, 60_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  for (const stop of stops.reverse()) await stop();
  await database?.drop();
  await writer.close();
});

describe('API keys through the admin API', () => {
  it('creates a key two running gateways take within 5 s, and revokes it: refused within 5 s', async () => {
    const created = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'acme',
      source: 'web-app',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { key, id } = created.body as { key: string; id: string };
    expect(key).toMatch(/^bbk_/);
    const accepted = await everywhere(key, 202);

    const listed = await api('GET', '/api/v1/admin/keys?tenant_id=acme', 'platform_admin');
    expect(listed.body.keys).toEqual([
      expect.objectContaining({
        id,
        tenant_id: 'acme',
        source: 'web-app',
        changed_by: 'ops-platform_admin',
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(JSON.stringify(listed.body)).not.toContain('"hash"');

    const revoked = await api('DELETE', `/api/v1/admin/keys/${id}`, 'platform_admin');
    expect(revoked.status).toBe(200);
    const refused = await everywhere(key, 401);
    console.log(`through the admin API: accepted in ${accepted} ms, refused in ${refused} ms`);

    const audit = await (
      await writer.query({
        query: `SELECT actor, action, tenant_id, target FROM ${database.name}.${TABLES.adminAudit} ORDER BY at`,
        format: 'JSONEachRow',
      })
    ).json<Record<string, string>>();
    expect(audit).toEqual([
      { actor: 'ops-platform_admin', action: 'key.create', tenant_id: 'acme', target: id },
      { actor: 'ops-platform_admin', action: 'key.revoke', tenant_id: 'acme', target: id },
    ]);
  });

  it('rotates: the new key works at once, the old one until the overlap ends', async () => {
    const { body } = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'acme',
      source: 'billing',
    });
    const old = body as { key: string; id: string };
    await everywhere(old.key, 202);
    const rotated = await api('POST', `/api/v1/admin/keys/${old.id}/rotate`, 'platform_admin', {
      overlap_seconds: 2,
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ replaces: { id: old.id } });
    await everywhere(rotated.body.key as string, 202);
    expect(await ingest(gateways[0]!, old.key)).toBe(202);
    await everywhere(old.key, 401);
  });

  it('is for the platform_admin role only; a platform token reads no tenant data; bad input is 400', async () => {
    expect((await api('GET', '/api/v1/admin/keys', 'admin')).status).toBe(403);
    expect((await api('GET', '/api/v1/subjects/erasure/x', 'platform_admin')).status).toBe(403);
    const bad = await api('POST', '/api/v1/admin/keys', 'platform_admin', { tenant_id: 'a b' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^tenant_id:/);
    expect((await api('DELETE', '/api/v1/admin/keys/key_nope', 'platform_admin')).status).toBe(404);
  });
});

describe('tenants and key settings through the admin API', () => {
  it('creates, changes, disables and enables a tenant: a disabled tenant is refused by every gateway', async () => {
    const created = await api('POST', '/api/v1/admin/tenants', 'platform_admin', {
      id: 'globex',
      name: 'Globex Health',
      transcript_mode: 'redact',
      retention_days: { speech: 30, behaviour: 395 },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { id: 'globex', status: 'active', transcript_mode: 'redact' },
    });
    expect(
      (await api('POST', '/api/v1/admin/tenants', 'platform_admin', { id: 'globex' })).status,
    ).toBe(409);
    const { body } = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'globex',
      source: 'clinic',
    });
    const key = body.key as string;
    await everywhere(key, 202);

    const disabled = await api('POST', '/api/v1/admin/tenants/globex/disable', 'platform_admin');
    expect(disabled.body).toMatchObject({ status: 'disabled', transcript_mode: 'redact' });
    const refused = await everywhere(key, 401);
    const another = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'globex',
      source: 'clinic',
    });
    expect(another.status).toBe(409);
    expect(another.body.message).toMatch(/^tenant_id: globex is disabled/);
    await api('POST', '/api/v1/admin/tenants/globex/enable', 'platform_admin');
    const back = await everywhere(key, 202);
    console.log(`tenant disabled: refused in ${refused} ms; enabled: accepted in ${back} ms`);

    const patched = await api('PATCH', '/api/v1/admin/tenants/globex', 'platform_admin', {
      transcript_mode: 'drop',
    });
    expect(patched.body).toMatchObject({
      name: 'Globex Health',
      transcript_mode: 'drop',
      retention_days: { speech: 30, behaviour: 395 },
    });
    const list = await api('GET', '/api/v1/admin/tenants', 'platform_admin');
    expect(list.body.tenants).toEqual([
      expect.objectContaining({ id: 'globex', status: 'active', transcript_mode: 'drop' }),
    ]);
    const audit = await (
      await writer.query({
        query: `SELECT action, detail FROM ${database.name}.${TABLES.adminAudit} WHERE target = 'globex' ORDER BY at`,
        format: 'JSONEachRow',
      })
    ).json<Record<string, string>>();
    expect(audit).toEqual([
      {
        action: 'tenant.create',
        detail:
          'name=Globex Health; transcript_mode=redact; retention_days={"speech":30,"behaviour":395}',
      },
      { action: 'tenant.update', detail: 'status=disabled' },
      { action: 'tenant.update', detail: 'status=active' },
      { action: 'tenant.update', detail: 'transcript_mode=drop' },
    ]);
  });

  it('refuses bad tenant settings with the field named, and an unknown tenant with 404', async () => {
    const cases: [unknown, RegExp][] = [
      [{ transcript_mode: 'keep' }, /^transcript_mode: drop or redact/],
      [{ status: 'paused' }, /^status: active or disabled/],
      [{ retention_days: { speech: 0 } }, /^retention_days\.speech: a whole number of days from 1/],
      [{ retention_days: { secrets: 3 } }, /^retention_days\.secrets: not a privacy class/],
      [{ colour: 'red' }, /^colour: not a field here/],
      [{}, /^\(body\): nothing to change/],
    ];
    for (const [change, message] of cases) {
      const bad = await api('PATCH', '/api/v1/admin/tenants/globex', 'platform_admin', change);
      expect(bad.status, JSON.stringify(change)).toBe(400);
      expect(bad.body.message).toMatch(message);
    }
    const unknown = await api('PATCH', '/api/v1/admin/tenants/initech', 'platform_admin', {
      transcript_mode: 'drop',
    });
    expect(unknown.status).toBe(404);
    expect(
      (await api('PATCH', '/api/v1/admin/tenants/globex', 'admin', { transcript_mode: 'drop' }))
        .status,
    ).toBe(403);
  });

  it("sets a key's own rate limit and consent policy, which the running gateways apply", async () => {
    const { body } = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'acme',
      source: 'kiosk',
    });
    const key = body.key as string;
    await everywhere(key, 202);
    const patched = await api('PATCH', `/api/v1/admin/keys/${String(body.id)}`, 'platform_admin', {
      rate_limit_per_minute: 5,
      consent_policy: 'drop',
    });
    expect(patched.body).toMatchObject({ rate_limit_per_minute: 5, consent_policy: 'drop' });
    // Each gateway counts on its own here (no Redis): within five requests one answers 429.
    await everywhere(key, 429);
    const bad = await api('PATCH', `/api/v1/admin/keys/${String(body.id)}`, 'platform_admin', {
      rate_limit_per_minute: 0,
    });
    expect(bad.body.message).toMatch(/^rate_limit_per_minute: a whole number/);
    expect(
      (
        await api('PATCH', '/api/v1/admin/keys/key_nope', 'platform_admin', {
          consent_policy: 'drop',
        })
      ).status,
    ).toBe(404);
  });
});

describe('signed keys through the admin API', () => {
  it('makes a key that signs its requests: unsigned or replayed requests are refused with the reason', async () => {
    const made = await api('POST', '/api/v1/admin/keys', 'platform_admin', {
      tenant_id: 'acme',
      source: 'billing-server',
      signed: true,
    });
    expect(made.status).toBe(201);
    const { key, signing_secret: secret } = made.body as { key: string; signing_secret: string };
    expect(secret).toMatch(/^bbs_/);
    const listed = await api('GET', '/api/v1/admin/keys?tenant_id=acme', 'platform_admin');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const payload = pageViewBatch();
    const send = (headers: Record<string, string>) =>
      gateways[0]!.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
        payload,
      });
    await waitFor(async () => (await send({})).statusCode === 401, { timeoutMs: 5000 });
    const unsigned = await send({});
    expect(unsigned.json<{ message: string }>().message).toMatch(/X-Signature .* is missing/);
    const signature = signatureHeader(secret, Math.floor(Date.now() / 1000), payload);
    expect((await send({ 'x-signature': signature })).statusCode).toBe(202);
    const replayed = await send({ 'x-signature': signature });
    expect(replayed.statusCode).toBe(401);
    expect(replayed.json<{ message: string }>().message).toMatch(/used before/);
  });
});
