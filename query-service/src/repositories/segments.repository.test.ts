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
  it('are asked in one statement with a grouping set each; those without visitors in another', async () => {
    // Keys of the statement with visitors: bucket_DAY, deviceType, country. A row of each
    // set, with grouping()'s mask: a bit per key, 1 where the key is not in the set.
    const withVisitors = [
      { g: 0b011, k_bucket_DAY: 1_793_577_600, visits: 4, views: 9, people: 3 },
      { g: 0b111, visits: 7, views: 12, people: 5, bounced: 2, millis: 14_000 },
      { g: 0b101, k_deviceType: 'mobile', visits: 7, views: 12, people: 5 },
      { g: 0b110, k_country: 'DE', visits: 7, views: 12, people: 5 },
    ];
    const { client, statements } = recordingClient((sql) =>
      sql.includes('web_session_landings_1h')
        ? [{ g: 0, k_landingPage: '/home', visits: 7, views: 12 }]
        : sql.includes('(k_source, k_medium)')
          ? [{ g: 0, k_source: 'google', k_medium: 'organic', visits: 7 }]
          : withVisitors,
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
    expect(statements).toHaveLength(3);
    const segments = statements.find((s) => s.sql.includes('(k_bucket_DAY)'));
    const bySource = statements.find((s) => s.sql.includes('(k_source, k_medium)'));
    const landings = statements.find((s) => s.sql.includes('web_session_landings_1h'));
    expect(segments?.sql).toMatch(
      /GROUPING SETS \(\(\), \(k_bucket_DAY\), \(k_deviceType\), \(k_country\)\)/,
    );
    expect(segments?.sql).toContain('uniqCombinedMerge(15)(v)');
    // Sources and landing pages show no visitors: their statements merge no visitor state.
    expect(bySource?.sql).toContain('web_session_segments_1h');
    expect(bySource?.sql).not.toContain('uniqCombined');
    expect(landings?.sql).toMatch(/GROUPING SETS \(\(k_landingPage\)\)[^]*LIMIT 10/);
    expect(landings?.sql).not.toContain('uniqCombined');
    // Bound parameters: the range widened to whole hours, the filter as given.
    expect(segments?.params).toEqual({
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
    expect(devices.map((d) => [d.deviceType, d.uniqueVisitors])).toEqual([['mobile', 5]]);
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
