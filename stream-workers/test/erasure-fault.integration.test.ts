import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvents } from '@backbone/schemas';
import { waitFor } from '@backbone/test';
import {
  erasureProgress,
  newErasureRequest,
  noteAccepted,
  requestMessage,
  TABLES,
} from '@backbone/warehouse';
import { stackEndpoints, startTestChild } from './child.js';
import { pageViews } from './event-set.js';
import type { FaultChildConfig } from './fault-child.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';

let p: Pipeline;

const person = (n: number, device: string, sessions: number) =>
  pageViews(n, { sessions }).map((e): StreamEvents['web'] => ({
    ...e,
    envelope: { ...e.envelope, anonymous_id: device },
  }));

const n = async (sql: string, params: Record<string, unknown> = {}) =>
  Number(Object.values((await p.rows(sql, params))[0] ?? {})[0]);

beforeAll(async () => {
  p = await pipelineFixture();
  await p.startEnrich();
  await p.startSink();
  await p.produce('web', [...person(40, 'device-a', 2), ...person(30, 'device-b', 3)]);
  await waitFor(async () => (await n(`SELECT count() FROM {db}.${TABLES.webEvents}`)) === 70, {
    timeoutMs: 60_000,
    intervalMs: 200,
    description: '70 rows',
  });
  await p.quiet();
}, 120_000);
afterAll(async () => {
  await p?.close();
});

describe('erasure job: a kill -9 midway', () => {
  it('is resumed by the next worker, completes, and records each count once', async () => {
    const request = newErasureRequest({
      tenant: 'acme',
      anonymousId: 'device-a',
      requestedBy: 'test',
    });
    await noteAccepted(p.clickhouse, p.database, request);
    await (await p.subjects()).catchUp(); // the topics exist
    const producer = p.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: p.subjectTopics.requests,
      acks: -1,
      messages: [requestMessage(request)],
    });
    await producer.disconnect();

    const base: FaultChildConfig = {
      role: 'erasure',
      topicsId: p.id,
      groupId: `${p.id}-erasure`,
      database: p.database,
      ...stackEndpoints(),
    };
    // Killed once it has counted A's raw rows, before deleting them.
    const killed = startTestChild(
      'fault-child.ts',
      'FAULT_CHILD',
      { ...base, killAt: { step: `${TABLES.webEvents}:counted`, nth: 1 } },
      'the erasure child never counted web_events',
    );
    expect((await killed.ended).signal).toBe('SIGKILL');
    const midway = await erasureProgress(p.clickhouse, p.database, 'acme', request.id);
    expect(midway?.state).toBe('running');
    expect(midway?.stores.find((s) => s.store === TABLES.webEvents)).toMatchObject({
      state: 'counted',
      rows: 40,
    });
    expect(await n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(70);

    const restarted = startTestChild('fault-child.ts', 'FAULT_CHILD', base, 'erasure child');
    restarted.ended.catch(() => undefined);
    try {
      await waitFor(
        async () =>
          (await erasureProgress(p.clickhouse, p.database, 'acme', request.id))?.state === 'done',
        { timeoutMs: 60_000, intervalMs: 250, description: 'the erasure done' },
      );
    } finally {
      restarted.stop();
    }
    const done = (await erasureProgress(p.clickhouse, p.database, 'acme', request.id))!;
    expect(done.stores.find((s) => s.store === TABLES.webEvents)).toMatchObject({
      state: 'done',
      rows: 40,
    });
    // The count taken before the kill, not a second count after the rows were gone (0).
    expect(done.stores.find((s) => s.store === 'keys')?.rows).toBeGreaterThanOrEqual(1);
    const total = await p.rows<{ rows: string }>(
      `SELECT toString(rows) AS rows FROM {db}.${TABLES.subjectRequestLog} FINAL WHERE request_id = {id:String} AND store = 'request'`,
      { id: request.id },
    );
    // The request's total: A's 40 raw rows and the rows of A's 2 sessions in web_sessions.
    expect(done.stores.find((s) => s.store === TABLES.webSessions)?.rows).toBe(2);
    expect(total).toEqual([{ rows: '42' }]);
    expect(await n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(30);
    expect(await n(`SELECT uniqExact(anonymous_id) FROM {db}.${TABLES.webEvents}`)).toBe(1);
  }, 180_000);
});
