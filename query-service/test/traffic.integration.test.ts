import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { migrate, SessionFinalizer } from '@backbone/warehouse';
import { createTestDatabase, testClickHouse, webEventRow } from '@backbone/test';
import { StatsRepository } from '../src/repositories/stats.repository.js';
import { TABLES } from '@backbone/warehouse/tables';

const logger = createLogger({ name: 'test', level: 'silent' });
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const D = Math.floor(Date.now() / DAY) * DAY - DAY;
const range = { start: new Date(D - 3 * DAY + 9 * HOUR + 45 * MIN), end: new Date(D + 30 * MIN) };
const views: [number, string, string][] = [
  [D - 3 * DAY + 9 * HOUR + 40 * MIN, 'v9', 's0'], // before the range
  [D - 3 * DAY + 9 * HOUR + 50 * MIN, 'v3', 's4'], // an edge minute
  [D - 3 * DAY + 10 * HOUR, 'v1', 's1'], // an edge hour
  [D - 2 * DAY + 12 * HOUR + 30 * MIN, 'v2', 's2'], // a whole day
  [D - DAY + 23 * HOUR + 59 * MIN, 'v1', 's3'], // a whole day
  [D + 10 * MIN, 'v2', 's5'], // an edge minute at the end
  [D + 40 * MIN, 'v9', 's6'], // after the range
];

/**
 * A range of three and a half days is read from minutes at its edges, hours around whole
 * days and days in the middle; every page view counts once and visitors merge across all
 * three. D is the start of yesterday (UTC); the range is D-3d 09:45 … D 00:30.
 */
/** A database with the page views above, its writer, and a repository that reads it. */
function trafficFixture() {
  const f = {
    writer: testClickHouse(),
    reader: testClickHouse({ reader: true }),
    database: undefined as unknown as { name: string; drop: () => Promise<void> },
    stats: undefined as unknown as StatsRepository,
  };
  beforeAll(async () => {
    f.database = await createTestDatabase(f.writer, 'traffic');
    await migrate({ client: f.writer, database: f.database.name, logger });
    await f.writer.insert({
      table: `${f.database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: views.map(([at, visitor, session]) =>
        webEventRow(at, { session_id: session, anonymous_id: visitor, page_path: '/home' }),
      ),
    });
    f.stats = new StatsRepository(f.reader, f.database.name);
  });
  afterAll(async () => {
    await f.database?.drop();
    await f.writer.close();
    await f.reader.close();
  });
  return f;
}

describe('traffic over a long range, read at mixed grains', () => {
  const f = trafficFixture();
  it('counts each page view once and merges visitors across grains', async () => {
    expect(await f.stats.overview('acme', range)).toEqual({
      pageViews: 5,
      uniqueVisitors: 3,
      sessions: 5,
      conversions: 0,
      revenue: 0,
    });
  });

  it('puts daily points together from minutes, hours and days', async () => {
    const points = await f.stats.timeSeries('acme', range, 'DAY');
    expect(points.map((p) => [p.timestamp.getTime(), p.pageViews, p.uniqueVisitors])).toEqual([
      [D - 3 * DAY, 2, 2],
      [D - 2 * DAY, 1, 1],
      [D - DAY, 1, 1],
      [D, 1, 1],
    ]);
  });

  it('keeps hourly points hourly over whole days', async () => {
    const points = await f.stats.timeSeries('acme', range, 'HOUR');
    expect(points.map((p) => [p.timestamp.getTime(), p.pageViews])).toEqual([
      [D - 3 * DAY + 9 * HOUR, 1],
      [D - 3 * DAY + 10 * HOUR, 1],
      [D - 2 * DAY + 12 * HOUR, 1],
      [D - DAY + 23 * HOUR, 1],
      [D, 1],
    ]);
  });

  it('reads top pages from whole days and the hours around them (hour-grained edges)', async () => {
    // Pages are hourly at the finest, so the hours the range starts and ends in count whole:
    // the views at 09:40 and 00:40 are in, as they always were for pages.
    const [home, ...others] = await f.stats.topPages('acme', range, 10);
    expect(others).toEqual([]);
    expect(home).toMatchObject({ url: '/home', pageViews: 7, uniqueVisitors: 4 });
  });
});

describe('an hourly series over the session finalizer’s hour counts', () => {
  const f = trafficFixture();

  it('reads closed hours of an hourly series from the finalizer’s counts, and counts a late event again', async () => {
    const hourly = async () =>
      (await f.stats.timeSeries('acme', range, 'HOUR')).map((p) => [
        p.timestamp.getTime(),
        p.pageViews,
        p.uniqueVisitors,
        p.sessions,
      ]);
    const before = await hourly();
    const finalizer = new SessionFinalizer({
      client: f.writer,
      names: { database: f.database.name, suffix: '' },
      logger,
    });
    await finalizer.countHours();
    const counts = `SELECT toUnixTimestamp(hour) * 1000 AS at, events, visitors, sessions
FROM ${f.database.name}.${TABLES.webHourCounts} FINAL WHERE hour = toDateTime({at:UInt32}, 'UTC')`;
    const countOf = async (at: number) =>
      (
        await (
          await f.writer.query({
            query: counts,
            query_params: { at: at / 1000 },
            format: 'JSONEachRow',
          })
        ).json<Record<string, number>>()
      )[0];
    // Every hour with traffic has ended: each is counted, and the series is the same.
    expect(await countOf(D - 2 * DAY + 12 * HOUR)).toEqual({
      at: D - 2 * DAY + 12 * HOUR,
      events: 1,
      visitors: 1,
      sessions: 1,
    });
    expect(await hourly()).toEqual(before);
    // A late page view in a counted hour, by another visitor: recounted at the next tick.
    await f.writer.insert({
      table: `${f.database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: [
        webEventRow(D - 2 * DAY + 12 * HOUR + 40 * MIN, {
          session_id: 's7',
          anonymous_id: 'v7',
          page_path: '/home',
        }),
      ],
    });
    await finalizer.countHours();
    expect(await countOf(D - 2 * DAY + 12 * HOUR)).toMatchObject({ events: 2, visitors: 2 });
    expect(await hourly()).toContainEqual([D - 2 * DAY + 12 * HOUR, 2, 2, 2]);
    // The series takes a counted hour's visitors from its count, not from the states.
    await f.writer.insert({
      table: `${f.database.name}.${TABLES.webHourCounts}`,
      format: 'JSONEachRow',
      values: [
        {
          tenant_id: 'acme',
          hour: (D - 2 * DAY + 12 * HOUR) / 1000,
          events: 2,
          visitors: 99,
          sessions: 2,
          counted_at: '2100-01-01 00:00:00.000',
        },
      ],
    });
    expect(await hourly()).toContainEqual([D - 2 * DAY + 12 * HOUR, 2, 99, 2]);
    // An hour still open (or ended less than 10 minutes ago) is not counted.
    const now = Date.now();
    await f.writer.insert({
      table: `${f.database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: [webEventRow(now, { session_id: 's8', anonymous_id: 'v8', page_path: '/home' })],
    });
    await finalizer.countHours();
    expect(await countOf(Math.floor(now / HOUR) * HOUR)).toBeUndefined();
  });
});
