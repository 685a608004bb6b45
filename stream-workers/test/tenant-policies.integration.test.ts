import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Producer } from 'kafkajs';
import { KeyWriter } from '@backbone/ingest-gateway';
import type { StreamEvents } from '@backbone/schemas';
import { sampleEnvelope, uniqueName, waitFor } from '@backbone/test';
import { TABLES } from '@backbone/warehouse/tables';
import { TenantPolicies } from '../src/enrich/tenant-policies.js';
import { CHROME } from './event-set.js';
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

const said = (text: string): StreamEvents['stt.transcript'] => ({
  envelope: sampleEnvelope('stt_transcription_completed', {
    event_id: randomUUID(),
    session_id: randomUUID(),
    tenant_id: 'acme',
    user_id: null,
    anonymous_id: null,
    context: { ...sampleEnvelope('stt_session_started').context, user_agent: CHROME },
  }),
  payload: {
    'backbone.events.stt.TranscriptSegment': {
      segment_id: 'seg-1',
      text,
      is_final: true,
      confidence: 0.9,
      start_ms: 0,
      end_ms: 900,
      language: 'en',
      speaker_id: 'spk-1',
      speaker_label: null,
      model_id: 'whisper-large',
      processing_latency_ms: 100,
      audio_duration_ms: 900,
      word_count: 6,
    },
  },
});
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
    await new KeyWriter(producer, topic).setTenant({
      id: 'acme',
      transcriptMode: 'redact',
      by: 'test',
    });
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
