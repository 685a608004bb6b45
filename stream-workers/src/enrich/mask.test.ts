import { describe, expect, it } from 'vitest';
import { streamType, type StreamEvents } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';
import { maskEvent, maskingRules, pseudonymize, tokenize } from './mask.js';
import { newSubjectKey, subjectHash, subjectToken } from '../subjects/crypto.js';

const keys = { hashKey: 'salt-for-tests', tokenKey: 'token-key-for-tests' };
const jane = { user: newSubjectKey(), anonymous: newSubjectKey() };

const conversion: StreamEvents['web'] = {
  envelope: sampleEnvelope('conversion', {
    event_id: '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
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
  it('derives its rules from the schema: every field above low, and every identifier', () => {
    const rules = maskingRules('stt.transcript').map((r) => `${r.segments.join('.')}:${r.action}`);
    expect(rules).toContain('envelope.context.ip:hash');
    expect(rules).toContain('envelope.anonymous_id:hash');
    expect(rules).toContain('envelope.user_id:token');
    expect(rules).toContain('envelope.session_id:token');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.text:drop');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.speaker_label:token');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.segment_id:token');
    expect(rules).toContain('payload.backbone.events.stt.TranscriptSegment.speaker_id:token');
    expect(rules.some((r) => r.includes('model_id') || r.includes('confidence'))).toBe(false);
  });

  it('hashes medium fields, tokenizes identifiers and high ones, keeps codes as they are', () => {
    const { value, report } = maskEvent('web', conversion, keys, jane);
    const linked = (path: string, v: string) => subjectHash(jane.user, path, v);
    expect(value.envelope).toMatchObject({
      // The subject's ids from its keys; what is linked to it hashed with the user's key.
      anonymous_id: subjectToken(jane.anonymous, 'anonymous'),
      user_id: subjectToken(jane.user, 'user'),
      session_id: tokenize('sess-1', keys, 'acme'),
      context: {
        ip: linked('envelope.context.ip', '203.0.113.7'),
        user_agent: linked('envelope.context.user_agent', 'Mozilla/5.0 (X11)'),
        locale: 'en-US',
        page_url: '/checkout',
      },
    });
    expect(value.payload).toEqual({
      'backbone.events.web.Conversion': {
        order_id: linked('payload.backbone.events.web.Conversion.order_id', 'ORD-2025-0042'),
        value: 99.5,
        currency: 'EUR',
      },
    });
    expect(report.masked).toEqual({ medium: 4, high: 2, critical: 0 });
    expect(conversion.envelope.user_id).toBe('jane@example.com');
  });

  it('writes no id of a subject without a key, and hashes linked values of an event without a subject per tenant', () => {
    const { value } = maskEvent('web', conversion, keys, { anonymous: jane.anonymous });
    expect(value.envelope.user_id).toBeNull();
    expect(value.envelope.context.ip).toBe(
      subjectHash(jane.anonymous, 'envelope.context.ip', '203.0.113.7'),
    );
    const nobody = {
      ...conversion,
      envelope: { ...conversion.envelope, user_id: null, anonymous_id: null },
    };
    expect(maskEvent('web', nobody, keys).value.envelope.context.ip).toBe(
      pseudonymize('203.0.113.7', keys, 'acme'),
    );
  });

  it('gives the same input the same token within a tenant (joins work) and unrelated ones across tenants', () => {
    expect(pseudonymize('device-123', keys, 'acme')).toBe(pseudonymize('device-123', keys, 'acme'));
    expect(pseudonymize('device-123', keys, 'acme')).not.toBe(
      pseudonymize('device-123', keys, 'globex'),
    );
    expect(tokenize('sess-1', keys, 'acme')).not.toBe(tokenize('sess-1', keys, 'globex'));
    expect(pseudonymize('device-123', keys, 'acme')).not.toBe(
      pseudonymize('device-123', { ...keys, hashKey: 'other-salt-for-tests' }, 'acme'),
    );
    expect(tokenize('x', keys, 'acme')).toMatch(/^t_[0-9a-f]{32}$/);
    // The tenant is part of the key, not of the input: "ac" + "me…" cannot collide with "acme".
    expect(tokenize('mex', keys, 'ac')).not.toBe(tokenize('x', keys, 'acme'));
  });

  it('masks the same event differently under two tenants, so their data cannot be linked', () => {
    const other = { ...conversion, envelope: { ...conversion.envelope, tenant_id: 'globex' } };
    const a = maskEvent('web', conversion, keys, jane).value.envelope;
    const globex = { user: newSubjectKey(), anonymous: newSubjectKey() };
    const b = maskEvent('web', other, keys, globex).value.envelope;
    for (const field of ['session_id', 'anonymous_id', 'user_id'] as const)
      expect(a[field]).not.toBe(b[field]);
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
    ) as StreamEvents['web'];
    const { value } = maskEvent('web', decoded, {
      hashKey: 'h'.repeat(16),
      tokenKey: 't'.repeat(16),
    });
    expect(type.isValid(value, { noUndeclaredFields: true })).toBe(true);
  });
});
