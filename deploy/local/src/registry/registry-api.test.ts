import { describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { buildRegistryApp } from './app.js';
import { RegistryStore, type RegistryRecord } from './store.js';

const schema = (fields: object[]) => JSON.stringify({ type: 'record', name: 'E', fields });
const v1 = schema([{ name: 'id', type: 'string' }]);
const v2 = schema([
  { name: 'id', type: 'string' },
  { name: 'n', type: 'int', default: 0 },
]);

function setup(failPersist = false) {
  const written: RegistryRecord[] = [];
  const logger = createLogger({ name: 'test', level: 'silent' });
  const app = buildRegistryApp({
    logger,
    persist: (records) => {
      if (failPersist) return Promise.reject(new Error('broker down'));
      written.push(...records);
      return Promise.resolve();
    },
  });
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.json<unknown>(), type: res.headers['content-type'] };
  };
  return { call, written };
}

describe('registry API (Confluent-compatible)', () => {
  it('assigns ids and versions, persists before answering, and serves them back', async () => {
    const { call, written } = setup();
    expect(await call('POST', '/subjects/s-value/versions', { schema: v1 })).toMatchObject({
      status: 200,
      body: { id: 1 },
    });
    expect(await call('POST', '/subjects/s-value/versions', { schema: v2 })).toMatchObject({
      body: { id: 2 },
    });
    expect(await call('POST', '/subjects/other-value/versions', { schema: v1 })).toMatchObject({
      body: { id: 1 },
    });
    expect(written.map((r) => r.key)).toEqual([
      { keytype: 'SCHEMA', subject: 's-value', version: 1, magic: 1 },
      { keytype: 'SCHEMA', subject: 's-value', version: 2, magic: 1 },
      { keytype: 'SCHEMA', subject: 'other-value', version: 1, magic: 1 },
    ]);
    const latest = await call('GET', '/subjects/s-value/versions/latest');
    expect(latest).toMatchObject({
      status: 200,
      body: { subject: 's-value', version: 2, id: 2, schema: v2 },
    });
    expect(latest.type).toContain('application/vnd.schemaregistry.v1+json');
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([
      { subject: 's-value', version: 1 },
      { subject: 'other-value', version: 1 },
    ]);
    expect((await call('GET', '/subjects')).body).toEqual(['other-value', 's-value']);
  });

  it.each([
    ['GET', '/subjects/nope/versions', 404, 40401],
    ['GET', '/subjects/nope/versions/1', 404, 40401],
    ['GET', '/schemas/ids/99', 404, 40403],
    ['GET', '/config/nope', 404, 40408],
  ] as const)('answers %s %s with %i / error_code %i', async (method, url, status, errorCode) => {
    const { call } = setup();
    expect(await call(method, url)).toMatchObject({ status, body: { error_code: errorCode } });
  });

  it('refuses bad versions, bad bodies and unsupported schema types with 422', async () => {
    const { call } = setup();
    await call('POST', '/subjects/s-value/versions', { schema: v1 });
    expect((await call('GET', '/subjects/s-value/versions/0')).body).toMatchObject({
      error_code: 42202,
    });
    expect((await call('GET', '/subjects/s-value/versions/abc')).body).toMatchObject({
      error_code: 42202,
    });
    expect((await call('GET', '/subjects/s-value/versions/7')).body).toMatchObject({
      error_code: 40402,
    });
    expect((await call('POST', '/subjects/s-value/versions', {})).body).toMatchObject({
      error_code: 42201,
    });
    expect(
      (await call('POST', '/subjects/s-value/versions', { schema: '{"type":"record"' })).body,
    ).toMatchObject({ error_code: 42201 });
    expect(
      (await call('POST', '/subjects/s-value/versions', { schema: '{}', schemaType: 'PROTOBUF' }))
        .body,
    ).toMatchObject({ error_code: 42201 });
  });

  it('does not apply a change it could not persist', async () => {
    const { call } = setup(true);
    expect((await call('POST', '/subjects/s-value/versions', { schema: v1 })).status).toBe(500);
    expect((await call('GET', '/subjects')).body).toEqual([]);
  });

  it('rebuilds the same state from its records', async () => {
    const { call, written } = setup();
    await call('POST', '/subjects/s-value/versions', { schema: v1 });
    await call('PUT', '/config/s-value', { compatibility: 'FULL' });
    await call('DELETE', '/subjects/s-value');
    const store = new RegistryStore();
    for (const record of written) store.apply(record);
    expect(store.listSubjects()).toEqual([]);
    expect(store.listSubjects(true)).toEqual(['s-value']);
    expect(store.subjectCompatibility('s-value', false)).toBe('FULL');
  });
});
