import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clusterStatements, mutationTarget } from './cluster.js';
import { modelDdl } from './migrate.js';

/**
 * The model's DDL in both forms. The golden files are what `npm run migrate -- --print`
 * prints for an empty database `analytics` (cluster `events`); a change to the model shows as
 * a diff there. UPDATE_GOLDEN=1 rewrites them.
 */
const GOLDEN = path.join(import.meta.dirname, '..', 'test', 'ddl');
const names = { database: 'analytics', suffix: '' };
const single = modelDdl(names);
const cluster = modelDdl(names, 'events');

function golden(file: string, statements: string[]) {
  const text = statements.map((s) => `${s};\n`).join('\n');
  const at = path.join(GOLDEN, file);
  if (process.env.UPDATE_GOLDEN) writeFileSync(at, text);
  expect(text).toBe(readFileSync(at, 'utf8'));
}

const created = (statements: string[], re: RegExp) =>
  statements.map((s) => re.exec(s)).filter((m): m is RegExpExecArray => m !== null);
const TABLE = /^CREATE TABLE IF NOT EXISTS `analytics`\.`([^`]+)`( ON CLUSTER `events`)? \(/;
const engineOf = (s: string) => /\) ENGINE = (\w+)/.exec(s)?.[1];

describe('the model on one server', () => {
  it('matches its golden file', () => golden('single-node.sql', single));

  it('has no cluster clause, replicated engine or Distributed table', () => {
    for (const s of single) {
      expect(s).not.toContain('ON CLUSTER');
      expect(s).not.toMatch(/ENGINE = (Replicated|Distributed)/);
    }
    const raw = single.find((s) => s.includes('`analytics`.`web_events` ('))!;
    expect(raw).toContain('SETTINGS non_replicated_deduplication_window = 10000');
  });
});

describe('the model on a cluster', () => {
  it('matches its golden file', () => golden('cluster.sql', cluster));

  it('runs every statement ON CLUSTER', () => {
    for (const s of cluster) expect(s.split('\n')[0]).toContain(' ON CLUSTER `events`');
  });

  it('replicates every table that stores rows, with the replicated deduplication window', () => {
    for (const [s] of created(cluster, TABLE).map((m) => [m.input])) {
      const engine = engineOf(s!)!;
      expect(['Null', 'Distributed'].includes(engine) || engine.startsWith('Replicated')).toBe(
        true,
      );
      expect(s).not.toContain('non_replicated_deduplication_window');
    }
    const raw = cluster.find((s) => s.includes('`analytics`.`web_events_local` ON CLUSTER'))!;
    expect(raw).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}')",
    );
    expect(raw).toContain('SETTINGS replicated_deduplication_window = 10000');
    const replacing = cluster.find((s) => s.includes('`web_hour_counts_local` ON CLUSTER'))!;
    expect(replacing).toMatch(
      /ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}', counted_at\)/,
    );
  });

  it('puts stream data behind Distributed tables, sharded by tenant and session', () => {
    const tables = created(cluster, TABLE).map((m) => ({ name: m[1]!, s: m.input }));
    const byName = new Map(tables.map((t) => [t.name, t.s]));
    for (const [name, key] of [
      ['web_events', 'cityHash64(tenant_id, session_id)'],
      ['stt_transcript_events', 'cityHash64(tenant_id, session_id)'],
      ['web_sessions', 'cityHash64(tenant_id, session_id)'],
      ['stt_sessions', 'cityHash64(tenant_id, session_id)'],
      ['web_traffic_1m', 'cityHash64(tenant_id)'],
    ] as const) {
      expect(byName.get(`${name}_local`)).toBeDefined();
      expect(byName.get(name)).toContain(
        `ENGINE = Distributed('events', 'analytics', '${name}_local', ${key})`,
      );
      // A Distributed table takes no index or TTL: its columns are names, types, defaults.
      expect(byName.get(name)).not.toMatch(/\bINDEX\b|\bTTL\b/);
    }
    const landing = tables.find((t) => /^web_events_landing_[0-9a-f]{8}$/.test(t.name))!;
    expect(landing.s).toContain(
      'cityHash64(`event.envelope.tenant_id`, `event.envelope.session_id`)',
    );
  });

  it('keeps ledgers and coordination whole on every node, not sharded', () => {
    for (const name of ['schema_migrations', 'sink_inflight', 'subject_erasures', 'replay_runs']) {
      const s = cluster.find((x) => x.includes(`\`analytics\`.\`${name}\` ON CLUSTER`))!;
      expect(s).toContain("'/clickhouse/tables/{uuid}/all', '{replica}'");
      expect(cluster.some((x) => x.includes(`\`${name}_local\``))).toBe(false);
    }
  });

  it('has its materialized views read and write local tables only', () => {
    const views = cluster.filter((s) => s.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBeGreaterThan(20);
    for (const v of views) {
      const refs = [...v.matchAll(/`analytics`\.`([^`]+)`/g)].map((m) => m[1]!).slice(1);
      for (const ref of refs)
        expect(ref.endsWith('_local') || ref === 'subject_erasures', `${ref} in ${v}`).toBe(true);
    }
  });

  it('alters a raw table and its Distributed table together', () => {
    const alter = 'ALTER TABLE `analytics`.`web_events` ADD COLUMN IF NOT EXISTS `x` String';
    expect(clusterStatements(alter, names, 'events')).toEqual([
      'ALTER TABLE `analytics`.`web_events_local` ON CLUSTER `events` ADD COLUMN IF NOT EXISTS `x` String',
      'ALTER TABLE `analytics`.`web_events` ON CLUSTER `events` ADD COLUMN IF NOT EXISTS `x` String',
    ]);
  });

  it('refuses what it has no cluster form for, rather than guessing', () => {
    expect(() => clusterStatements('INSERT INTO t VALUES (1)', names, 'events')).toThrow(
      /no cluster form/,
    );
    const join = `CREATE MATERIALIZED VIEW IF NOT EXISTS \`analytics\`.\`v\` TO \`analytics\`.\`web_traffic_1m\` AS
SELECT 1 FROM \`analytics\`.\`web_events\` JOIN \`analytics\`.\`stt_sessions\` USING (tenant_id)`;
    expect(() => clusterStatements(join, names, 'events')).toThrow(/one sharded table/);
  });

  it("sends mutations to every shard's local table", () => {
    expect(mutationTarget('`analytics`.`web_events`', 'events')).toBe(
      '`analytics`.`web_events_local` ON CLUSTER `events`',
    );
    expect(mutationTarget('`analytics`.`subject_erasures`', 'events')).toBe(
      '`analytics`.`subject_erasures` ON CLUSTER `events`',
    );
    expect(mutationTarget('`analytics`.`web_events`')).toBe('`analytics`.`web_events`');
  });
});
