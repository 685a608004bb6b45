import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sampleEnvelope } from '@backbone/test';
import type { SchemaFile } from './codegen.js';
import type { EnrichedStreamEvents, StreamEvents } from './generated/types.js';

/** A valid envelope for tests (test support; not part of the build). */
export const envelope = sampleEnvelope;

export const pageView: StreamEvents['web'] = {
  envelope: envelope('page_view'),
  payload: { 'backbone.events.web.PageView': { url: '/products/shoes', title: 'Running Shoes' } },
};

export const segment: StreamEvents['stt.transcript'] = {
  envelope: envelope('stt_transcription_completed'),
  payload: {
    'backbone.events.stt.TranscriptSegment': {
      segment_id: 'seg-1',
      text: 'call me at 555 0100',
      is_final: true,
      confidence: 0.91,
      start_ms: 0,
      end_ms: 1800,
      language: 'en-US',
      speaker_id: 'spk_0',
      speaker_label: null,
      model_id: 'whisper-large-v3',
      processing_latency_ms: 240,
      audio_duration_ms: 1800,
      word_count: 5,
    },
  },
};

/** The enriched, masked form of `pageView`, as the enrich worker will write it to events.web.v1. */
export const enrichedPageView: EnrichedStreamEvents['web'] = {
  envelope: {
    ...pageView.envelope,
    anonymous_id: 'h_0123456789abcdef0123456789abcdef',
    context: {
      ...pageView.envelope.context,
      ip: 'h_fedcba9876543210fedcba9876543210',
      user_agent: null,
      page_url: 'https://shop.example/p',
    },
  },
  enrichment: {
    device_type: 'desktop',
    browser: 'Chrome',
    browser_major: '120',
    os: 'Windows',
    os_major: '10',
    is_bot: false,
    country: 'GB',
    region: 'England',
    page_host: 'shop.example',
    page_path: '/p',
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    referrer_host: null,
    traffic_source: '(direct)',
    traffic_medium: '(none)',
    text_policy: null,
    redactions: 0,
    enriched_at: 1_736_937_002_000,
  },
  payload: pageView.payload,
};

/** The Avro schema files of avro/, as the build reads them (test support). */
export function schemaFiles(): SchemaFile[] {
  const dir = fileURLToPath(new URL('../avro', import.meta.url));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()
    .map((file) => ({
      file,
      json: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>,
    }));
}
