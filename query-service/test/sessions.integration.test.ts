import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@backbone/runtime';
import { migrate, SessionFinalizer } from '@backbone/warehouse';
import { createTestDatabase, testClickHouse, webEventRow } from '@backbone/test';
import { StatsRepository } from '../src/repositories/stats.repository.js';
import { TABLES } from '@backbone/warehouse/tables';

const logger = createLogger({ name: 'test', level: 'silent' });
const HOUR = 3_600_000;

/**
 * Session numbers are the same whether a session is still merged live from web_sessions or
 * already finalized into the summaries — and stay the same when finalizing is repeated after
 * a crash. Sessions (tenant acme), with T the start of the hour three hours ago:
 *   old1: /home (google) at T, /pricing at T+60 s              — 60 s, not a bounce
 *   old2: /home (news, email) at T+600 s                        — a bounce
 *   old3: /pricing direct at T+1 h, /home at T+1 h+120 s        — 120 s
 *   open: /home direct five minutes ago                         — still open: never finalized
 */
describe('session summaries and the session finalizer', () => {
  const writer = testClickHouse();
  const reader = testClickHouse({ reader: true });
  let database: { name: string; drop: () => Promise<void> };
  let stats: StatsRepository;
  let finalizer: SessionFinalizer;
  const T = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
  const range = { start: new Date(T - 24 * HOUR), end: new Date(Date.now() + HOUR) };

  const view = (session: string, at: number, path: string, source: string, medium = '(none)') =>
    webEventRow(at, {
      session_id: session,
      anonymous_id: `v-${session}`,
      page_path: path,
      traffic_source: source,
      traffic_medium: medium,
    });

  const snapshot = async () => {
    const [overview, pages, sources] = await Promise.all([
      stats.sessionStats('acme', range),
      stats.topPages('acme', range, 10),
      stats.trafficSources('acme', range),
    ]);
    return { overview, pages, sources };
  };

  beforeAll(async () => {
    database = await createTestDatabase(writer, 'sess');
    await migrate({ client: writer, database: database.name, logger });
    const now = Date.now();
    await writer.insert({
      table: `${database.name}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: [
        view('old1', T, '/home', 'google', 'organic'),
        view('old1', T + 60_000, '/pricing', '(internal)'),
        view('old2', T + 600_000, '/home', 'news', 'email'),
        view('old3', T + HOUR, '/pricing', '(direct)'),
        view('old3', T + HOUR + 120_000, '/home', '(internal)'),
        view('open', now - 300_000, '/home', '(direct)'),
      ],
    });
    stats = new StatsRepository(reader, database.name);
    finalizer = new SessionFinalizer({
      client: writer,
      names: { database: database.name, suffix: '' },
      logger,
    });
  });
  afterAll(async () => {
    await database?.drop();
    await writer.close();
    await reader.close();
  });

  const finalizeAll = async () => {
    const hours: Date[] = [];
    for (let round = 0; round < 5; round++) {
      const done = await finalizer.tick();
      if (done.length === 0) break;
      hours.push(...done);
    }
    return hours;
  };
  const summarized = async () => {
    const rows = await writer.query({
      query: `SELECT sum(sessions) AS n FROM ${database.name}.${TABLES.webSessionStarts1m}`,
      format: 'JSONEachRow',
    });
    return Number((await rows.json<{ n: string }>())[0]?.n);
  };

  it('gives the same numbers before and after finalizing, counting the open session live', async () => {
    const before = await snapshot();
    expect(before.overview).toEqual({ sessions: 4, bounces: 2, avgDurationSeconds: 45 });
    expect(before.sources.map((s) => [s.source, s.sessions])).toEqual([
      ['(direct)', 2],
      ['google', 1],
      ['news', 1],
    ]);
    const hours = await finalizeAll();
    expect(hours.map((h) => h.getTime())).toContain(T);
    expect(hours.map((h) => h.getTime())).toContain(T + HOUR);
    // Three sessions are over; the one five minutes old is not.
    expect(await summarized()).toBe(3);
    expect(await snapshot()).toEqual(before);
  });

  it('counts nothing twice when finalizing runs again after losing its marks', async () => {
    const before = await snapshot();
    // A crash after the summaries were written but before the hours were marked.
    await writer.command({
      query: `TRUNCATE TABLE ${database.name}.${TABLES.webSessionsFinalized}`,
    });
    expect(await snapshot()).toEqual(before);
    await finalizeAll();
    expect(await summarized()).toBe(3);
    expect(await snapshot()).toEqual(before);
  });

  it('never finalizes an hour whose sessions may still be going on (idle under 30 min)', async () => {
    await writer.command({
      query: `TRUNCATE TABLE ${database.name}.${TABLES.webSessionsFinalized}`,
    });
    const hours = await finalizer.tick(new Date(T + 30 * 60_000));
    expect(hours.every((h) => h.getTime() + HOUR <= T)).toBe(true);
    // Once the sessions of hour T have been idle long enough, it is finalized.
    expect((await finalizer.tick()).map((h) => h.getTime())).toContain(T);
  });
});
