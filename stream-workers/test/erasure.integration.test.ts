import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamEvents } from '@backbone/schemas';
import {
  erasureProgress,
  newErasureRequest,
  noteAccepted,
  requestMessage,
  TABLES,
  type ErasureRequest,
} from '@backbone/warehouse';
import { waitFor } from '@backbone/test';
import { tokenize } from '../src/enrich/mask.js';
import { subjectToken } from '../src/subjects/crypto.js';
import { legacyToken } from '../src/subjects/legacy.js';
import { ErasureRunner } from '../src/subjects/runner.js';
import { pageViews } from './event-set.js';
import { KEYS } from './pipeline-fixture.js';
import { livePipeline, logger } from './replay-fixture.js';
import { runCli } from './child.js';

let live: Awaited<ReturnType<typeof livePipeline>>;
let runner: ErasureRunner;

/** Page views of one person: their user id and device, in sessions of their own. */
const person = (n: number, user: string, device: string, sessions: number) =>
  pageViews(n, { sessions }).map((e): StreamEvents['web'] => ({
    ...e,
    envelope: { ...e.envelope, user_id: user, anonymous_id: device },
  }));

const A = { user: 'alice@example.com', device: 'device-of-alice' };
const B = { user: 'bob-42', device: 'device-of-bob' };
const aEvents = person(60, A.user, A.device, 3);
const bEvents = person(90, B.user, B.device, 4);

/** What the tests look for: A's tokens (their keys are gone after the erasure) and sessions. */
let aTokens: string[];
const sessionsOf = (events: StreamEvents['web'][]) =>
  [...new Set(events.map((e) => e.envelope.session_id))].map((s) => tokenize(s, KEYS, 'acme'));

async function submit(request: ErasureRequest) {
  await noteAccepted(live.p.clickhouse, live.p.database, request);
  const producer = live.p.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic: live.p.subjectTopics.requests,
    acks: -1,
    messages: [requestMessage(request)],
  });
  await producer.disconnect();
}

const progress = (id: string) => erasureProgress(live.p.clickhouse, live.p.database, 'acme', id);

/** Rows anywhere in the pipeline's database that hold one of A's tokens or sessions. */
async function rowsOfA(): Promise<Record<string, number>> {
  const tables = await live.p.rows<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'
       AND name NOT LIKE 'subject_%' ORDER BY name`,
    { db: live.p.database },
  );
  const needles = [...aTokens, ...sessionsOf(aEvents)];
  const found: Record<string, number> = {};
  for (const { name } of tables) {
    const n = await live.n(
      `SELECT count() FROM {db}.\`${name}\` WHERE multiSearchAny(toString(tuple(*)), [${needles.map((t) => `'${t}'`).join(', ')}])`,
    );
    if (n > 0) found[name] = n;
  }
  return found;
}

beforeAll(async () => {
  live = await livePipeline();
  runner = new ErasureRunner({
    kafka: live.p.kafka,
    topic: live.p.subjectTopics.requests,
    groupId: `${live.p.id}-erasure`,
    store: await live.p.subjects(),
    clickhouse: live.p.clickhouse,
    database: live.p.database,
    logger,
    settleMs: 500,
    legacyTokens: (r) => [legacyToken(r, KEYS)],
  });
  await runner.start();
  await live.p.produce('web', [...aEvents, ...bEvents]);
  await live.settle(150);
  const store = await live.p.subjects();
  aTokens = [
    subjectToken(store.keyOf(store.ref('acme', 'user', A.user))!, 'user'),
    subjectToken(store.keyOf(store.ref('acme', 'anonymous', A.device))!, 'anonymous'),
  ];
}, 120_000);
afterAll(async () => {
  await runner?.stop();
  await live?.watch.stop();
  await live?.p.close();
});

describe('erasure: a subject gone from the warehouse and from every replay', () => {
  it('erases A by user id within 30 s, store by store, and leaves B as it was', async () => {
    expect(Object.keys(await rowsOfA())).toContain(TABLES.webEvents);
    const before = await live.figures();
    // A row of A from before persons' keys: its user id is the tenant's token of it.
    const legacy = tokenize(A.user, KEYS, 'acme');
    await live.exec(
      `INSERT INTO {db}.${TABLES.webEvents} (tenant_id, event_id, event_type, occurred_at, session_id, user_id)
       VALUES ('acme', generateUUIDv4(), 'page_view', now64(3), '${sessionsOf(aEvents)[0]}', '${legacy}')`,
    );
    const request = newErasureRequest({ tenant: 'acme', userId: A.user, requestedBy: 'test' });
    const started = Date.now();
    await submit(request);
    await waitFor(async () => (await progress(request.id))?.state === 'done', {
      timeoutMs: 30_000,
      intervalMs: 200,
      description: 'the erasure done',
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    const done = (await progress(request.id))!;
    const store = (name: string) => done.stores.find((s) => s.store === name);
    expect(store('keys')).toMatchObject({ state: 'done', rows: 1 });
    expect(store(TABLES.webEvents)).toMatchObject({ state: 'done', rows: 61 });
    expect(store(TABLES.webSessions)?.rows).toBeGreaterThanOrEqual(3);
    expect(store('cache')).toMatchObject({ state: 'done' });
    // The audit holds the subject's reference, never the id as sent.
    const audit = await live.p.rows<{ ref: string; by: string }>(
      `SELECT DISTINCT subject_ref AS ref, requested_by AS by FROM {db}.${TABLES.subjectRequestLog}
       WHERE request_id = {id:String} AND subject_ref != ''`,
      { id: request.id },
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.ref).toMatch(/^s_[0-9a-f]{32}$/);
    expect(audit[0]!.by).toBe('test');
    expect(
      JSON.stringify(await live.p.rows(`SELECT * FROM {db}.${TABLES.subjectRequestLog}`)),
    ).not.toContain(A.user);

    // A's user token is gone everywhere (the device token goes with the rows that held both).
    expect(await rowsOfA()).toEqual({});
    expect(
      await live.n(`SELECT count() FROM {db}.${TABLES.webEvents} WHERE user_id = '${legacy}'`),
    ).toBe(0);
    const after = await live.figures();
    expect(after.rows).toBe(90);
    expect(after.sessions).toBe(before.sessions - 3);
    // The request held A's id as sent: its record leaves the topic once the request is done.
    const admin = live.p.kafka.admin();
    await admin.connect();
    await waitFor(
      async () =>
        (await admin.fetchTopicOffsets(live.p.subjectTopics.requests)).every(
          (o) => o.low === o.high,
        ),
      { timeoutMs: 10_000, description: 'the done request deleted from its topic' },
    );
    await admin.disconnect();
    // A's key is shredded: nothing can derive A's token again.
    const subjects = await live.p.subjects();
    expect(subjects.keyOf(subjects.ref('acme', 'user', A.user))).toBeUndefined();
  }, 60_000);

  it('replays the web family from the earliest offset without bringing A back, B exact', async () => {
    const { done, lines } = live.replay({ from: 'earliest' });
    await expect(done).resolves.toMatchObject({ state: 'done' });
    expect(lines.join('\n')).toMatch(/rollups on days an erasure deleted rows from: expected/);
    expect(await rowsOfA()).toEqual({});
    const f = await live.figures();
    expect(f).toMatchObject({
      rows: 90,
      events: 90,
      traffic: 90,
      hourly: 90,
      pages: 90,
      sessions: 4,
    });
  }, 120_000);

  it('drops a record of A received before the erasure; A coming back later is someone new', async () => {
    const [late] = person(1, A.user, A.device, 1);
    const [back] = person(1, A.user, A.device, 1);
    const [marker] = person(1, B.user, B.device, 1);
    // One session, so one partition, in this order: the marker comes out after the others.
    const session = late!.envelope.session_id;
    for (const e of [back!, marker!]) e.envelope.session_id = session;
    // One request, so one batch: the late one was received (the gateway's timestamp) an hour
    // ago, before the erasure, and is dropped though A comes back in the same batch.
    const now = Date.now();
    await live.p.produce('web', [late!, back!, marker!], undefined, [now - 3_600_000, now, now]);
    // 90 of B, then the one coming back and the marker: the late one would make 93.
    await live.settle(92);
    const rows = await live.p.rows<{ id: string; user: string }>(
      `SELECT toString(event_id) AS id, user_id AS user FROM {db}.${TABLES.webEvents} WHERE session_id = {s:String}`,
      { s: tokenize(session, KEYS, 'acme') },
    );
    expect(rows.map((r) => r.id).sort()).toEqual(
      [back!.envelope.event_id, marker!.envelope.event_id].sort(),
    );
    // The returning user has a new key, so a token unrelated to the erased one.
    const returning = rows.find((r) => r.id === back!.envelope.event_id)!;
    expect(returning.user).toMatch(/^t_[0-9a-f]{32}$/);
    expect(aTokens).not.toContain(returning.user);
  }, 60_000);
});

describe('erasure from the command line', () => {
  it('erases through npx backbone erase, printing each store and the rows it deleted', async () => {
    const run = await runCli(
      ['erase', '--tenant', 'acme', '--anonymous-id', B.device, '--by', 'dpo'],
      {
        CLICKHOUSE_DATABASE: live.p.database,
        SUBJECT_TOPIC_PREFIX: `${live.p.id}.`,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^erasure [0-9a-f-]{36} queued \(tenant acme, anonymous id\)$/m);
    expect(run.stdout).toMatch(/^ {2}web_events\s+done\s+91/m);
    // B's 90 page views and the marker of the test before; A's returning visit stays.
    expect(run.stdout).toMatch(/done: \d+ rows deleted$/m);
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(1);
    // Bad input: exit code 2, the option named.
    const bad = await runCli(['erase', '--tenant', 'acme'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give exactly one of --user-id and --anonymous-id/);
  }, 60_000);
});
