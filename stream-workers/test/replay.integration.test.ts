import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@backbone/test';
import { RunLedger } from '../src/replay/ledger.js';
import { resetOffsets } from '../src/replay/reset-offsets.js';
import { type ReplayRequest } from '../src/replay/replay.js';
import { consentDecisions, pageViews } from './event-set.js';
import { runCli } from './child.js';
import { TABLES } from '@backbone/warehouse/tables';
import { expected, livePipeline } from './replay-fixture.js';

let live: Awaited<ReturnType<typeof livePipeline>>;
let firstAt: number;
let secondAt: number;

beforeAll(async () => {
  live = await livePipeline();
  await live.p.produce('web', pageViews(400, { sessions: 40 }));
  await live.settle(400);
  await new Promise((r) => setTimeout(r, 1500));
  firstAt = Date.now();
  await live.p.produce('web', pageViews(300, { sessions: 30 }));
  await live.settle(700);
  secondAt = Date.now();
}, 120_000);
afterAll(async () => {
  await live?.watch.stop();
  await live?.p.close();
});

describe('replay: rebuild a stream family from the event log', () => {
  it('says on --dry-run what it would read, and changes nothing', async () => {
    const { done, lines } = live.replay({ dryRun: true });
    await expect(done).resolves.toMatchObject({ state: 'dry-run' });
    const toRead = /(\d+) records to read/.exec(lines.join('\n'));
    expect(Number(toRead?.[1])).toBeGreaterThanOrEqual(700);
    expect(await live.shadows()).toEqual([]);
  });

  it('refuses bad input with a message and an exit code, changing nothing', async () => {
    const fails = async (req: Partial<ReplayRequest>, code: number, message: RegExp) => {
      const err = (await live.replay(req).done.catch((e: unknown) => e)) as Error & {
        exitCode: number;
      };
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(message);
      expect(err.exitCode).toBe(code);
    };
    await fails({ stream: 'clicks' }, 2, /unknown stream "clicks": one of web, stt/);
    await fails(
      { from: '0:999999' },
      2,
      /offset 999999 of events\.web\.\S+ partition 0 is beyond its end \(high-water mark \d+\)/,
    );
    await fails({ from: '7:0' }, 2, /has no partition 7 \(it has 2\)/);
    await fails({ from: 'yesterday' }, 2, /expected earliest, an ISO time, or offsets/);
    await fails({ from: '0:5', to: '0:2' }, 2, /--to 0:2 is before --from 0:5/);
    const lock = await new RunLedger(live.p.clickhouse, live.p.database, 'web').lock();
    try {
      // A second replay of the same stream while one runs (this test holds its lock).
      await fails({}, 3, /a replay of web is already running/);
    } finally {
      await lock.release();
    }
    expect(await live.shadows()).toEqual([]);
    expect(await live.figures()).toEqual(expected(700, 70));
  });

  it('as a CLI answers bad input with exit code 2 and names the problem', async () => {
    const cli = async (...args: string[]) => {
      const { code, stderr } = await runCli(args, {
        CLICKHOUSE_DATABASE: live.p.database,
        SINK_GROUP_ID: `${live.p.id}-sink`,
      });
      return { code, stderr };
    };
    await expect(cli('replay', '--stream', 'clicks')).resolves.toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /^backbone: unknown stream "clicks": one of web, stt/,
      ) as string,
    });
    await expect(cli('replay', '--stream', 'web', '--frm', 'earliest')).resolves.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/Unknown option '--frm'/) as string,
    });
    await expect(
      cli('reset-offsets', '--stream', 'web', '--to', 'earliest'),
    ).resolves.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--group is required/) as string,
    });
    await expect(
      cli('replay', '--stream', 'web', '--from', '0:99999999', '--dry-run'),
    ).resolves.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /offset 99999999 of events\.web\.v1 partition 0 is beyond its end/,
      ) as string,
    });
  });
});

describe('replay: rebuild a stream family from the event log', () => {
  it('sees a damaged rollup, refuses to swap without --force, and with it restores the numbers', async () => {
    await live.exec(`TRUNCATE TABLE {db}.${TABLES.webTraffic1m}`);
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webTraffic1m}`)).toBe(0);
    const refused = live.replay();
    const err = (await refused.done.catch((e: unknown) => e)) as Error & { exitCode: number };
    expect(err.exitCode).toBe(4);
    expect(refused.lines.join('\n')).toMatch(
      new RegExp(`${TABLES.webTraffic1m} .* live 0 rows .* days differ`),
    );
    expect(refused.lines.join('\n')).toMatch(new RegExp(`${TABLES.webEvents} .* same`));
    // Nothing swapped: live still damaged, the run waits for --resume --force or --discard.
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webTraffic1m}`)).toBe(0);
    await expect(live.replay().done).rejects.toThrow(/unfinished replay of web .*--resume/);

    const forced = live.replay({ resume: true, force: true });
    await expect(forced.done).resolves.toMatchObject({ state: 'done', records: 700 });
    expect(await live.figures()).toEqual(expected(700, 70));
    expect(await live.shadows()).toEqual([]);
    // The live views feed the swapped tables: new events are counted.
    await live.p.produce('web', pageViews(10, { sessions: 1 }));
    await live.settle(710);
    await waitFor(async () => (await live.figures()).traffic === 710, { timeoutMs: 10_000 });
    expect(await live.figures()).toEqual(expected(710, 71));
  });

  it('replays from a time: rows before it are kept from live, rows after it come from Kafka', async () => {
    // Damage both ranges of the raw table: one row from before the time, one from after.
    const [before] = await live.p.rows<{ event_id: string }>(
      `SELECT event_id FROM {db}.${TABLES.webEvents} WHERE _offset < 100 ORDER BY _offset LIMIT 1`,
    );
    const [after] = await live.p.rows<{ event_id: string }>(
      `SELECT event_id FROM {db}.${TABLES.webEvents} ORDER BY _partition, _offset DESC LIMIT 1`,
    );
    for (const id of [before!.event_id, after!.event_id])
      await live.p.clickhouse.command({
        query: `DELETE FROM ${live.p.database}.${TABLES.webEvents} WHERE event_id = {id:String}`,
        query_params: { id },
      });
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(708);
    const run = live.replay({ from: new Date(firstAt).toISOString(), force: true });
    const outcome = await run.done;
    expect(outcome.state).toBe('done');
    // Only what Kafka holds from that time on was read (the second batch and the 10 since).
    expect(outcome.records).toBe(310);
    expect(outcome.copied).toBe(399);
    const ids = async (id: string) =>
      live.n(`SELECT count() FROM {db}.${TABLES.webEvents} WHERE event_id = '${id}'`);
    expect(await ids(before!.event_id)).toBe(0);
    expect(await ids(after!.event_id)).toBe(1);
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(709);
    expect(await live.n(`SELECT uniqExact(event_id) FROM {db}.${TABLES.webEvents}`)).toBe(709);
    // Rollups follow the raw table they were rebuilt from.
    expect(await live.n(`SELECT sum(events) FROM {db}.${TABLES.webTraffic1m}`)).toBe(709);
    void secondAt;
  });

  it('rebuild-rollups re-derives a damaged rollup from the live raw table', async () => {
    await live.exec(`TRUNCATE TABLE {db}.${TABLES.webPages1h}`);
    const run = live.replay({ mode: 'rebuild-rollups', force: true });
    await expect(run.done).resolves.toMatchObject({ state: 'done', records: 0, copied: 709 });
    expect(await live.n(`SELECT sum(page_views) FROM {db}.${TABLES.webPages1h}`)).toBe(709);
    expect(await live.n(`SELECT count() FROM {db}.${TABLES.webEvents}`)).toBe(709);
  });

  it('reset-offsets refuses an active group and moves a stopped one', async () => {
    const reset = (group: string, to: string) =>
      resetOffsets(live.p.kafka, { group, stream: 'web', to, topics: live.p.topics });
    const refused = (await reset(`${live.p.id}-sink`, 'earliest').catch((e: unknown) => e)) as {
      exitCode: number;
      message: string;
    };
    expect(refused.exitCode).toBe(3);
    expect(refused.message).toMatch(/is active \(1 members/);
    const moved = await reset(`${live.p.id}-idle`, new Date(firstAt).toISOString());
    const total = [...moved.values()].reduce((a, b) => a + b, 0n);
    expect(total).toBeGreaterThan(0n);
    const admin = live.p.kafka.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({
      groupId: `${live.p.id}-idle`,
      topics: [live.p.topics('events', 'web')],
    });
    await admin.disconnect();
    expect(offsets!.partitions.reduce((a, p) => a + BigInt(p.offset), 0n)).toBe(total);
  });
});

describe('replay: rebuild a stream family from the event log', () => {
  it('refuses a time before the earliest event retention kept', async () => {
    const admin = live.p.kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [live.p.topics('events', 'web')] });
    await admin.deleteTopicRecords({
      topic: live.p.topics('events', 'web'),
      partitions: [{ partition: 0, offset: '5' }],
    });
    await admin.disconnect();
    const err = (await live
      .replay({ from: '2020-01-01T00:00:00Z' })
      .done.catch((e: unknown) => e)) as Error & {
      exitCode: number;
    };
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(
      /before the earliest event still in events\.web\.\S+ partition 0 \(it starts at offset 5/,
    );
    expect(await live.shadows()).toEqual([]);
  });
});

describe('replay: the consent family, which has no rollups', () => {
  it('rebuilds consent_events from events.consent.v1, and consent_latest reads the swapped table', async () => {
    await live.p.produce('consent', consentDecisions(30, { people: 10 }));
    const count = `SELECT count() FROM {db}.${TABLES.consentEvents}`;
    await waitFor(async () => (await live.n(count)) === 30, {
      timeoutMs: 60_000,
      description: '30 consent decisions in ClickHouse',
    });
    // The third decision of each person (i = 20…29) granted analytics again.
    const latest = `SELECT countIf(analytics) FROM {db}.${TABLES.consentLatest}`;
    expect(await live.n(latest)).toBe(10);
    await live.exec(`TRUNCATE TABLE {db}.${TABLES.consentEvents}`);
    expect(await live.n(latest)).toBe(0);

    const run = live.replay({ stream: 'consent', force: true });
    await expect(run.done).resolves.toMatchObject({ state: 'done', records: 30 });
    expect(await live.n(count)).toBe(30);
    expect(await live.n(latest)).toBe(10);
    expect(await live.shadows()).toEqual([]);
  });
});
