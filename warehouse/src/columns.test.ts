import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';
import { clickhouseTime, rowColumns, streamColumns, toRow } from './columns.js';
import { rawTableDdl } from './raw-tables.js';
import { qualifySource } from './web-rollups.js';

const column = (stream: (typeof STREAM_NAMES)[number], name: string) =>
  streamColumns(stream).find((c) => c.name === name);

describe('raw table columns derived from the enriched schemas', () => {
  it.each([
    ['web', 'event_id', 'String', 'none'],
    ['web', 'occurred_at', "DateTime64(3, 'UTC')", 'none'],
    ['web', 'tenant_id', 'LowCardinality(String)', 'none'],
    ['web', 'anonymous_id', 'Nullable(String)', 'medium'],
    ['web', 'user_id', 'Nullable(String)', 'high'],
    ['web', 'consent_gpc', 'Bool', 'none'],
    ['web', 'context_locale', 'LowCardinality(Nullable(String))', 'low'],
    ['web', 'country', 'LowCardinality(Nullable(String))', 'low'],
    ['web', 'value', 'Nullable(Float64)', 'none'],
    ['web', 'properties', 'Map(String, String)', 'low'],
    ['stt.transcript', 'text', 'Nullable(String)', 'critical'],
    ['stt.transcript', 'is_final', 'Nullable(Bool)', 'none'],
    // Merged from three branches, nullable in one of them.
    ['stt.transcript', 'language', 'LowCardinality(Nullable(String))', 'none'],
    ['stt.session', 'status', 'LowCardinality(Nullable(String))', 'none'],
  ] as const)('%s.%s is %s, class %s', (stream, name, type, privacy) => {
    expect(column(stream, name)).toMatchObject({ type, privacy });
  });

  it('gives every stream unique column names', () => {
    for (const stream of STREAM_NAMES) {
      const names = streamColumns(stream).map((c) => c.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('expires columns by privacy class and rows after two years', () => {
    const ddl = rawTableDdl('stt.transcript', { database: 'a', suffix: '' });
    expect(ddl).toMatch(
      /`text` Nullable\(String\) TTL toDateTime\(occurred_at\) \+ INTERVAL 7 DAY/,
    );
    expect(ddl).toMatch(/`user_id` Nullable\(String\) TTL .* 30 DAY/);
    expect(ddl).toMatch(/`anonymous_id` Nullable\(String\) TTL .* 90 DAY/);
    expect(ddl).toMatch(/^TTL toDateTime\(occurred_at\) \+ INTERVAL 730 DAY$/m);
    expect(ddl).toContain('non_replicated_deduplication_window');
  });

  it('turns a decoded event into a row: flattened, timestamps as UTC text, provenance', () => {
    const envelope = sampleEnvelope('page_view');
    const values = toRow(
      'web',
      {
        envelope,
        enrichment: { device_type: 'desktop', country: 'GB', enriched_at: 1_736_937_002_000 },
        payload: { 'backbone.events.web.PageView': { url: '/p', title: null } },
      },
      3,
      '42',
    );
    const columns = rowColumns('web');
    expect(values).toHaveLength(columns.length);
    const row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
    expect(row).toMatchObject({
      event_id: envelope.event_id,
      occurred_at: '2025-01-15 10:30:00.000',
      consent_analytics: true,
      context_locale: 'en-US',
      device_type: 'desktop',
      url: '/p',
      title: null,
      element: null,
      _partition: 3,
      _offset: '42',
    });
  });

  it('writes times the way DateTime64(3) reads them', () => {
    expect(clickhouseTime(Date.UTC(2025, 0, 2, 3, 4, 5, 6))).toBe('2025-01-02 03:04:05.006');
  });
});

describe('qualifySource', () => {
  it('qualifies source columns but not aliases, literals, functions or GROUP BY', () => {
    const sql = qualifySource(
      "SELECT coalesce(page_path, '') AS page_path, countIf(event_type = 'page_path') AS n FROM {SOURCE} WHERE page_path IS NOT NULL\nGROUP BY page_path",
      'web',
    );
    expect(sql).toBe(
      "SELECT coalesce(e.page_path, '') AS page_path, countIf(e.event_type = 'page_path') AS n FROM {SOURCE} WHERE e.page_path IS NOT NULL\nGROUP BY page_path",
    );
  });
});
