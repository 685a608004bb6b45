import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { KeyWriter } from '@backbone/ingest-gateway';
import { uniqueName, waitFor } from '@backbone/test';
import { TABLES } from '@backbone/warehouse/tables';
import { TenantPolicies } from '../src/enrich/tenant-policies.js';
import { RetentionJob } from '../src/sink/retention.js';
import { clickhouseTime } from '@backbone/warehouse';
import { spokenSegment } from './event-set.js';
import { pipelineFixture, type Pipeline } from './pipeline-fixture.js';

/**
 * A tenant's transcript mode as data: switched from drop to redact in the tenants topic (as
 * the admin API writes it), the running enrich worker redacts the text of what comes after,
 * without a restart.
 */
let p: Pipeline;
let policies: TenantPolicies;
let producer: Producer;
const topic = uniqueName('_tenants');

const said = (text: string) => spokenSegment(text);
const texts = async () =>
  (
    await p.rows<{ text: string | null }>(
      `SELECT text FROM {db}.${TABLES.sttTranscriptEvents} ORDER BY _inserted_at`,
    )
  ).map((r) => r.text);

beforeAll(async () => {
  p = await pipelineFixture();
  policies = new TenantPolicies({
    kafka: p.kafka,
    topic,
    fallback: () => 'drop',
    logger: p.logger,
  });
  await policies.start();
  await p.startEnrich({ textPolicy: policies.textPolicy });
  await p.startSink();
  producer = p.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
}, 60_000);
afterAll(async () => {
  await producer?.disconnect();
  await policies?.stop();
  await p?.close();
});

describe('tenant policies from the tenants topic', () => {
  it('switches a running enrich worker from drop to redact for the events after the switch', async () => {
    await p.produce('stt.transcript', [said('call me on 415 555 0100 before')]);
    await waitFor(async () => (await texts()).length === 1, { timeoutMs: 30_000 });
    expect(await texts()).toEqual([null]);

    const started = Date.now();
    await new KeyWriter(producer, topic).putTenant(
      { id: 'acme', status: 'active', transcript_mode: 'redact' },
      'test',
    );
    await waitFor(() => policies.textPolicy('acme') === 'redact', {
      timeoutMs: 5000,
      intervalMs: 20,
    });
    console.log(`transcript mode switched on the running worker in ${Date.now() - started} ms`);
    expect(policies.textPolicy('globex')).toBe('drop');

    await p.produce('stt.transcript', [said('call me on 415 555 0100 after')]);
    await waitFor(async () => (await texts()).length === 2, { timeoutMs: 30_000 });
    expect(await texts()).toEqual([null, 'call me on [PHONE] after']);
  });
});

describe("tenants' retention per privacy class", () => {
  it("removes a tenant's rows older than its policy from the tables of the streams it holds", async () => {
    const now = Date.now();
    const day = 86_400_000;
    const row = (tenant: string, id: string, ageDays: number) => ({
      event_id: id,
      event_type: 'page_view',
      occurred_at: clickhouseTime(now - ageDays * day),
      received_at: clickhouseTime(now),
      enriched_at: clickhouseTime(now),
      tenant_id: tenant,
      source: 'test',
      session_id: `s-${id}`,
    });
    await p.clickhouse.insert({
      table: `${p.database}.${TABLES.webEvents}`,
      format: 'JSONEachRow',
      values: [row('acme', 'old', 40), row('acme', 'recent', 2), row('globex', 'other', 40)],
    });
    await new KeyWriter(producer, topic).putTenant(
      { id: 'acme', status: 'active', retention_days: { behaviour: 30, speech: 7 } },
      'test',
    );
    await waitFor(() => policies.retentionPolicies().get('acme')?.behaviour === 30, {
      timeoutMs: 5000,
    });
    const job = new RetentionJob({
      clickhouse: p.clickhouse,
      database: p.database,
      streams: () => ['web'],
      policies: () => policies.retentionPolicies(),
      logger: p.logger,
    });
    const started = performance.now();
    const removed = await job.runOnce();
    console.log(`retention run: ${(performance.now() - started).toFixed(0)} ms`);
    // The event, and the session summary the views made of it.
    expect(removed).toEqual([
      {
        tenant: 'acme',
        retentionClass: 'behaviour',
        table: `\`${p.database}\`.\`${TABLES.webEvents}\``,
        rows: 1,
      },
      {
        tenant: 'acme',
        retentionClass: 'behaviour',
        table: `\`${p.database}\`.\`${TABLES.webSessions}\``,
        rows: 1,
      },
    ]);
    const left = await p.rows<{ tenant_id: string; event_id: string }>(
      `SELECT tenant_id, event_id FROM {db}.${TABLES.webEvents} WHERE source = 'test' ORDER BY event_id`,
    );
    expect(left).toEqual([
      { tenant_id: 'globex', event_id: 'other' },
      { tenant_id: 'acme', event_id: 'recent' },
    ]);
    // A second run finds nothing more to remove.
    expect(await job.runOnce()).toEqual([]);
  });
});
