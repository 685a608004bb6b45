import { Readable } from 'node:stream';
import { SignJWT } from 'jose';
import { inject as injectRaw } from 'light-my-request';
import { conforming } from '@backbone/test/openapi';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadyReportSchema, type Check } from '@backbone/runtime';
import { createQueryService, type QueryService, type QueryServiceParts } from '../src/app.js';
import { jwtAuthenticator } from '../src/auth.js';
import { parseExplainAst } from '../src/sql/ast.js';
import type { AuditLog } from '../src/sql/audit.js';
import type { SqlEngine } from '../src/sql/engine.js';
import { fakeRepositories, memoryLogger, type Answers, type Call, QUERY_API } from './fakes.js';

/** Every answer injected here is checked against openapi.yaml. */
const inject = conforming(injectRaw, QUERY_API);

/**
 * The HTTP surface without ClickHouse: the service built from in-memory readers, requests
 * injected without a socket. What it proves is the service's own behaviour — who may ask,
 * what is refused before any read, and what an error looks like — not the SQL.
 */

const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const token = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tester')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
const bearer = async (claims: Record<string, unknown> = { tenant_id: 'acme', role: 'viewer' }) => ({
  authorization: `Bearer ${await token(claims)}`,
});

const RANGE = 'start=2026-11-01T00:00:00Z&end=2026-11-02T00:00:00Z';
const overview = { pageViews: 3, uniqueVisitors: 2, sessions: 2, conversions: 1, revenue: 49.5 };
const sessionStats = { sessions: 2, bounces: 1, avgDurationSeconds: 30 };

let service: QueryService | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
});

async function build(
  answers: Answers = {},
  extra: Partial<QueryServiceParts> = {},
): Promise<{ service: QueryService; calls: Call[]; lines: Record<string, unknown>[] }> {
  const calls: Call[] = [];
  const { logger, lines } = memoryLogger();
  service = await createQueryService({
    repositories: fakeRepositories(answers, calls),
    checks: [{ name: 'clickhouse', run: () => true }],
    authenticate: jwtAuthenticator({ secret: SECRET }),
    logger,
    maxRangeDays: 31,
    ...extra,
  });
  return { service, calls, lines };
}

const get = async (s: QueryService, url: string, headers: Record<string, string> = {}) => {
  const res = await inject(s.app, { method: 'GET', url, headers });
  return {
    status: res.statusCode,
    body: res.json<Record<string, unknown>>(),
    headers: res.headers,
  };
};

const graphql = async (
  s: QueryService,
  query: string,
  headers: Record<string, string> = {},
  variables?: Record<string, unknown>,
) => {
  const res = await inject(s.app, {
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, body: res.json<{ data?: unknown; errors?: GqlError[] }>() };
};
type GqlError = { message: string; extensions?: { code?: string } };

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a token, with a bad one, and with a token lacking a tenant', async () => {
    const { service: s, calls } = await build({ 'stats.overview': () => overview });
    const wrongKey = {
      authorization: `Bearer ${await token({ tenant_id: 'acme', role: 'viewer' }, 'y'.repeat(40))}`,
    };
    const noTenant = await bearer({ role: 'viewer' });
    for (const headers of [{}, { authorization: 'Basic abc' }, wrongKey, noTenant]) {
      const res = await get(s, `/api/v1/stats/overview?${RANGE}`, headers);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 'error', code: 'UNAUTHENTICATED' });
      expect(typeof res.body.message).toBe('string');
    }
    const gql = await graphql(
      s,
      '{ topPages(timeRange: {start: "2026-11-01T00:00:00Z", end: "2026-11-02T00:00:00Z"}, limit: 5) { url } }',
    );
    expect(gql.status).toBe(401);
    expect(gql.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(calls).toEqual([]);
  });

  it("reads for the token's tenant only, whatever the request names", async () => {
    const { service: s, calls } = await build({
      'stats.overview': () => overview,
      'stats.sessionStats': () => sessionStats,
    });
    const res = await get(s, `/api/v1/stats/overview?${RANGE}&tenant_id=other`, await bearer());
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ pageViews: 3, bounceRate: 0.5, conversionRate: 0.5 });
    expect(calls.map((c) => c.args[0])).toEqual(['acme', 'acme']);
  });
});

describe('validation before any read', () => {
  it('refuses REST parameters with 400 BAD_USER_INPUT naming the parameter', async () => {
    const { service: s, calls } = await build();
    const cases: [string, RegExp][] = [
      ['/api/v1/stats/overview?end=2026-11-02T00:00:00Z', /start is required/],
      [
        '/api/v1/stats/overview?start=2026-11-01T00:00:00&end=2026-11-02T00:00:00Z',
        /start must be .* with a zone/,
      ],
      [
        '/api/v1/stats/overview?start=2026-11-02T00:00:00Z&end=2026-11-01T00:00:00Z',
        /end must be after/,
      ],
      [
        '/api/v1/stats/overview?start=2026-01-01T00:00:00Z&end=2026-11-01T00:00:00Z',
        /more than 31 days/,
      ],
      [`/api/v1/stats/pages?${RANGE}&limit=101`, /limit must be between 1 and 100/],
      [`/api/v1/stats/timeseries?${RANGE}&granularity=YEAR`, /granularity must be one of/],
      [`/api/v1/export?${RANGE}&format=xml`, /format must be csv or json/],
      [`/api/v1/stats/geo?${RANGE}&country=${'x'.repeat(513)}`, /^country must be at most 512/],
      [
        `/api/v1/stats/sources?${RANGE}&device_type=mobile&device_type=tablet`,
        /^device_type must be one string/,
      ],
    ];
    const headers = await bearer();
    for (const [url, message] of cases) {
      const res = await get(s, url, headers);
      expect(res.status, url).toBe(400);
      expect(res.body, url).toMatchObject({ status: 'error', code: 'BAD_USER_INPUT' });
      expect(res.body.message, url).toMatch(message);
    }
    expect(calls).toEqual([]);
  });

  it('refuses GraphQL arguments and costly documents with their codes', async () => {
    const { service: s, calls } = await build();
    const headers = await bearer();
    const range = '{start: "2026-11-01T00:00:00Z", end: "2026-11-02T00:00:00Z"}';
    const tooMany = await graphql(
      s,
      `{ topPages(timeRange: ${range}, limit: 101) { url } }`,
      headers,
    );
    expect(tooMany.body.errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: expect.stringMatching(/limit must be between 1 and 100/) as unknown,
    });
    // As the dashboard sends it: the range in variables, one time without a zone.
    const noZone = await graphql(
      s,
      'query ($r: TimeRange!) { geo(timeRange: $r) { country } }',
      headers,
      { r: { start: '2026-11-01T00:00:00', end: '2026-11-02T00:00:00Z' } },
    );
    expect(noZone.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(noZone.body.errors?.[0]?.message).toMatch(/start/);
    const aliases = Array.from(
      { length: 13 },
      (_, i) => `a${i}: realtimeSummary { activeSessions }`,
    );
    const costly = await graphql(s, `{ ${aliases.join(' ')} }`, headers);
    expect(costly.status).toBe(400);
    expect(costly.body.errors?.[0]?.message).toMatch(/top-level fields/);
    expect(calls).toEqual([]);
  });

  it('answers 413 for a body over the limit and 400 for one that is not JSON', async () => {
    const { service: s } = await build();
    const big = await inject(s.app, {
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(await bearer()) },
      payload: JSON.stringify({
        query: `{ realtimeSummary { activeSessions } } # ${'x'.repeat(200_000)}`,
      }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ status: 'error', code: 'PAYLOAD_TOO_LARGE' });
    const broken = await inject(s.app, {
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(await bearer()) },
      payload: '{"query": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ status: 'error', code: 'BAD_USER_INPUT' });
  });
});

describe('error shapes', () => {
  it('hides an unexpected failure behind 500 INTERNAL and logs it with the request id', async () => {
    const { service: s, lines } = await build({
      'stats.topPages': () => Promise.reject(new Error('secret connection detail')),
    });
    const res = await get(s, `/api/v1/stats/pages?${RANGE}`, {
      ...(await bearer()),
      'x-request-id': 'req-42',
    });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ status: 'error', code: 'INTERNAL', message: 'internal error' });
    expect(res.headers['x-request-id']).toBe('req-42');
    const logged = lines.filter((l) => l.level === 50);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'req-42', msg: 'REST request failed' });
  });

  it('answers GraphQL failures as INTERNAL_SERVER_ERROR without their message', async () => {
    const { service: s, lines } = await build({
      'speech.realtime': () => Promise.reject(new Error('secret connection detail')),
    });
    const res = await graphql(s, '{ realtimeSummary { activeSessions } }', await bearer());
    expect(res.body.errors).toEqual([
      {
        message: 'internal error',
        path: ['realtimeSummary'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(lines.filter((l) => l.level === 50)).toHaveLength(1);
  });

  it('answers 404 NOT_FOUND naming what the tenant does not have', async () => {
    const { service: s, calls } = await build({ 'web.event': () => null });
    const res = await get(s, '/api/v1/events/e-404', await bearer());
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ status: 'error', code: 'NOT_FOUND', message: 'no event e-404' });
    expect(calls).toEqual([{ read: 'web.event', args: ['acme', 'e-404'] }]);
  });

  it('streams an export with its type and file name', async () => {
    const { service: s } = await build({
      'exports.webEvents': () => Readable.from(['event_id,event_type\n', 'e1,page_view\n']),
    });
    const res = await inject(s.app, {
      method: 'GET',
      url: `/api/v1/export?${RANGE}`,
      headers: await bearer(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="events-2026-11-01.csv"');
    expect(res.body).toBe('event_id,event_type\ne1,page_view\n');
  });
});

describe('admin SQL', () => {
  const engine = (runs: string[]): SqlEngine => ({
    scope: () =>
      Promise.resolve({
        database: 'analytics',
        tenantTables: new Set(['t']),
        otherTables: new Set(),
      }),
    // EXPLAIN AST of `SELECT count() FROM t`, as ClickHouse writes it.
    parse: () =>
      Promise.resolve(
        parseExplainAst(
          'SelectWithUnionQuery (children 1)\n ExpressionList (children 1)\n  SelectQuery (children 2)\n   ExpressionList (children 1)\n    Function count (children 1)\n     ExpressionList\n   TablesInSelectQuery (children 1)\n    TablesInSelectQueryElement (children 1)\n     TableExpression (children 1)\n      TableIdentifier t\n',
        ),
      ),
    run: (sql) => {
      runs.push(sql);
      return Promise.resolve((async function* () {})());
    },
    statementError: () => undefined,
  });
  const audit = (started: () => Promise<void>): AuditLog => ({
    started,
    finished: () => Promise.resolve(),
  });
  const limits = { maxRows: 1000, maxResultBytes: 1_000_000, maxExecutionSeconds: 5 };
  const post = async (s: QueryService, body: unknown, role = 'admin') =>
    inject(s.app, {
      method: 'POST',
      url: '/api/v1/sql',
      headers: {
        'content-type': 'application/json',
        ...(await bearer({ tenant_id: 'acme', role })),
      },
      payload: JSON.stringify(body),
    });

  it('is for admins only (403), names a bad field (400), and is 503 where not configured', async () => {
    const runs: string[] = [];
    const { service: s } = await build(
      {},
      { sql: { engine: engine(runs), audit: audit(() => Promise.resolve()), limits } },
    );
    const viewer = await post(s, { sql: 'SELECT 1' }, 'viewer');
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toMatchObject({ code: 'FORBIDDEN' });
    for (const [body, message] of [
      [{}, /sql is required/],
      [{ sql: 'SELECT 1', format: 'xml' }, /format must be json or csv/],
      [{ sql: 'SELECT 1', max_rows: 1001 }, /max_rows must be an integer from 1 to 1000/],
    ] as const) {
      const res = await post(s, body);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(message);
    }
    expect(runs).toEqual([]);
    await service?.stop();
    const { service: bare } = await build();
    const res = await post(bare, { sql: 'SELECT 1' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'error', code: 'UNAVAILABLE' });
  });

  it('runs nothing when the audit trail cannot record the start (503)', async () => {
    const runs: string[] = [];
    const { service: s } = await build(
      {},
      {
        sql: {
          engine: engine(runs),
          audit: audit(() => Promise.reject(new Error('audit down'))),
          limits,
        },
      },
    );
    const res = await post(s, { sql: 'SELECT count() FROM t' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/nothing ran/) as unknown,
    });
    expect(runs).toEqual([]);
  });
});

describe('/ready', () => {
  it('has the shared shape: 503 naming a required check that fails, 200 when only an optional one does', async () => {
    const down: Check[] = [
      { name: 'clickhouse', run: () => ({ up: false, detail: 'connection refused' }) },
      { name: 'redis', required: false, run: () => true },
    ];
    const { service: s } = await build({}, { checks: down });
    const res = await get(s, '/ready');
    expect(res.status).toBe(503);
    expect(ReadyReportSchema.parse(res.body)).toMatchObject({
      status: 'not_ready',
      checks: { clickhouse: { status: 'down', required: true, detail: 'connection refused' } },
    });
    await service?.stop();
    const { service: degraded } = await build(
      {},
      {
        checks: [
          { name: 'clickhouse', run: () => true },
          { name: 'redis', required: false, run: () => false },
        ],
      },
    );
    const ok = await get(degraded, '/ready');
    expect(ok.status).toBe(200);
    expect(ReadyReportSchema.parse(ok.body)).toMatchObject({
      status: 'ready',
      checks: { redis: { status: 'down', required: false } },
    });
  });
});
