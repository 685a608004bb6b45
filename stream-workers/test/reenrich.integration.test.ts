import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { eventSet, pageViews } from './event-set.js';
import { KEYS } from './pipeline-fixture.js';
import { TABLES } from '@backbone/warehouse/tables';
import { expected, livePipeline } from './replay-fixture.js';

describe('reenrich: enrichment logic changed', () => {
  let live: Awaited<ReturnType<typeof livePipeline>>;
  beforeAll(async () => {
    live = await livePipeline();
    await live.p.produce('web', pageViews(200, { sessions: 20 }));
    await live.settle(200);
  }, 60_000);
  afterAll(async () => {
    await live?.watch.stop();
    await live?.p.close();
  });

  it('gives live rows the new enrichment from raw.*, keeps their place, and what retention dropped', async () => {
    const places = () =>
      live.p.rows<{ p: number; o: string }>(
        `SELECT _partition AS p, toString(_offset) AS o FROM {db}.${TABLES.webEvents} ORDER BY p, _offset`,
      );
    const before = await places();
    expect(await live.n(`SELECT countIf(country = 'NL') FROM {db}.${TABLES.webEvents}`)).toBe(0);
    // Retention has dropped the first 10 raw records of partition 0.
    const admin = live.p.kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [live.p.topics('raw', 'web')] });
    await admin.deleteTopicRecords({
      topic: live.p.topics('raw', 'web'),
      partitions: [{ partition: 0, offset: '10' }],
    });
    await admin.disconnect();
    // The new logic: a geo database that places everyone in North Holland.
    const enrich = {
      group: `${live.p.id}-enrich`,
      context: {
        keys: KEYS,
        subjects: await live.p.subjects(),
        geo: () => ({ country: 'NL', region: 'NH' }),
        textPolicy: () => 'drop' as const,
        now: Date.now,
      },
    };
    const refused = live.replay({ mode: 'reenrich' }, { enrich });
    await expect(refused.done).rejects.toMatchObject({ exitCode: 4 });
    expect(refused.lines.join('\n')).toMatch(
      /re-enriched 190 live rows from 190 raw records; 10 kept/,
    );
    expect(refused.lines.join('\n')).toMatch(new RegExp(`${TABLES.webGeo1h} .* days differ`));
    expect(await live.n(`SELECT countIf(country = 'NL') FROM {db}.${TABLES.webEvents}`)).toBe(0);

    const run = live.replay({ mode: 'reenrich', resume: true, force: true }, { enrich });
    await expect(run.done).resolves.toMatchObject({ state: 'done' });
    expect(
      await live.p.rows(
        `SELECT countIf(country = 'NL') AS nl, countIf(country IS NULL OR country != 'NL') AS other, uniqExact(event_id) AS ids FROM {db}.${TABLES.webEvents}`,
      ),
    ).toEqual([{ nl: 190, other: 10, ids: 200 }]);
    expect(
      await live.n(`SELECT sum(page_views) FROM {db}.${TABLES.webGeo1h} WHERE country = 'NL'`),
    ).toBe(190);
    // Every row kept its place in events.*: later replays and the live sink line up with it.
    expect(await places()).toEqual(before);
    expect(await live.figures()).toEqual(expected(200, 20));
    expect(await live.shadows()).toEqual([]);
  }, 120_000);
});

describe('replay of the STT family: three streams into shared rollups', () => {
  let live: Awaited<ReturnType<typeof livePipeline>>;
  const quality = () =>
    live.p.rows(`SELECT sum(segments) AS segments, sum(final_words) AS words,
  round(avgMerge(confidence), 3) AS confidence, quantilesMerge(0.5, 0.95, 0.99)(latency_ms)[1] AS p50
FROM {db}.${TABLES.sttQuality1m}`);
  const sessions = () =>
    live.p.rows(`SELECT argMaxMerge(status) AS status, uniqMerge(speakers) AS speakers,
  sum(speaker_changes) AS changes, sum(segments) AS segments FROM {db}.${TABLES.sttSessions}`);
  beforeAll(async () => {
    live = await livePipeline();
    const set = eventSet();
    await live.p.produce('stt.transcript', set.transcript);
    await live.p.produce('stt.speaker', set.speaker);
    await live.p.produce('stt.session', set.session);
    await waitFor(
      async () => (await live.n(`SELECT count() FROM {db}.${TABLES.sttSessionEvents}`)) === 4,
      {
        timeoutMs: 45_000,
        intervalMs: 200,
      },
    );
    await waitFor(
      async () =>
        (await live.n(`SELECT count() FROM {db}.${TABLES.sttTranscriptEvents}`)) === 5 &&
        (await live.n(`SELECT count() FROM {db}.${TABLES.sttSpeakerEvents}`)) === 2,
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    await live.p.quiet();
  }, 90_000);
  afterAll(async () => {
    await live?.watch.stop();
    await live?.p.close();
  });

  it('verifies equal untouched, and restores a damaged rollup fed by three streams', async () => {
    const q = await quality();
    const s = await sessions();
    expect(q).toEqual([{ segments: 3, words: 12, confidence: 0.85, p50: 200 }]);
    // Nothing damaged: the replay verifies live and shadow the same and swaps without --force.
    const same = live.replay({ stream: 'stt' });
    await expect(same.done).resolves.toMatchObject({ state: 'done', records: 11 });
    expect(same.lines.join('\n')).not.toMatch(/differs:/);
    expect(await quality()).toEqual(q);
    expect(await sessions()).toEqual(s);

    await live.exec(`TRUNCATE TABLE {db}.${TABLES.sttSessions}`);
    const forced = live.replay({ stream: 'stt.session', force: true });
    await expect(forced.done).resolves.toMatchObject({ state: 'done' });
    expect(forced.lines.join('\n')).toMatch(new RegExp(`${TABLES.sttSessions} .* days differ`));
    expect(await sessions()).toEqual(s);
    expect(await live.shadows()).toEqual([]);
  }, 120_000);
});
