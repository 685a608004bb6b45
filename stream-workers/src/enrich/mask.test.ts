import { describe, expect, it } from 'vitest';
import { streamType, type StreamEvents } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';
import { maskEvent, maskingRules, pseudonymize, tokenize } from './mask.js';

const keys = { hashKey: 'salt-for-tests', tokenKey: 'token-key-for-tests' };

const conversion: StreamEvents['web'] = {
  envelope: sampleEnvelope('conversion', {
    event_id: 'e-1',
    source: 'shop',
    session_id: 'sess-1',
    anonymous_id: 'device-123',
    user_id: 'jane@example.com',
    context: {
      ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0 (X11)',
      locale: 'en-US',
      timezone: 'UTC',
      page_url: '/checkout',
      referrer: null,
    },
  }),
  payload: {
    'backbone.events.web.Conversion': { order_id: 'ORD-2025-0042', value: 99.5, currency: 'EUR' },
  },
};

describe('masking by privacy class', () => {
  it('derives its rules from the schema: every medium, high and critical field', () => {
    const rules = maskingRules('stt.transcript').map((r) => `${r.segments.join('.')}:${r.privacy}`);
    expect(rules).toContain('envelope.context.ip:medium');
    expect(rules).toContain('envelope.user_id:high');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.text:critical');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.speaker_label:high');
    expect(rules.some((r) => r.includes('session_id') || r.includes('confidence'))).toBe(false);
  });

  it('pseudonymizes medium fields, tokenizes high ones and keeps none and low as they are', () => {
    const { value, report } = maskEvent('web', conversion, keys);
    expect(value.envelope).toMatchObject({
      anonymous_id: pseudonymize('device-123', keys),
      user_id: tokenize('jane@example.com', keys),
      session_id: 'sess-1',
      context: {
        ip: pseudonymize('203.0.113.7', keys),
        user_agent: pseudonymize('Mozilla/5.0 (X11)', keys),
        locale: 'en-US',
        page_url: '/checkout',
      },
    });
    expect(value.payload).toEqual({
      'backbone.events.web.Conversion': {
        order_id: pseudonymize('ORD-2025-0042', keys),
        value: 99.5,
        currency: 'EUR',
      },
    });
    expect(report.masked).toEqual({ medium: 4, high: 1, critical: 0 });
    expect(conversion.envelope.user_id).toBe('jane@example.com');
  });

  it('gives the same input the same pseudonym (joins work) and a different one under another key', () => {
    expect(pseudonymize('device-123', keys)).toBe(pseudonymize('device-123', keys));
    expect(pseudonymize('device-123', keys)).not.toBe(
      pseudonymize('device-123', { ...keys, hashKey: 'other' }),
    );
    expect(tokenize('x', keys)).toMatch(/^t_[0-9a-f]{32}$/);
  });

  it('drops critical fields and leaves no canary of a masked field in the output', () => {
    const canary = 'CANARY-4111-1111-1111-1111';
    const segment: StreamEvents['stt.transcript'] = {
      envelope: {
        ...conversion.envelope,
        event_type: 'stt_transcription_completed',
        anonymous_id: canary,
        user_id: canary,
        context: { ...conversion.envelope.context, ip: canary, user_agent: canary },
      },
      payload: {
        'backbone.events.stt.TranscriptSegment': {
          segment_id: 's',
          text: `my card is ${canary}`,
          is_final: true,
          confidence: 0.5,
          start_ms: 0,
          end_ms: 1,
          language: null,
          speaker_id: 'spk_0',
          speaker_label: canary,
          model_id: 'm',
          processing_latency_ms: 1,
          audio_duration_ms: 1,
          word_count: 4,
        },
      },
    };
    const { value, report } = maskEvent('stt.transcript', segment, keys);
    expect(JSON.stringify(value)).not.toContain('CANARY');
    expect(value.payload).toMatchObject({
      'backbone.events.stt.TranscriptSegment': { text: null, word_count: 4 },
    });
    expect(report.masked.critical).toBe(1);
  });
});

describe('maskEvent on decoded Avro records', () => {
  it('copies own fields only (decoded records have enumerable methods on their prototype)', () => {
    const type = streamType('web');
    const decoded = type.fromBuffer(
      type.toBuffer({
        envelope: sampleEnvelope('page_view'),
        payload: { 'backbone.events.web.PageView': { url: '/', title: null } },
      }),
    ) as Record<string, unknown>;
    const { value } = maskEvent('web', decoded, {
      hashKey: 'h'.repeat(16),
      tokenKey: 't'.repeat(16),
    });
    expect(type.isValid(value, { noUndeclaredFields: true })).toBe(true);
  });
});
