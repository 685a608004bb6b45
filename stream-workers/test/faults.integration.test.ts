import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testStack, uniqueName, waitFor } from '@backbone/test';
import { migrate } from '@backbone/warehouse';
import type { FaultChildConfig } from './fault-child.js';
import { startTestChild } from './child.js';
import { pageViews as somePageViews } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';
import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';

const N = 300;
const SESSIONS = 40;

const pageViews = () => somePageViews(N, { sessions: SESSIONS });

/** Runs a worker in a child process; `ended` resolves with how it ended. */
const startChild = (config: FaultChildConfig) =>
  startTestChild(
    'fault-child.ts',
    'FAULT_CHILD',
    config,
    `the ${config.role} child never reached ${config.killAt?.step}`,
  );

/**
 * Waits until a group has committed offsets past the last record of a topic: `ends` when
 * given (a transactional topic's high watermark counts the commit markers after the last
 * record), else the high watermark.
 */
async function committedToEnd(
  p: Pipeline,
  groupId: string,
  topic: string,
  ends?: Map<number, bigint>,
) {
  const admin = p.kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const highs = await admin.fetchTopicOffsets(topic);
        return highs.every((h) => {
          const at = committed?.partitions.find((c) => c.partition === h.partition)?.offset;
          const end = ends ? (ends.get(h.partition) ?? 0n) : BigInt(h.high);
          return at !== undefined && BigInt(at) >= end;
        });
      },
      { timeoutMs: 30_000, description: `${groupId} committed to the end of ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** After a kill: a healthy sink finishes the job; tables and rollups must hold each event once. */
async function expectExactlyOnce(
  p: Pipeline,
  database: string,
  groupId: string,
  events: { partition: number; offset: string }[],
) {
  const { worker } = await p.startSink({ database, groupId, streams: ['web'], maxRows: 50 });
  const count = async () =>
    (
      await p.rows<{ n: number; ids: number }>(
        `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${database}.${TABLES.webEvents}`,
      )
    )[0]!;
  await waitFor(async () => (await count()).ids === N, {
    timeoutMs: 45_000,
    intervalMs: 200,
    description: `${N} distinct events in ${database}`,
  });
  // Everything committed: nothing more can arrive, so the numbers are final.
  const ends = new Map<number, bigint>();
  for (const e of events)
    ends.set(
      e.partition,
      [ends.get(e.partition) ?? 0n, BigInt(e.offset) + 1n].reduce((a, b) => (a > b ? a : b)),
    );
  await committedToEnd(p, groupId, p.topics('events', 'web'), ends);
  await worker.stop();
  expect(await count()).toEqual({ n: N, ids: N });
  expect(
    await p.rows(`SELECT sum(events) AS total, uniqCombinedMerge(${DISTINCT_PRECISION})(sessions) AS visits
FROM ${database}.${TABLES.webTraffic1m}`),
  ).toEqual([{ total: N, visits: SESSIONS }]);
  expect(
    await p.rows(`SELECT sum(views) AS all_views, count() AS visits FROM (
  SELECT session_id, sum(page_views) AS views FROM ${database}.${TABLES.webSessions} GROUP BY session_id)`),
  ).toEqual([{ all_views: N, visits: SESSIONS }]);
}

describe('exactly once across kill -9', () => {
  let p: Pipeline;
  let enriched: Awaited<ReturnType<Pipeline['collect']>>;
  const stack = () => testStack();
  const childBase = (database: string, role: 'sink' | 'enrich', groupId: string) => ({
    role,
    topicsId: p.id,
    groupId,
    database,
    brokers: stack().kafkaBrokers.split(','),
    registryUrl: stack().schemaRegistryUrl,
    clickhouse: {
      url: stack().clickhouseUrl,
      user: stack().clickhouseUser,
      password: stack().clickhousePassword,
    },
  });

  beforeAll(async () => {
    p = await pipelineFixture();
    await p.produce('web', pageViews());
    enriched = await p.collect('events', 'web');
    const { worker } = await p.startEnrich();
    await waitFor(() => enriched.length === N, {
      timeoutMs: 30_000,
      description: 'enriched events',
    });
    await worker.stop();
  });
  afterAll(() => p?.close());

  it.each(['before-record', 'before-insert', 'during-insert', 'after-insert', 'after-commit'])(
    'kill -9 of the sink %s loses and doubles nothing, in the tables and the rollups',
    async (step) => {
      const db = await createTestDatabase(p.clickhouse, 'fault');
      try {
        await migrate({ client: p.clickhouse, database: db.name, logger: p.logger });
        const groupId = uniqueName('sink');
        const { ended } = startChild({
          ...childBase(db.name, 'sink', groupId),
          maxRows: 50,
          killAt: { step, nth: 3 },
        });
        expect((await ended).signal).toBe('SIGKILL');
        await expectExactlyOnce(p, db.name, groupId, enriched);
      } finally {
        await db.drop();
      }
    },
    120_000,
  );

  it('kill -9 of the enrich worker inside a transaction: the restarted one writes each event once', async () => {
    const fresh = await pipelineFixture();
    const groupId = uniqueName('enrich');
    const base = {
      ...childBase('unused', 'enrich', groupId),
      topicsId: fresh.id,
      // The same transactional id as the killed one: the restart fences it and aborts its transaction.
      instanceId: uniqueName('instance'),
    };
    let restarted: ReturnType<typeof startChild> | undefined;
    try {
      await fresh.produce('web', pageViews());
      const killed = startChild({ ...base, killAt: { step: 'in-transaction', nth: 2 } });
      expect((await killed.ended).signal).toBe('SIGKILL');
      const events = await fresh.collect('events', 'web');
      restarted = startChild(base);
      restarted.ended.catch((err: unknown) => console.error(err));
      await committedToEnd(fresh, groupId, fresh.topics('raw', 'web'));
      await waitFor(() => events.length >= N, {
        timeoutMs: 30_000,
        description: 'enriched events',
      });
      // read_committed downstream: the aborted copies never reach ClickHouse, nothing is missing.
      await expectExactlyOnce(fresh, fresh.database, uniqueName('sink'), events);
    } finally {
      restarted?.stop();
      await fresh.close();
    }
  }, 150_000);
});
