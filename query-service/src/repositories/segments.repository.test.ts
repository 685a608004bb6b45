import type { ClickHouseClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { SegmentRepository } from './segments.repository.js';

/** A client that records each statement and answers it with `rows(sql)`. */
function recordingClient(rows: (sql: string) => Record<string, unknown>[]) {
  const statements: { sql: string; params: Record<string, unknown> }[] = [];
  const client = {
    query: (q: { query: string; query_params: Record<string, unknown> }) => {
      statements.push({ sql: q.query, params: q.query_params });
      return Promise.resolve({ json: () => Promise.resolve(rows(q.query)) });
    },
  } as unknown as ClickHouseClient;
  return { client, statements };
}

const range = {
  start: new Date('2026-11-01T10:20:00Z'),
  end: new Date('2026-11-02T10:20:00Z'),
};

describe('questions about one segment', () => {
  it('are asked in one statement with a grouping set each, landing pages in a second', async () => {
    // Keys in the statement: bucket_DAY, source, medium, deviceType, country. A row of each
    // set, with grouping()'s mask: a bit per key, 1 where the key is not in the set.
    const rows = [
      { g: 0b01111, k_bucket_DAY: 1_793_577_600, visits: 4, views: 9, people: 3 },
      { g: 0b11111, visits: 7, views: 12, people: 5, bounced: 2, millis: 14_000 },
      { g: 0b10011, k_source: 'google', k_medium: 'organic', visits: 7 },
      { g: 0b11101, k_deviceType: 'mobile', visits: 7, views: 12, people: 5 },
      { g: 0b11110, k_country: 'DE', visits: 7, views: 12, people: 5 },
    ];
    const { client, statements } = recordingClient((sql) =>
      sql.includes('web_session_landings_1h')
        ? [{ g: 0, k_landingPage: '/home', visits: 7, views: 12 }]
        : rows,
    );
    const repo = new SegmentRepository(client, 'analytics');
    const filter = { deviceType: 'mobile' };
    const [dashboard, sources, devices, geo, landing] = await Promise.all([
      repo.dashboard('acme', range, 'DAY', filter),
      repo.trafficSources('acme', range, filter),
      repo.devices('acme', range, filter),
      repo.geo('acme', range, filter),
      repo.landingPages('acme', range, filter, 10),
    ]);
    expect(statements).toHaveLength(2);
    const segments = statements.find((s) => s.sql.includes('web_session_segments_1h'));
    const landings = statements.find((s) => s.sql.includes('web_session_landings_1h'));
    expect(landings?.sql).toMatch(/GROUPING SETS \(\(k_landingPage\)\)[^]*LIMIT 10/);
    expect(segments!.sql).toMatch(
      /GROUPING SETS \(\(\), \(k_bucket_DAY\), \(k_source, k_medium\), \(k_deviceType\), \(k_country\)\)/,
    );
    // Bound parameters: the range widened to whole hours, the filter as given.
    expect(segments!.params).toEqual({
      tenant: 'acme',
      start: '2026-11-01 10:00:00.000',
      end: '2026-11-02 11:00:00.000',
      deviceType: 'mobile',
    });
    expect(dashboard).toMatchObject({ sessions: 7, pageViews: 12, uniqueVisitors: 5 });
    expect(dashboard).toMatchObject({ bounceRate: 2 / 7, avgSessionDuration: 2 });
    expect(dashboard.timeSeries).toEqual([
      {
        timestamp: new Date(1_793_577_600_000),
        pageViews: 9,
        uniqueVisitors: 3,
        sessions: 4,
      },
    ]);
    expect(sources).toEqual([
      { source: 'google', medium: 'organic', sessions: 7, percentage: 100 },
    ]);
    expect(devices.map((d) => d.deviceType)).toEqual(['mobile']);
    expect(geo.map((g) => g.country)).toEqual(['DE']);
    expect(landing).toMatchObject([{ url: '/home', sessions: 7, pageViews: 12 }]);
  });

  it('asks about different segments or tenants in statements of their own', async () => {
    const { client, statements } = recordingClient(() => []);
    const repo = new SegmentRepository(client, 'analytics');
    const answers = await Promise.all([
      repo.geo('acme', range, { deviceType: 'mobile' }),
      repo.geo('acme', range, { deviceType: 'desktop' }),
      repo.geo('other', range, { deviceType: 'mobile' }),
      repo.dashboard('acme', range, 'HOUR', { country: 'FR' }),
    ]);
    expect(statements).toHaveLength(4);
    expect(answers[3]).toMatchObject({ sessions: 0, uniqueVisitors: 0, timeSeries: [] });
    // A filter on the landing page reads the table keyed by it, for every question.
    await repo.devices('acme', range, { landingPage: '/home' });
    expect(statements.at(-1)!.sql).toContain('web_session_landings_1h');
    expect(statements.at(-1)!.sql).toContain('entry_page = {landingPage:String}');
  });
});
