import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@backbone/deploy/local';
import { pageViewBatch, waitFor } from '@backbone/test';
import { OpenApiContract } from '@backbone/test/openapi';

/** The running backbone the dashboard suite started. */
export interface ApiContext {
  /** The query service. */
  base: string;
  /** The gateway. */
  gateway: string;
  apiKey: string;
  tokens: { viewer: string; admin: string };
  /** Holds the query service's JWT secret (to sign a platform_admin token). */
  dataDir: string;
}

type Json = Record<string, unknown>;

type Headers = Record<string, string>;

/** Calls that check each answer against one document; `expect`s the status asked for. */
function caller(contract: OpenApiContract, base: string) {
  const call = async (
    method: string,
    url: string,
    o: { body?: unknown; headers?: Headers; raw?: string } = {},
  ) =>
    contract.fetch(`${base}${url}`, {
      method,
      headers: {
        ...(o.body === undefined && o.raw === undefined
          ? {}
          : { 'content-type': 'application/json' }),
        ...o.headers,
      },
      ...(o.raw !== undefined
        ? { body: o.raw }
        : o.body === undefined
          ? {}
          : { body: JSON.stringify(o.body) }),
    });
  return {
    call,
    expect: async (
      method: string,
      url: string,
      status: number,
      o: Parameters<typeof call>[2] = {},
    ) => {
      const res = await call(method, url, o);
      expect(res.status, `${method} ${url}: ${res.body.slice(0, 300)}`).toBe(status);
      return res.body === '' || !/[/+]json(;|$)/.test(res.contentType ?? '')
        ? {}
        : (res.json() as Json);
    },
  };
}

/** Every gateway operation: health, events, consent, Segment's calls and the snippet. */
async function checkGateway(contract: OpenApiContract, ctx: ApiContext): Promise<void> {
  const { expect: answers, call } = caller(contract, ctx.gateway);
  const key = { 'x-api-key': ctx.apiKey };
  const basic = { authorization: `Basic ${Buffer.from(`${ctx.apiKey}:`).toString('base64')}` };
  for (const url of ['/health', '/ready', '/api/v1/health', '/metrics'])
    await answers('GET', url, 200);
  for (const url of ['/v1/events', '/api/v1/events'])
    await answers('POST', url, 202, { raw: pageViewBatch(), headers: key });
  for (const url of ['/v1/consent', '/api/v1/consent'])
    await answers('POST', url, 202, {
      body: { anonymous_id: `openapi-${randomUUID()}`, purposes: { analytics: true } },
      headers: key,
    });
  const message = (type: string) => ({
    type,
    messageId: randomUUID(),
    anonymousId: 'openapi-anon',
    event: 'Video Played',
    name: 'Home',
    properties: { url: 'https://example.com/', path: '/' },
    timestamp: new Date().toISOString(),
  });
  for (const type of ['track', 'page', 'screen'])
    for (const url of [`/v1/${type}`, `/v1/${type[0]}`])
      expect(await answers('POST', url, 200, { body: message(type), headers: basic })).toEqual({
        success: true,
      });
  for (const url of ['/v1/batch', '/v1/b']) {
    const body = { batch: [message('track'), message('page')], sentAt: new Date().toISOString() };
    expect(await answers('POST', url, 200, { body, headers: basic })).toEqual({ success: true });
  }
  for (const type of ['identify', 'group', 'alias'])
    for (const url of [`/v1/${type}`, `/v1/${type[0]}`])
      await answers('POST', url, 400, {
        body: { type, userId: 'u-1', traits: { email: 'someone@example.com' } },
        headers: basic,
      });
  const version = (await call('GET', '/v1/snippet.js')).headers.get('x-snippet-version');
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  await answers('GET', `/v1/snippet-${version}.js`, 200);
}

/** The service routes, GraphQL's, and every read of the tenant's data. */
async function checkReads(contract: OpenApiContract, ctx: ApiContext): Promise<void> {
  const { expect: answers } = caller(contract, ctx.base);
  const admin = { authorization: `Bearer ${ctx.tokens.admin}` };
  const get = (url: string, headers: Headers = admin) => answers('GET', url, 200, { headers });
  for (const url of ['/health', '/ready', '/metrics', '/graphql/schema.graphql'])
    await get(url, {});
  await get('/graphql', { accept: 'text/html' });
  const typename = await answers('POST', '/graphql', 200, {
    body: { query: '{ __typename }' },
    headers: admin,
  });
  expect(typename.data).toEqual({ __typename: 'Query' });
  const end = new Date();
  const range = `start=${new Date(end.getTime() - 3 * 3600_000).toISOString()}&end=${end.toISOString()}`;
  for (const stat of [
    'overview',
    'timeseries',
    'pages',
    'landing-pages',
    'sources',
    'devices',
    'geo',
  ])
    await get(`/api/v1/stats/${stat}?${range}`);
  const events = (await get(`/api/v1/events?${range}&limit=2`)).data as { nodes: Json[] };
  await get(`/api/v1/events/${encodeURIComponent(String(events.nodes[0]!.id))}`);
  const sessions = (await get(`/api/v1/sessions?${range}&limit=2`)).data as { nodes: Json[] };
  await get(`/api/v1/sessions/${encodeURIComponent(String(sessions.nodes[0]!.id))}`);
  await get(`/api/v1/export?${range}&format=json`);
  await get('/api/v1/ops/components');
  await answers('POST', '/api/v1/sql', 200, { body: { sql: 'SELECT 1 AS one' }, headers: admin });
}

/** A person who decided on consent: looked up, exported and erased. */
async function checkSubjects(contract: OpenApiContract, ctx: ApiContext): Promise<void> {
  const { expect: answers, call } = caller(contract, ctx.base);
  const admin = { authorization: `Bearer ${ctx.tokens.admin}` };
  const person = `openapi-${randomUUID()}`;
  const decided = await fetch(`${ctx.gateway}/v1/consent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ctx.apiKey },
    body: JSON.stringify({ anonymous_id: person, purposes: { analytics: true } }),
  });
  expect(decided.status).toBe(202);
  const until = (url: string, description: string) =>
    waitFor(async () => (await call('GET', url, { headers: admin })).status === 200, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      description,
    });
  await until(`/api/v1/consent/${person}`, 'the consent decision to be readable');
  await answers('GET', `/api/v1/subjects/export?anonymous_id=${person}`, 200, { headers: admin });
  const erasure = await answers('POST', '/api/v1/subjects/erasure', 202, {
    body: { anonymous_id: person },
    headers: admin,
  });
  await until(`/api/v1/subjects/erasure/${String(erasure.id)}`, 'the erasure to be on record');
}

/** The tenant's own settings, keys and alerts, each left as it was found. */
async function checkTenant(contract: OpenApiContract, ctx: ApiContext): Promise<void> {
  const { expect: answers } = caller(contract, ctx.base);
  const headers = { authorization: `Bearer ${ctx.tokens.admin}` };
  const tenant = await answers('GET', '/api/v1/tenant', 200, { headers });
  await answers('PATCH', '/api/v1/tenant', 200, {
    body: { transcript_mode: tenant.transcript_mode ?? 'drop' },
    headers,
  });
  await answers('GET', '/api/v1/tenant/keys', 200, { headers });
  const made = await answers('POST', '/api/v1/tenant/keys', 201, {
    body: { source: 'openapi' },
    headers,
  });
  const rotated = await answers('POST', `/api/v1/tenant/keys/${String(made.id)}/rotate`, 201, {
    body: { overlap_seconds: 0 },
    headers,
  });
  await answers('DELETE', `/api/v1/tenant/keys/${String(rotated.id)}`, 200, { headers });
  await answers('GET', '/api/v1/alerts', 200, { headers });
  const alert = await answers('POST', '/api/v1/alerts', 201, {
    body: {
      name: 'OpenAPI check',
      metric: 'dlq_rate',
      threshold: 1000,
      window_minutes: 5,
      webhook_url: 'http://127.0.0.1:9/hook',
      enabled: false,
    },
    headers,
  });
  const at = `/api/v1/alerts/${String(alert.id)}`;
  await answers('GET', at, 200, { headers });
  await answers('PATCH', at, 200, { body: { threshold: 2000 }, headers });
  await answers('POST', `${at}/rotate-secret`, 200, { headers });
  await answers('DELETE', at, 204, { headers });
}

/** Platform administration: a tenant of its own and its key, disabled and enabled again. */
async function checkPlatform(contract: OpenApiContract, ctx: ApiContext): Promise<void> {
  const { expect: answers } = caller(contract, ctx.base);
  const headers = { authorization: `Bearer ${await platformToken(ctx.dataDir)}` };
  const id = `openapi-${randomUUID().slice(0, 8)}`;
  await answers('POST', '/api/v1/admin/tenants', 201, { body: { id, name: 'OpenAPI' }, headers });
  await answers('PATCH', `/api/v1/admin/tenants/${id}`, 200, {
    body: { transcript_mode: 'redact' },
    headers,
  });
  await answers('POST', `/api/v1/admin/tenants/${id}/disable`, 200, { headers });
  await answers('POST', `/api/v1/admin/tenants/${id}/enable`, 200, { headers });
  await answers('GET', '/api/v1/admin/tenants', 200, { headers });
  const key = await answers('POST', '/api/v1/admin/keys', 201, {
    body: { tenant_id: id, source: 'web' },
    headers,
  });
  await answers('GET', `/api/v1/admin/keys?tenant_id=${id}`, 200, { headers });
  const at = `/api/v1/admin/keys/${String(key.id)}`;
  await answers('PATCH', at, 200, { body: { rate_limit_per_minute: 60 }, headers });
  const next = await answers('POST', `${at}/rotate`, 201, {
    body: { overlap_seconds: 0 },
    headers,
  });
  await answers('DELETE', `/api/v1/admin/keys/${String(next.id)}`, 200, { headers });
}

/**
 * Both OpenAPI documents against the whole running backbone: every operation they describe is
 * called as a client would call it and must answer 2xx (the refused Segment calls, 400) with a
 * body the document allows, and no operation of either document is left unasked.
 */
export function describeOpenApi(ctx: () => ApiContext): void {
  describe('the OpenAPI documents against the running services', () => {
    it("describe every gateway operation's answers", async () => {
      const gateway = OpenApiContract.load(path.join(REPO_ROOT, 'ingest-gateway/openapi.yaml'));
      await checkGateway(gateway, ctx());
      expect(gateway.unchecked()).toEqual([]);
    });

    it("describe every query service operation's answers", async () => {
      const query = OpenApiContract.load(path.join(REPO_ROOT, 'query-service/openapi.yaml'));
      for (const check of [checkReads, checkSubjects, checkTenant, checkPlatform])
        await check(query, ctx());
      expect(query.unchecked()).toEqual([]);
    }, 180_000);
  });
}

/** A platform administrator's token, signed with the running query service's secret. */
function platformToken(dataDir: string): Promise<string> {
  const secret = readFileSync(path.join(dataDir, 'query-jwt-secret'), 'utf8').trim();
  return new SignJWT({ tenant_id: 'platform', role: 'platform_admin' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('openapi-check')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}
