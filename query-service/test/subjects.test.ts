import { SignJWT } from 'jose';
import { inject as injectRaw } from 'light-my-request';
import { conforming } from '@backbone/test/openapi';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErasureProgress, ErasureRequest } from '@backbone/warehouse';
import { createQueryService, type QueryService } from '../src/app.js';
import { jwtAuthenticator } from '../src/auth.js';
import type { SubjectRequests } from '../src/subjects.js';
import { fakeRepositories, memoryLogger, QUERY_API } from './fakes.js';

/** Every answer injected here is checked against openapi.yaml. */
const inject = conforming(injectRaw, QUERY_API);

/** The subject endpoints without Kafka: who may ask, what is refused, what a client sees. */

const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const bearer = async (role: 'viewer' | 'admin', tenant = 'acme') => ({
  authorization: `Bearer ${await new SignJWT({ tenant_id: tenant, role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('dpo@acme')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET))}`,
});

let service: QueryService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

function fakeSubjects(fail = false) {
  const submitted: ErasureRequest[] = [];
  const subjects: SubjectRequests = {
    submit: (r) =>
      fail ? Promise.reject(new Error('broker away')) : (submitted.push(r), Promise.resolve()),
    progress: (tenant, id): Promise<ErasureProgress | undefined> => {
      const r = submitted.find((s) => s.id === id && s.tenant === tenant);
      return Promise.resolve(
        r && {
          id,
          tenant,
          state: 'done',
          requestedAt: new Date(r.requestedAt).toISOString(),
          requestedBy: r.requestedBy,
          completedAt: new Date().toISOString(),
          stores: [{ store: 'web_events', state: 'done', rows: 12, detail: '' }],
        },
      );
    },
    // An anonymous id "known" resolves to a token with one decision; any other to no token.
    exportTokens: (tenant: string, id: string) => {
      const r = submitted.find((s) => s.id === id && s.tenant === tenant);
      return Promise.resolve(r && (r.subjectId === 'known' ? ['t-known'] : []));
    },
    consent: (tenant: string, tokens: string[]) =>
      Promise.resolve(
        tenant === 'acme' && tokens.includes('t-known')
          ? {
              latest: {
                analytics: { granted: false, at: '2026-12-06T10:00:00.000Z' },
                marketing: null,
                functional: null,
                text_version: 'v3',
                text_sha256: null,
                method: 'settings',
                decided_at: '2026-12-06T10:00:00.000Z',
              },
              history: [{ event_type: 'consent_decision', analytics: false }],
            }
          : undefined,
      ),
    rows: () => Promise.reject(new Error('not read here')),
    stop: () => Promise.resolve(),
  };
  return { subjects, submitted };
}

async function build(subjects?: SubjectRequests) {
  service = await createQueryService({
    repositories: fakeRepositories({}, []),
    checks: [{ name: 'clickhouse', run: () => true }],
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger: memoryLogger().logger,
    ...(subjects ? { subjects } : {}),
  });
  return service;
}

const post = async (s: QueryService, body: unknown, headers: Record<string, string>) => {
  const res = await inject(s.app, {
    method: 'POST',
    url: '/api/v1/subjects/erasure',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.statusCode,
    body: res.json<Record<string, unknown>>(),
    headers: res.headers,
  };
};
const get = async (s: QueryService, id: string, headers: Record<string, string>) => {
  const res = await inject(s.app, {
    method: 'GET',
    url: `/api/v1/subjects/erasure/${id}`,
    headers,
  });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
};

describe('POST /api/v1/subjects/erasure', () => {
  it("queues the admin's request for the token's tenant and answers 202 with where to follow it", async () => {
    const { subjects, submitted } = fakeSubjects();
    const s = await build(subjects);
    const res = await post(s, { user_id: 'jane@example.com' }, await bearer('admin'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: submitted[0]!.id, state: 'queued' });
    expect(res.headers.location).toBe(`/api/v1/subjects/erasure/${submitted[0]!.id}`);
    expect(submitted[0]).toMatchObject({
      tenant: 'acme',
      kind: 'user',
      subjectId: 'jane@example.com',
      requestedBy: 'dpo@acme',
    });
    const progress = await get(s, submitted[0]!.id, await bearer('admin'));
    expect(progress).toMatchObject({
      status: 200,
      body: { state: 'done', stores: [{ rows: 12 }] },
    });
    // Another tenant's admin does not see it.
    expect((await get(s, submitted[0]!.id, await bearer('admin', 'globex'))).status).toBe(404);
  });

  it('refuses a viewer, and bad bodies with the field named', async () => {
    const { subjects, submitted } = fakeSubjects();
    const s = await build(subjects);
    const admin = await bearer('admin');
    expect((await post(s, { user_id: 'x' }, await bearer('viewer'))).status).toBe(403);
    expect(
      (await get(s, '00000000-0000-4000-8000-000000000000', await bearer('viewer'))).status,
    ).toBe(403);
    const bad = async (body: unknown) => {
      const res = await post(s, body, admin);
      expect(res.status).toBe(400);
      return res.body.message;
    };
    expect(await bad({})).toMatch(/exactly one of user_id and anonymous_id/);
    expect(await bad({ user_id: 'a', anonymous_id: 'b' })).toMatch(/exactly one of/);
    expect(await bad({ user_id: 42 })).toMatch(/^user_id: a string/);
    expect(await bad({ anonymous_id: '' })).toMatch(/^anonymous_id: a string of 1 to 512/);
    expect(await bad({ user_id: 'a', email: 'a@b.c' })).toMatch(/^email: not a field/);
    expect(await bad('[1]')).toMatch(/JSON object/);
    expect(await bad('{not json')).toMatch(/not valid JSON/);
    expect((await get(s, 'not-a-uuid', admin)).body.message).toMatch(/^id: an erasure request id/);
    expect(submitted).toEqual([]);
  });

  it('answers 503 without Kafka, or when the request could not be queued', async () => {
    const admin = await bearer('admin');
    const none = await build();
    const res = await post(none, { user_id: 'x' }, admin);
    expect(res).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
    await none.stop();
    service = undefined;
    const failing = await build(fakeSubjects(true).subjects);
    const res2 = await post(failing, { user_id: 'x' }, admin);
    expect(res2.status).toBe(503);
    expect(res2.body.message).toMatch(/could not be queued/);
  });
});

describe('GET /api/v1/consent/:anonymousId', () => {
  const read = async (s: QueryService, id: string, headers: Record<string, string>) => {
    const res = await inject(s.app, { method: 'GET', url: `/api/v1/consent/${id}`, headers });
    return {
      status: res.statusCode,
      body: res.json<Record<string, unknown>>(),
      headers: res.headers,
    };
  };

  it("answers the person's latest decision per purpose and their history, as an audited access", async () => {
    const { subjects, submitted } = fakeSubjects();
    const s = await build(subjects);
    const res = await read(s, 'known', await bearer('admin'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      anonymous_id: 'known',
      latest: { analytics: { granted: false }, marketing: null, method: 'settings' },
      history: [{ event_type: 'consent_decision' }],
    });
    expect(submitted).toMatchObject([{ type: 'export', kind: 'anonymous', subjectId: 'known' }]);
    expect(res.headers['x-access-request-id']).toBe(submitted[0]!.id);
  });

  it('answers 404 for a person without decisions, 403 to a viewer, 503 without Kafka', async () => {
    const { subjects } = fakeSubjects();
    const s = await build(subjects);
    expect((await read(s, 'stranger', await bearer('admin'))).status).toBe(404);
    expect((await read(s, 'known', await bearer('viewer'))).status).toBe(403);
    await s.stop();
    service = undefined;
    expect((await read(await build(), 'known', await bearer('admin'))).status).toBe(503);
  });
});
