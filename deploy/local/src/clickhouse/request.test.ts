import { describe, expect, it } from 'vitest';
import { ClickHouseException } from './errors.js';
import { parseQueryRequest } from './request.js';

const parts = (
  query: string,
  extra: { method?: string; body?: string; headers?: Record<string, string> } = {},
) => ({
  method: extra.method ?? 'POST',
  url: new URL(`http://localhost/?${query}`),
  headers: extra.headers ?? {},
  body: extra.body ?? '',
});

describe('parseQueryRequest', () => {
  it('joins the URL query and the body with a newline, as the server does for INSERT data', () => {
    expect(parseQueryRequest(parts('query=INSERT+INTO+t+FORMAT+CSV', { body: '1\n2\n' })).sql).toBe(
      'INSERT INTO t FORMAT CSV\n1\n2\n',
    );
    expect(parseQueryRequest(parts('', { body: 'SELECT 1' })).sql).toBe('SELECT 1');
  });

  it('splits URL parameters into settings, query parameters and HTTP options', () => {
    const r = parseQueryRequest(
      parts(
        'database=analytics&default_format=JSON&query_id=abc&param_tenant=acme&max_threads=2&wait_end_of_query=1&enable_http_compression=1',
        { body: 'SELECT 1' },
      ),
    );
    expect(r).toMatchObject({
      database: 'analytics',
      defaultFormat: 'JSON',
      queryId: 'abc',
      params: { tenant: 'acme' },
      settings: { max_threads: '2' },
      compressResponse: true,
      readonly: 0,
    });
  });

  it('reads credentials from Basic auth, X-ClickHouse headers or URL parameters', () => {
    const basic = `Basic ${Buffer.from('reader:s3:cret').toString('base64')}`;
    expect(
      parseQueryRequest(parts('', { body: 'SELECT 1', headers: { authorization: basic } })),
    ).toMatchObject({ user: 'reader', password: 's3:cret' });
    expect(
      parseQueryRequest(
        parts('', {
          body: 'SELECT 1',
          headers: { 'x-clickhouse-user': 'u', 'x-clickhouse-key': 'k' },
        }),
      ),
    ).toMatchObject({ user: 'u', password: 'k' });
    expect(parseQueryRequest(parts('user=u2&password=p2', { body: 'SELECT 1' }))).toMatchObject({
      user: 'u2',
      password: 'p2',
    });
    expect(parseQueryRequest(parts('', { body: 'SELECT 1' }))).toMatchObject({
      user: 'default',
      password: '',
    });
  });

  it('makes GET requests read-only, as ClickHouse does', () => {
    expect(parseQueryRequest(parts('query=SELECT+1', { method: 'GET' })).readonly).toBe(2);
  });

  it.each([
    ['an empty query', parts('', { body: '  ' }), 62],
    ['a malformed setting name', parts('bad-name=1', { body: 'SELECT 1' }), 36],
    ['an invalid readonly value', parts('readonly=yes', { body: 'SELECT 1' }), 36],
  ])('refuses %s with a ClickHouse error', (_what, input, code) => {
    expect(() => parseQueryRequest(input)).toThrow(ClickHouseException);
    try {
      parseQueryRequest(input);
    } catch (err) {
      expect((err as ClickHouseException).code).toBe(code);
    }
  });
});
