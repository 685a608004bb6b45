import type { Kafka } from 'kafkajs';
import { createLogger } from '@backbone/runtime';
import { waitFor } from '@backbone/test';
import { HandoverWatch } from '../src/replay/handover.js';
import { runReplay, type ReplayEnv, type ReplayRequest } from '../src/replay/replay.js';
import { clickhouseRegistryUrl, pipelineFixture } from './pipeline-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';
import { pageViews } from './event-set.js';
import type { TextKeys } from '../src/subjects/store.js';
import type { Pipeline } from './pipeline-fixture.js';

export const logger = createLogger({
  name: 'test',
  level: 'silent',
});

/**
 * Waits until `groupId` has committed every record of `topic`. Transactional writes end each
 * partition with a commit marker, which takes an offset of its own and is never consumed:
 * the group is through once its offset is at the high watermark or just below it.
 */
async function committed(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return ends.every((end) => {
          const at = Number(group?.partitions.find((c) => c.partition === end.partition)?.offset);
          return Number(end.high) === 0 || at >= Number(end.high) - 1;
        });
      },
      { timeoutMs: 30_000, intervalMs: 100, description: `${groupId} through ${topic}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * A pipeline whose live sink takes part in replay hand-overs, as sink.main wires it; enrich
 * with `textPolicy` (drop by default), the sink with the subject keys `texts` makes.
 */
export async function livePipeline(
  o: { textPolicy?: 'drop' | 'redact'; texts?: (p: Pipeline) => Promise<TextKeys> } = {},
) {
  const p = await pipelineFixture();
  await p.startEnrich(o.textPolicy ? { textPolicy: o.textPolicy } : {});
  const { worker } = await p.startSink(o.texts ? { texts: await o.texts(p) } : {});
  const watch = new HandoverWatch({
    client: p.clickhouse,
    database: p.database,
    logger,
    pollMs: 200,
    sink: worker,
  });
  await watch.poll();
  watch.start();
  const n = async (sql: string) => Number(Object.values((await p.rows(sql))[0] ?? {})[0]);
  const exec = (sql: string) => p.clickhouse.command({ query: sql.replaceAll('{db}', p.database) });
  /** What a replay (or a migration's rebuild) of this pipeline runs with. */
  const env = (lines: string[], extra: Partial<ReplayEnv> = {}): ReplayEnv => ({
    kafka: p.kafka,
    registry: p.registry,
    clickhouseRegistryUrl: clickhouseRegistryUrl(),
    clickhouse: p.clickhouse,
    database: p.database,
    logger,
    liveGroup: `${p.id}-sink`,
    topics: p.topics,
    print: (l) => lines.push(l),
    ...extra,
  });
  const replay = (req: Partial<ReplayRequest> = {}, extra: Partial<ReplayEnv> = {}) => {
    const lines: string[] = [];
    const done = runReplay(env(lines, extra), { stream: 'web', holdTtlMs: 5000, ...req });
    return { done, lines };
  };
  /**
   * `start` web events already in, then 20 more every 50 ms until `stop()`, which resolves
   * with how many were produced in all.
   */
  const flow = (start: number) => {
    let produced = start;
    let flowing = true;
    const sending = (async () => {
      while (flowing) {
        await p.produce('web', pageViews(20, { sessions: 2 }));
        produced += 20;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    return {
      stop: async () => {
        flowing = false;
        await sending;
        return produced;
      },
    };
  };
  /** What a person checks after a replay: rows, distinct events, and the rollups' sums. */
  const figures = async () => ({
    rows: await n(`SELECT count() FROM {db}.${TABLES.webEvents}`),
    events: await n(`SELECT uniqExact(event_id) FROM {db}.${TABLES.webEvents}`),
    traffic: await n(`SELECT sum(events) FROM {db}.${TABLES.webTraffic1m}`),
    hourly: await n(`SELECT sum(events) FROM {db}.${TABLES.webTraffic1h}`),
    pages: await n(`SELECT sum(page_views) FROM {db}.${TABLES.webPages1h}`),
    sessions: await n(
      `SELECT uniqExactMerge(s) FROM (SELECT uniqExactState(session_id) AS s FROM {db}.${TABLES.webSessions})`,
    ),
  });
  /**
   * The live sink is done: the raw table holds `rows`, no INSERT into this database still
   * runs, and the sink has committed its offsets (a batch inserted but not yet committed is
   * fetched and inserted again after a rebalance; its token keeps the raw table from taking
   * it twice, but a rollup a test has just truncated would take it again).
   */
  const settle = async (rows: number) => {
    await waitFor(async () => (await n(`SELECT count() FROM {db}.${TABLES.webEvents}`)) === rows, {
      timeoutMs: 60_000,
      intervalMs: 200,
      description: `${rows} rows in ${TABLES.webEvents}`,
    });
    await p.quiet();
    await committed(p.kafka, `${p.id}-sink`, p.topics('events', 'web'));
  };
  const shadows = async () =>
    (
      await p.rows<{ name: string }>(
        `SELECT name FROM system.tables WHERE database = '${p.database}' AND name LIKE '%__replay_%' ORDER BY name`,
      )
    ).map((r) => r.name);
  return { p, watch, n, exec, env, replay, flow, figures, settle, shadows };
}

export const expected = (n: number, sessions: number) => ({
  rows: n,
  events: n,
  traffic: n,
  hourly: n,
  pages: n,
  sessions,
});
