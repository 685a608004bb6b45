import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { createClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger, ReadyReportSchema } from '@backbone/runtime';
import { testStack } from '@backbone/test';
import { jwtAuthenticator } from '../src/auth.js';
import { buildQueryService, type QueryServiceDeps } from '../src/app.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** /ready of a service built on `clickhouseUrl`, with `redisPing` when given. */
async function ready(clickhouseUrl: string, redisPing?: QueryServiceDeps['redisPing']) {
  const stack = testStack();
  const clickhouse = createClient({
    url: clickhouseUrl,
    username: stack.clickhouseReaderUser,
    password: stack.clickhouseReaderPassword,
    request_timeout: 2000,
  });
  const service = await buildQueryService({
    clickhouse,
    database: 'analytics',
    authenticate: jwtAuthenticator({ secret: 'x'.repeat(32) }),
    logger,
    ...(redisPing ? { redisPing } : {}),
  });
  const server = createServer(service.app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`);
    return { status: res.status, body: ReadyReportSchema.parse(await res.json()) };
  } finally {
    await new Promise((r) => server.close(r));
    await service.stop();
    await clickhouse.close();
  }
}

describe('query service readiness', () => {
  it('is not ready (503) while ClickHouse does not answer', async () => {
    const { status, body } = await ready('http://127.0.0.1:9');
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'not_ready', checks: { clickhouse: { status: 'down' } } });
  });

  it('reports Redis without failing readiness, since only the cache lives there', async () => {
    const up = testStack().redisUrl;
    if (up !== null) {
      const redis = new Redis(up, { maxRetriesPerRequest: 1 });
      try {
        const { status, body } = await ready(testStack().clickhouseUrl, () =>
          redis.ping().then((r) => r === 'PONG'),
        );
        expect(status).toBe(200);
        expect(body).toMatchObject({
          status: 'ready',
          checks: { clickhouse: { status: 'up' }, redis: { status: 'up', required: false } },
        });
      } finally {
        redis.disconnect();
      }
    }
    const down = await ready(testStack().clickhouseUrl, () => Promise.reject(new Error('refused')));
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      status: 'ready',
      checks: { redis: { status: 'down', required: false, detail: 'refused' } },
    });
  });
});
