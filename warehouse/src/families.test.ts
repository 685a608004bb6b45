import { describe, expect, it } from 'vitest';
import { FAMILIES, familyTables, rollupViews, shadowSuffix } from './families.js';
import { STREAM_NAMES } from '@backbone/schemas';
import { landingDdl } from './landing.js';
import { MIGRATIONS } from './migrations.js';
import { STT_ROLLUP_TABLES, TABLES, viewOf } from './tables.js';

const created = (sql: string[], database: string) =>
  sql.map(
    (s) =>
      new RegExp(
        `^CREATE (?:TABLE|MATERIALIZED VIEW) IF NOT EXISTS \`${database}\`\\.\`([^\`]+)\``,
      ).exec(s)?.[1],
  );

describe('stream families', () => {
  it('build the web family’s tables and views under a suffix, and nothing else', () => {
    const suffix = shadowSuffix(FAMILIES.web!);
    const sql = FAMILIES.web!.ddl({ database: 'a', suffix });
    const names = created(sql, 'a');
    for (const t of [
      TABLES.webEvents,
      TABLES.webTraffic1m,
      viewOf(TABLES.webTraffic1m),
      TABLES.webSessionStarts1m,
    ])
      expect(names).toContain(t + suffix);
    expect(names.every((n) => n?.endsWith(suffix))).toBe(true);
    expect(names.some((n) => STT_ROLLUP_TABLES.some((t) => n?.startsWith(t)))).toBe(false);
    expect(names).not.toContain(TABLES.sinkInflight + suffix);
    // Views read the suffixed raw table and write the suffixed rollup.
    const view = sql.find((s) => s.includes(`\`${viewOf(TABLES.webTraffic1m)}${suffix}\``))!;
    expect(view).toContain(`TO \`a\`.\`${TABLES.webTraffic1m}${suffix}\` AS`);
    expect(view).toContain(`FROM \`a\`.\`${TABLES.webEvents}${suffix}\` AS e`);
  });

  it('name the views a swap creates again: every rollup view, no landing view', () => {
    const names = { database: 'a', suffix: '' };
    const views = rollupViews(FAMILIES.web!, names);
    // One view per web rollup (the session summaries are the finalizer's, not views').
    expect(views.map((v) => v.name).sort()).toEqual(
      FAMILIES.web!.rollups.map((t) => `\`a\`.\`${viewOf(t)}\``).sort(),
    );
    for (const v of views) expect(v.ddl).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS/);
    expect(views.some((v) => v.ddl.includes('landing'))).toBe(false);
    // The STT rollups are fed by several views each.
    expect(rollupViews(FAMILIES.stt!, names).length).toBeGreaterThan(FAMILIES.stt!.rollups.length);
  });

  it('take every view of the three STT raw tables into the STT rollups', () => {
    const suffix = shadowSuffix(FAMILIES.stt!);
    const sql = FAMILIES.stt!.ddl({ database: 'a', suffix });
    const views = sql.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBeGreaterThanOrEqual(3);
    for (const raw of FAMILIES.stt!.raw)
      expect(views.some((v) => v.includes(`\`${raw}${suffix}\``))).toBe(true);
    expect(sql.some((s) => s.includes(TABLES.webEvents))).toBe(false);
  });

  it('are together exactly the stream tables the migrations create, in the same statements', () => {
    const names = { database: 'a', suffix: '' };
    // The migrations, and the landing tables `migrate` makes after them from today's schemas.
    const all = [
      ...MIGRATIONS.flatMap((m) => m.statements(names)),
      ...STREAM_NAMES.flatMap((s) => landingDdl(s, names)),
    ];
    const families = Object.values(FAMILIES).flatMap((f) => f.ddl(names));
    // Every family statement is a migration statement, byte for byte …
    for (const sql of families) expect(all).toContain(sql);
    // … and every migration statement about a family's table is in its family.
    const tables = new Set(Object.values(FAMILIES).flatMap(familyTables));
    const streamStatements = all.filter((sql) =>
      created([sql], 'a').some((n) => n !== undefined && [...tables].some((t) => n.startsWith(t))),
    );
    expect(families.length).toBe(streamStatements.length);
  });
});
