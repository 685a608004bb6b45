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
import { tokenize } from '../src/enrich/mask.js';
import { ErasureRunner } from '../src/subjects/runner.js';
import { eventSet, pageViews } from './event-set.js';
import type { FaultChildConfig } from './fault-child.js';
import { KEYS, pipelineFixture, type Pipeline } from './pipeline-fixture.js';

let p: Pipeline;

const person = (n: number, device: string, sessions: number) =>
  pageViews(n, { sessions }).map((e): StreamEvents['web'] => ({
    ...e,
    envelope: { ...e.envelope, anonymous_id: device },
  }));

/** Queues a request as the API does. */
async function submit(request: ReturnType<typeof newErasureRequest>) {
  const producer = p.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: p.subjectTopics.requests,
    acks: -1,
    messages: [requestMessage(request)],
  });
  await producer.disconnect();
}

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
    await submit(request);

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

describe('erasure of a speech session', () => {
  it('erases a speech session too: its raw rows, stt_sessions and stt_speakers', async () => {
    const set = eventSet();
    const user = <T extends { envelope: { user_id: string | null } }>(events: T[]): T[] =>
      events.map((e) => ({ ...e, envelope: { ...e.envelope, user_id: 'patient-s' } }));
    await p.produce('stt.transcript', user(set.transcript));
    await p.produce('stt.speaker', user(set.speaker));
    await p.produce('stt.session', user(set.session));
    const session = tokenize(set.sessions.t1, KEYS, 'acme');
    const count = async (table: string) =>
      n(`SELECT count() FROM {db}.${table} WHERE session_id = {s:String}`, { s: session });
    const tables = [
      TABLES.sttTranscriptEvents,
      TABLES.sttSpeakerEvents,
      TABLES.sttSessionEvents,
      TABLES.sttSessions,
      TABLES.sttSpeakers,
    ];
    const rows = async () => (await Promise.all(tables.map(count))).reduce((a, b) => a + b, 0);
    await waitFor(
      async () =>
        (await count(TABLES.sttTranscriptEvents)) === set.transcript.length &&
        (await count(TABLES.sttSpeakerEvents)) === set.speaker.length &&
        (await count(TABLES.sttSessionEvents)) === set.session.length,
      { timeoutMs: 60_000, intervalMs: 250, description: 'the speech session in ClickHouse' },
    );
    await p.quiet();
    expect(await count(TABLES.sttSessions)).toBeGreaterThan(0);
    expect(await count(TABLES.sttSpeakers)).toBeGreaterThan(0);
    const runner = new ErasureRunner({
      kafka: p.kafka,
      topic: p.subjectTopics.requests,
      groupId: `${p.id}-erasure-stt`,
      store: await p.subjects(),
      clickhouse: p.clickhouse,
      database: p.database,
      logger: p.logger,
      settleMs: 200,
    });
    await runner.start();
    try {
      const request = newErasureRequest({
        tenant: 'acme',
        userId: 'patient-s',
        requestedBy: 'test',
      });
      await noteAccepted(p.clickhouse, p.database, request);
      await submit(request);
      await waitFor(
        async () =>
          (await erasureProgress(p.clickhouse, p.database, 'acme', request.id))?.state === 'done',
        { timeoutMs: 30_000, intervalMs: 250, description: 'the erasure done' },
      );
      const done = (await erasureProgress(p.clickhouse, p.database, 'acme', request.id))!;
      expect(done.stores.find((s) => s.store === TABLES.sttSessions)?.rows).toBeGreaterThan(0);
      expect(done.stores.find((s) => s.store === TABLES.sttTranscriptEvents)?.rows).toBe(
        set.transcript.length,
      );
      expect(await rows()).toBe(0);
    } finally {
      await runner.stop();
    }
  }, 120_000);
});
