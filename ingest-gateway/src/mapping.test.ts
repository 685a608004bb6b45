import { describe, expect, it } from 'vitest';
import { mapEvent, requestPath, type RequestFacts } from './mapping.js';

const facts: RequestFacts = {
  tenantId: 'acme',
  source: 'web-app',
  receivedAt: Date.parse('2025-01-15T10:30:00Z'),
  ip: '203.0.113.9',
  gpc: false,
  dnt: false,
};
const limits = { maxFutureSkewMs: 5 * 60_000, maxStringLength: 100 };

const pageView = {
  event_id: '7d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  event_type: 'page_view',
  timestamp: '2025-01-15T10:29:55Z',
  session_id: 'sess-1',
  anonymous_id: 'hashed-device-id',
  properties: { url: '/products/shoes', title: 'Running Shoes' },
  context: {
    user_agent: 'Mozilla/5.0',
    locale: 'en-US',
    timezone: 'America/New_York',
    referrer: 'https://google.com',
  },
  consent: { analytics: true },
};

describe('mapEvent', () => {
  it('maps a page view to the web stream, with server-side tenant, source, time and IP', () => {
    const mapped = mapEvent(pageView, 0, facts, limits);
    expect(mapped).toMatchObject({ ok: true, stream: 'web', clamped: false });
    if (!mapped.ok) return;
    expect(mapped.value.envelope).toMatchObject({
      tenant_id: 'acme',
      source: 'web-app',
      occurred_at: Date.parse('2025-01-15T10:29:55Z'),
      received_at: facts.receivedAt,
      anonymous_id: 'hashed-device-id',
      user_id: null,
      context: {
        ip: '203.0.113.9',
        user_agent: 'Mozilla/5.0',
        page_url: null,
        referrer: 'https://google.com',
      },
      consent: { analytics: true, marketing: null, gpc: false, anonymized: false },
    });
    expect(mapped.value.payload).toEqual({
      'backbone.events.web.PageView': { url: '/products/shoes', title: 'Running Shoes' },
    });
  });

  it('ignores a tenant or source in the body: unknown fields are refused, naming them', () => {
    const mapped = mapEvent({ ...pageView, tenant_id: 'other' }, 2, facts, limits);
    expect(mapped).toEqual({
      ok: false,
      errors: [{ field: 'events[2].tenant_id', message: 'Unknown field' }],
    });
  });

  it('clamps a timestamp far in the future to the receive time, and flags it', () => {
    const mapped = mapEvent({ ...pageView, timestamp: '2030-01-01T00:00:00Z' }, 0, facts, limits);
    expect(mapped).toMatchObject({ ok: true, clamped: true });
    if (mapped.ok)
      expect(mapped.value.envelope).toMatchObject({
        occurred_at: facts.receivedAt,
        occurred_at_clamped: true,
      });
  });

  it.each([
    [{ ...pageView, event_type: undefined }, 'events[0].event_type', 'Required field missing'],
    [
      { ...pageView, event_type: 'teleport' },
      'events[0].event_type',
      'Unknown event type; expected one of page_view, click, conversion, custom, stt_transcription_started, stt_partial_transcript, stt_transcription_completed, stt_language_detected, stt_speaker_detected, stt_speaker_changed, stt_session_started, stt_session_completed, stt_error, stt_quality_assessment, consent_decision, consent_requested',
    ],
    [{ ...pageView, event_id: 'not-a-uuid' }, 'events[0].event_id', 'Expected a UUID'],
    [
      { ...pageView, timestamp: 'yesterday' },
      'events[0].timestamp',
      'Expected an ISO 8601 time with a zone, e.g. 2025-01-15T10:29:55Z',
    ],
    [{ ...pageView, session_id: '' }, 'events[0].session_id', 'Expected a non-empty string'],
    [
      { ...pageView, properties: { title: 'x' } },
      'events[0].properties.url',
      'Required field missing',
    ],
    [{ ...pageView, properties: { url: 42 } }, 'events[0].properties.url', 'Expected a string'],
    [
      { ...pageView, properties: { url: '/a', email: 'jane@example.com' } },
      'events[0].properties.email',
      'Unknown field',
    ],
    [{ ...pageView, context: { screen: '1280x800' } }, 'events[0].context.screen', 'Unknown field'],
    [
      { ...pageView, consent: { analytics: 'yes' } },
      'events[0].consent.analytics',
      'Expected a null or a boolean',
    ],
    [
      { ...pageView, properties: { url: 'x'.repeat(101) } },
      'events[0].properties.url',
      'Too long: 101 characters, at most 100',
    ],
    [
      { ...pageView, properties: { url: { a: { b: { c: 1 } } } } },
      'events[0].properties.url',
      'Expected a string',
    ],
    ['page_view', 'events[0]', 'Expected an object'],
  ])('names the field of a bad event (%#)', (event, field, message) => {
    const mapped = mapEvent(event, 0, facts, limits);
    expect(mapped.ok).toBe(false);
    if (!mapped.ok) expect(mapped.errors).toContainEqual({ field, message });
  });
});

describe('mapEvent', () => {
  it('derives is_final of a transcript segment from its event type, and refuses a contradiction', () => {
    const segment = {
      event_id: '1d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      event_type: 'stt_partial_transcript',
      timestamp: '2025-01-15T10:29:59Z',
      session_id: 'call-9',
      properties: {
        segment_id: 's1',
        text: 'hello',
        confidence: 0.5,
        start_ms: 0,
        end_ms: 900,
        model_id: 'm',
        processing_latency_ms: 80,
        audio_duration_ms: 900,
        word_count: 1,
      },
    };
    const mapped = mapEvent(segment, 0, facts, limits);
    expect(mapped.ok && mapped.stream).toBe('stt.transcript');
    if (mapped.ok)
      expect(mapped.value.payload).toMatchObject({
        'backbone.events.stt.TranscriptSegment': { is_final: false },
      });
    const contradiction = mapEvent(
      { ...segment, properties: { ...segment.properties, is_final: true } },
      1,
      facts,
      limits,
    );
    expect(contradiction).toEqual({
      ok: false,
      errors: [
        {
          field: 'events[1].properties.is_final',
          message: 'Must be false for stt_partial_transcript',
        },
      ],
    });
  });
});

describe('requestPath', () => {
  it('turns schema paths into the sender’s field names', () => {
    expect(requestPath('events[1]', 'payload.backbone.events.web.Conversion.value')).toBe(
      'events[1].properties.value',
    );
    expect(requestPath('events[1]', 'payload')).toBe('events[1].properties');
    expect(requestPath('events[1]', 'envelope.occurred_at')).toBe('events[1].timestamp');
    expect(requestPath('events[1]', 'envelope.context.locale')).toBe('events[1].context.locale');
  });
});
