import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { ConfigResourceTypes } from 'kafkajs';
import { freePort, startRegistryProcess, stopProcess } from '@backbone/deploy/local';
import { testKafka, testStack, uniqueName, testTempDir } from '@backbone/test';

const v1 = {
  type: 'record',
  name: 'PageView',
  namespace: 'test.backbone',
  fields: [
    { name: 'event_id', type: 'string', privacy: 'none' },
    { name: 'url', type: 'string', privacy: 'low' },
  ],
};
const withDefault = {
  ...v1,
  fields: [
    ...v1.fields,
    { name: 'title', type: ['null', 'string'], default: null, privacy: 'low' },
  ],
};
const withoutDefault = {
  ...v1,
  fields: [...v1.fields, { name: 'referrer', type: 'string', privacy: 'low' }],
};

const avro = (schema: object) => ({
  type: SchemaType.AVRO as const,
  schema: JSON.stringify(schema),
});

async function rest(base: string, method: string, route: string, body?: unknown) {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
}

const url = () => testStack().schemaRegistryUrl;

describe('schema registry of the local stack (@kafkajs/confluent-schema-registry)', () => {
  it('registers a schema, encodes in the Confluent wire format, decodes, and serves it by id', async () => {
    const registry = new SchemaRegistry({ host: url() });
    const subject = uniqueName('web-value');
    const { id } = await registry.register(avro(v1), { subject });
    const payload = { event_id: 'e-1', url: '/products/shoes' };
    const bytes = await registry.encode(id, payload);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(await registry.decode(bytes)).toEqual(payload);

    const byId = await rest(url(), 'GET', `/schemas/ids/${id}`);
    expect(byId.status).toBe(200);
    expect(JSON.parse(byId.body.schema as string)).toEqual(v1);
    expect(await registry.getLatestSchemaId(subject)).toBe(id);
  });

  it('gives an identical schema the same id and no new version', async () => {
    const registry = new SchemaRegistry({ host: url() });
    const subject = uniqueName('dedup-value');
    const first = await registry.register(avro(v1), { subject });
    const again = await registry.register(
      { type: SchemaType.AVRO as const, schema: JSON.stringify(v1, null, 4) },
      { subject },
    );
    expect(again.id).toBe(first.id);
    expect((await rest(url(), 'GET', `/subjects/${subject}/versions`)).body).toEqual([1]);

    const lookup = await rest(url(), 'POST', `/subjects/${subject}`, {
      schema: JSON.stringify(v1),
    });
    expect(lookup).toMatchObject({ status: 200, body: { subject, version: 1, id: first.id } });
  });

  it('refuses an incompatible change under BACKWARD with 409 and accepts a compatible one', async () => {
    const registry = new SchemaRegistry({ host: url() });
    const subject = uniqueName('evolve-value');
    await registry.register(avro(v1), { subject });
    await expect(registry.register(avro(withoutDefault), { subject })).rejects.toMatchObject({
      status: 409,
    });
    const evolved = await registry.register(avro(withDefault), { subject });
    expect((await rest(url(), 'GET', `/subjects/${subject}/versions/latest`)).body).toMatchObject({
      version: 2,
      id: evolved.id,
    });
    expect((await rest(url(), 'GET', `/config/${subject}`)).body).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
  });

  it('checks compatibility per level through the check endpoint, including FORWARD, FULL and NONE', async () => {
    const subject = uniqueName('levels-value');
    expect(
      (
        await rest(url(), 'POST', `/subjects/${subject}/versions`, {
          schema: JSON.stringify(withDefault),
        })
      ).status,
    ).toBe(200);
    const check = async (level: string, schema: object) => {
      expect(
        (await rest(url(), 'PUT', `/config/${subject}`, { compatibility: level })).body,
      ).toEqual({ compatibility: level });
      return (
        await rest(url(), 'POST', `/compatibility/subjects/${subject}/versions/latest`, {
          schema: JSON.stringify(schema),
        })
      ).body;
    };
    // Dropping a field that has a default is fine both ways; adding one without a default is not backward.
    expect(await check('BACKWARD', v1)).toEqual({ is_compatible: true });
    expect(
      await check('BACKWARD', {
        ...withDefault,
        fields: [...withDefault.fields, { name: 'x', type: 'int' }],
      }),
    ).toEqual({ is_compatible: false });
    expect(
      await check('FORWARD', {
        ...withDefault,
        fields: [...withDefault.fields, { name: 'x', type: 'int' }],
      }),
    ).toEqual({ is_compatible: true });
    expect(
      await check('FULL', {
        ...withDefault,
        fields: [...withDefault.fields, { name: 'x', type: 'int' }],
      }),
    ).toEqual({ is_compatible: false });
    expect(
      await check('NONE', { type: 'record', name: 'Other', fields: [{ name: 'n', type: 'long' }] }),
    ).toEqual({ is_compatible: true });
    expect(
      (await rest(url(), 'PUT', `/config/${subject}`, { compatibility: 'SIDEWAYS' })).body,
    ).toMatchObject({ error_code: 42203 });
  });
});

describe('schema registry of the local stack (@kafkajs/confluent-schema-registry)', () => {
  it('checks _TRANSITIVE levels against every version, plain levels against the latest only', async () => {
    const subject = uniqueName('transitive-value');
    const v1x = { type: 'record', name: 'T', fields: [{ name: 'x', type: 'int' }] };
    const v2y = { type: 'record', name: 'T', fields: [{ name: 'y', type: 'int', default: 0 }] };
    // Reads version 2's data (y is there) but not version 1's (no y, and no default).
    const candidate = { type: 'record', name: 'T', fields: [{ name: 'y', type: 'int' }] };
    await rest(url(), 'PUT', `/config/${subject}`, { compatibility: 'NONE' });
    expect(
      (await rest(url(), 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(v1x) }))
        .status,
    ).toBe(200);
    expect(
      (await rest(url(), 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(v2y) }))
        .status,
    ).toBe(200);
    const checkAll = async (level: string) => {
      await rest(url(), 'PUT', `/config/${subject}`, { compatibility: level });
      return (
        await rest(url(), 'POST', `/compatibility/subjects/${subject}/versions`, {
          schema: JSON.stringify(candidate),
        })
      ).body;
    };
    expect(await checkAll('BACKWARD')).toEqual({ is_compatible: true });
    expect(await checkAll('BACKWARD_TRANSITIVE')).toEqual({ is_compatible: false });
    const registered = await rest(url(), 'POST', `/subjects/${subject}/versions`, {
      schema: JSON.stringify(candidate),
    });
    expect(registered).toMatchObject({ status: 409, body: { error_code: 409 } });
  });

  it('deletes a subject softly, then permanently, and answers 404 for it afterwards', async () => {
    const subject = uniqueName('gone-value');
    await rest(url(), 'POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(v1) });
    expect((await rest(url(), 'DELETE', `/subjects/${subject}?permanent=true`)).body).toMatchObject(
      { error_code: 40405 },
    );
    expect((await rest(url(), 'DELETE', `/subjects/${subject}`)).body).toEqual([1]);
    expect(await rest(url(), 'GET', `/subjects/${subject}/versions`)).toMatchObject({
      status: 404,
      body: { error_code: 40401 },
    });
    expect((await rest(url(), 'GET', '/subjects')).body).not.toContain(subject);
    expect((await rest(url(), 'DELETE', `/subjects/${subject}?permanent=true`)).body).toEqual([1]);
  });

  it('refuses a schema that is not valid Avro with 422 naming the problem', async () => {
    const res = await rest(url(), 'POST', `/subjects/${uniqueName('bad-value')}/versions`, {
      schema: JSON.stringify({
        type: 'record',
        name: 'Bad',
        fields: [{ name: 'x', type: 'no-such-type' }],
      }),
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error_code: 42201 });
    expect(String(res.body.message)).toMatch(/no-such-type/);
  });
});

describe('schema registry of the local stack (@kafkajs/confluent-schema-registry)', () => {
  it('keeps its schemas across a restart, in a compacted Kafka topic', async () => {
    const stack = testStack();
    const topic = uniqueName('_schemas');
    const dir = testTempDir('registry');
    const port = await freePort();
    const start = () =>
      startRegistryProcess({
        stackDir: stack.dataDir ?? dir,
        port,
        brokers: stack.kafkaBrokers,
        topic,
        logFile: path.join(dir, 'registry.log'),
      });

    let proc = await start();
    const base = `http://127.0.0.1:${port}`;
    const subject = uniqueName('durable-value');
    let id: number;
    try {
      const registry = new SchemaRegistry({ host: base });
      id = (await registry.register(avro(v1), { subject })).id;
      await registry.register(avro(withDefault), { subject });
      await rest(base, 'PUT', '/config', { compatibility: 'FULL' });
    } finally {
      await stopProcess(proc.pid);
    }

    proc = await start();
    try {
      expect(
        JSON.parse((await rest(base, 'GET', `/schemas/ids/${id}`)).body.schema as string),
      ).toEqual(v1);
      expect((await rest(base, 'GET', `/subjects/${subject}/versions`)).body).toEqual([1, 2]);
      expect((await rest(base, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });
    } finally {
      await stopProcess(proc.pid);
    }

    const admin = testKafka().admin();
    await admin.connect();
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    });
    await admin.disconnect();
    const policy = configs.resources[0]?.configEntries.find(
      (e) => e.configName === 'cleanup.policy',
    );
    expect(policy?.configValue).toBe('compact');
  });
});
