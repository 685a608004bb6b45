import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { ClickHouseClient } from '@clickhouse/client';
import { createTestDatabase, testClickHouse, testStack, uniqueName } from '@backbone/test';

/**
 * INSERT bodies as clients send them: binary formats, Confluent-framed Avro, data after the
 * SQL in one body, compressed bodies, empty bodies, and query parameters in a multipart form.
 */

let admin: ClickHouseClient;
let db: { name: string; drop: () => Promise<void> };

const auth = () => {
  const s = testStack();
  return {
    Authorization: `Basic ${Buffer.from(`${s.clickhouseUser}:${s.clickhousePassword}`).toString('base64')}`,
  };
};
const post = (
  query: string,
  body: string | Buffer | FormData,
  headers: Record<string, string> = {},
) =>
  fetch(`${testStack().clickhouseUrl}/?${query}`, {
    method: 'POST',
    headers: { ...auth(), ...headers },
    body,
  });
const sql = (text: string) => `query=${encodeURIComponent(text)}`;

beforeAll(async () => {
  admin = testClickHouse();
  db = await createTestDatabase(admin, 'inserts');
});
afterAll(async () => {
  await db.drop();
  await admin.close();
});

async function table(): Promise<string> {
  const name = `${db.name}.${uniqueName('t')}`;
  await admin.command({
    query: `CREATE TABLE ${name} (id UInt32, name String, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id`,
  });
  return name;
}

async function figures(name: string): Promise<string> {
  const res = await post('', `SELECT count(), sum(id), sum(length(name)), max(at) FROM ${name}`);
  return res.text();
}

const ROWS = `SELECT toUInt32(number) AS id, concat('n', toString(number)) AS name,
  toDateTime64('2026-01-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number) AS at FROM numbers(20000)`;
const EXPECTED = '20000\t199990000\t108890\t2026-01-01 00:00:19.999\n';

describe('INSERT bodies in binary formats', () => {
  it.each([
    'RowBinary',
    'RowBinaryWithNamesAndTypes',
    'Native',
    'Parquet',
    'Arrow',
    'ArrowStream',
    'ORC',
    'Avro',
  ])('takes %s data in the body and stores every row', async (format) => {
    const data = Buffer.from(await (await post('', `${ROWS} FORMAT ${format}`)).arrayBuffer());
    const name = await table();
    const res = await post(sql(`INSERT INTO ${name} FORMAT ${format}`), data);
    expect(res.status).toBe(200);
    expect(await figures(name)).toBe(EXPECTED);
  });

  it('takes binary data after the SQL in one body, and a gzip-compressed body', async () => {
    const data = Buffer.from(await (await post('', `${ROWS} FORMAT RowBinary`)).arrayBuffer());
    const name = await table();
    const whole = Buffer.concat([Buffer.from(`INSERT INTO ${name} FORMAT RowBinary\n`), data]);
    expect((await post('', whole)).status).toBe(200);
    const again = await post(sql(`INSERT INTO ${name} FORMAT RowBinary`), gzipSync(data), {
      'Content-Encoding': 'gzip',
    });
    expect(again.status).toBe(200);
    expect((await figures(name)).split('\t')[0]).toBe('40000');
  });

  it('reports the rows it wrote in X-ClickHouse-Summary', async () => {
    const data = Buffer.from(await (await post('', `${ROWS} FORMAT Native`)).arrayBuffer());
    const name = await table();
    const res = await post(sql(`INSERT INTO ${name} FORMAT Native`), data);
    expect(JSON.parse(res.headers.get('x-clickhouse-summary') ?? '{}')).toMatchObject({
      written_rows: '20000',
    });
  });
});

describe('Confluent-framed Avro, decoded with the schema registry', () => {
  it('takes AvroConfluent rows whose schema the registry holds', async () => {
    const registry = new SchemaRegistry({ host: testStack().schemaRegistryUrl });
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify({
          type: 'record',
          name: 'Row',
          namespace: 'test.inserts',
          fields: [
            { name: 'id', type: 'long' },
            { name: 'name', type: 'string' },
            { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          ],
        }),
      },
      { subject: uniqueName('inserts-value') },
    );
    const start = Date.UTC(2026, 0, 1);
    const rows = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        registry.encode(id, { id: i, name: `n${i}`, at: start + i }),
      ),
    );
    const name = await table();
    const res = await post(
      `format_avro_schema_registry_url=${encodeURIComponent(testStack().schemaRegistryUrl)}&${sql(
        `INSERT INTO ${name} FORMAT AvroConfluent`,
      )}`,
      Buffer.concat(rows),
    );
    expect(res.status).toBe(200);
    expect(await figures(name)).toBe('500\t124750\t1890\t2026-01-01 00:00:00.499\n');
  });
});

describe('bodies a server takes that are not data', () => {
  it('answers an empty INSERT body with 200 and writes nothing', async () => {
    const name = await table();
    const res = await post(sql(`INSERT INTO ${name} FORMAT JSONEachRow`), '');
    expect(res.status).toBe(200);
    expect((await figures(name)).split('\t')[0]).toBe('0');
  });

  it('reads the query and its parameters from a multipart form', async () => {
    const form = new FormData();
    form.set('query', 'SELECT count() FROM numbers(5000) WHERE number IN {ids:Array(UInt64)}');
    form.set('param_ids', `[${Array.from({ length: 3000 }, (_, i) => i).join(',')}]`);
    const res = await post('', form);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('3000\n');
  });

  it('takes VALUES written inline, with a SETTINGS clause before them', async () => {
    const name = await table();
    const res = await post(
      '',
      `INSERT INTO ${name} SETTINGS async_insert = 0 VALUES (1, 'a', '2026-01-01 00:00:00'), (2, 'bb', '2026-01-01 00:00:01')`,
    );
    expect(res.status).toBe(200);
    expect(await figures(name)).toBe('2\t3\t3\t2026-01-01 00:00:01.000\n');
  });
});
