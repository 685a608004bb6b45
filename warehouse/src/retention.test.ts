import { describe, expect, it } from 'vitest';
import { retentionDeletes } from './retention.js';

const NOW = Date.parse('2026-12-06T13:00:00Z');

describe('retention deletes', () => {
  it("removes the tenant's rows older than its class's days, from the tables its streams feed", () => {
    const deletes = retentionDeletes(
      'analytics',
      ['web', 'stt.transcript'],
      'acme',
      { behaviour: 30, speech: 7 },
      NOW,
    );
    expect(deletes.map((d) => [d.retentionClass, d.table])).toEqual([
      ['speech', '`analytics`.`stt_transcript_events`'],
      ['behaviour', '`analytics`.`web_events`'],
      ['behaviour', '`analytics`.`web_sessions`'],
    ]);
    // One server: the DELETE names the table it counts in.
    expect(deletes.every((d) => d.target === d.table)).toBe(true);
    // Whole UTC days: 30 days before the start of today.
    expect(deletes[1]!.params).toEqual({
      tenant: 'acme',
      before: Date.parse('2026-11-06T00:00:00Z') / 1000,
    });
    expect(deletes[0]!.params.before).toBe(Date.parse('2026-11-29T00:00:00Z') / 1000);
    expect(deletes[2]!.where).toContain('day < toDate(');
    expect(deletes[1]!.where).toMatch(/^tenant_id = \{tenant:String\} AND occurred_at </);
  });

  it('leaves classes without a policy, and streams this instance does not write, alone', () => {
    expect(retentionDeletes('analytics', ['web'], 'acme', { speech: 7 }, NOW)).toEqual([]);
    expect(retentionDeletes('analytics', ['stt.session'], 'acme', {}, NOW)).toEqual([]);
  });

  it("on a cluster, deletes from every shard's local table, ON CLUSTER", () => {
    const [d] = retentionDeletes('analytics', ['web'], 'acme', { behaviour: 30 }, NOW, 'events');
    expect(d!.table).toBe('`analytics`.`web_events`');
    expect(d!.target).toBe('`analytics`.`web_events_local` ON CLUSTER `events`');
  });
});
