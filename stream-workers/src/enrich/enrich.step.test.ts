import { describe, expect, it } from 'vitest';
import type { StreamEvents } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';
import { enrichEvent, type EnrichContext, type TextPolicy } from './enrich.step.js';
import { pseudonymize, tokenize } from './mask.js';
import {
  decryptText,
  encryptedTextKind,
  subjectHash,
  subjectToken,
  textAad,
} from '../subjects/crypto.js';
import { MemorySubjectKeys } from '../subjects/memory.js';

const keys = { hashKey: 'hash-key', tokenKey: 'token-key' };
const subjects = new MemorySubjectKeys();
const keyOf = (kind: 'user' | 'anonymous', id: string, tenant = 'acme') =>
  subjects.keyOf(subjects.ref(tenant, kind, id))!;
const context = (policy: TextPolicy = 'drop'): EnrichContext => ({
  keys,
  subjects,
  geo: (ip) =>
    ip === '81.2.69.160' ? { country: 'GB', region: 'England' } : { country: null, region: null },
  textPolicy: () => policy,
  now: () => 1_736_937_005_000,
});

const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36';

function envelope(
  eventType: string,
  overrides: Partial<StreamEvents['web']['envelope']> = {},
): StreamEvents['web']['envelope'] {
  return sampleEnvelope(eventType, {
    event_id: '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
    source: 'web',
    session_id: 'sess-1',
    anonymous_id: 'device-42',
    user_id: 'jane@example.com',
    context: {
      ip: '81.2.69.160',
      user_agent: CHROME,
      locale: 'en-GB',
      timezone: 'Europe/London',
      page_url:
        'https://Shop.Example/checkout?email=jane@example.com&utm_source=news&utm_medium=email#pay',
      referrer: 'https://www.google.com/search?q=jane+doe',
    },
    ...overrides,
  });
}

const pageView: StreamEvents['web'] = {
  envelope: envelope('page_view'),
  payload: { 'backbone.events.web.PageView': { url: '/checkout', title: 'Checkout' } },
};

const segment = (text: string): StreamEvents['stt.transcript'] => ({
  envelope: {
    ...envelope('stt_transcription_completed'),
    context: {
      ip: null,
      user_agent: null,
      locale: null,
      timezone: null,
      page_url: null,
      referrer: null,
    },
  },
  payload: {
    'backbone.events.stt.TranscriptSegment': {
      segment_id: 'seg-1',
      text,
      is_final: true,
      confidence: 0.5,
      start_ms: 0,
      end_ms: 900,
      language: 'en',
      speaker_id: 'spk_0',
      speaker_label: 'Dr. Jane Smith',
      model_id: 'm',
      processing_latency_ms: 80,
      audio_duration_ms: 900,
      word_count: 9,
    },
  },
});

describe('enrichEvent (raw.* → events.*)', () => {
  it('derives device, geo, page and source, and masks the envelope by class', () => {
    const result = enrichEvent('web', pageView, context());
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    const { value, report } = result.value;
    expect(value.enrichment).toMatchObject({
      device_type: 'desktop',
      browser: 'Chrome',
      browser_major: '120',
      os: 'Windows',
      is_bot: false,
      country: 'GB',
      region: 'England',
      page_host: 'shop.example',
      page_path: '/checkout',
      utm_source: 'news',
      utm_medium: 'email',
      referrer_host: 'www.google.com',
      traffic_source: 'news',
      traffic_medium: 'email',
      text_policy: null,
      redactions: 0,
      enriched_at: 1_736_937_005_000,
    });
    expect(value.envelope).toMatchObject({
      session_id: tokenize('sess-1', keys, 'acme'),
      // The subject's ids: tokens of their own keys; the IP hashed with the user's key.
      anonymous_id: subjectToken(keyOf('anonymous', 'device-42'), 'anonymous'),
      user_id: subjectToken(keyOf('user', 'jane@example.com'), 'user'),
      context: {
        ip: subjectHash(keyOf('user', 'jane@example.com'), 'envelope.context.ip', '81.2.69.160'),
        user_agent: null,
        page_url: 'https://shop.example/checkout',
        referrer: null,
        locale: 'en-GB',
      },
    });
    // anonymous_id and the IP hashed; user_id and session_id tokenized.
    expect(report.masked).toEqual({ medium: 2, high: 2, critical: 0 });
  });

  it('drops events from bots', () => {
    const bot = {
      ...pageView,
      envelope: envelope('page_view', {
        context: {
          ...pageView.envelope.context,
          user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
        },
      }),
    };
    expect(enrichEvent('web', bot, context())).toEqual({ kind: 'drop', reason: 'bot' });
  });

  it('drops transcript text by default, keeping the word count', () => {
    const result = enrichEvent(
      'stt.transcript',
      segment('my number is 415 555 0100'),
      context('drop'),
    );
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.value.value.payload).toMatchObject({
      'backbone.events.stt.TranscriptSegment': {
        text: null,
        word_count: 9,
        speaker_label: tokenize('Dr. Jane Smith', keys, 'acme'),
      },
    });
    expect(result.value.value.enrichment).toMatchObject({ text_policy: 'drop', redactions: 0 });
  });

  it('keeps redacted transcript text for tenants whose policy is redact', () => {
    const result = enrichEvent(
      'stt.transcript',
      segment('email jane@example.com or call 415 555 0100, card 4111 1111 1111 1111'),
      context('redact'),
    );
    if (result.kind !== 'ok') throw new Error(result.kind);
    const { envelope: out, payload } = result.value.value;
    // Encrypted with the user's key: readable with it, and with nothing else.
    const text = (payload as Record<string, { text: string }>)[
      'backbone.events.stt.TranscriptSegment'
    ]!.text;
    expect(encryptedTextKind(text)).toBe('user');
    expect(text).not.toContain('[EMAIL]');
    const key = subjects.keyOf(subjects.ref('acme', 'user', 'jane@example.com'))!;
    expect(decryptText(key, textAad(out.tenant_id, out.event_id), text)).toBe(
      'email [EMAIL] or call [PHONE], card [CARD]',
    );
    const visitor = subjects.keyOf(subjects.ref('acme', 'anonymous', 'device-42'))!;
    expect(() => decryptText(visitor, textAad(out.tenant_id, out.event_id), text)).toThrow(
      /does not authenticate/,
    );
    expect(() => decryptText(key, textAad(out.tenant_id, 'another-event'), text)).toThrow(
      /does not authenticate/,
    );
    expect(result.value.value.enrichment).toMatchObject({ text_policy: 'redact', redactions: 3 });
  });

  it('keeps redacted text of a segment that names no one in clear (there is no key to erase)', () => {
    const raw = segment('call 415 555 0100');
    raw.envelope = { ...raw.envelope, user_id: null, anonymous_id: null };
    const result = enrichEvent('stt.transcript', raw, context('redact'));
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.value.value.payload).toMatchObject({
      'backbone.events.stt.TranscriptSegment': { text: 'call [PHONE]' },
    });
  });
});

describe('enrichEvent (raw.* → events.*)', () => {
  it('lets no canary in an identifying field, a user agent or a URL query reach events.*', () => {
    const canary = 'CANARY7Q';
    const raw: StreamEvents['web'] = {
      envelope: envelope('conversion', {
        anonymous_id: canary,
        user_id: canary,
        context: {
          ip: `${canary}`,
          user_agent: `${CHROME} ${canary}`,
          locale: 'en',
          timezone: 'UTC',
          page_url: `https://shop.example/buy?who=${canary}#${canary}`,
          referrer: `https://partner.example/${canary}?q=${canary}`,
        },
      }),
      payload: {
        'backbone.events.web.Conversion': { order_id: canary, value: 10, currency: 'EUR' },
      },
    };
    const result = enrichEvent('web', raw, context());
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(JSON.stringify(result.value.value)).not.toContain(canary);
  });

  it("takes a page view's own URL when the context has none, without its query", () => {
    const raw: StreamEvents['web'] = {
      envelope: envelope('page_view', {
        context: { ...envelope('page_view').context, page_url: null, referrer: null },
      }),
      payload: {
        'backbone.events.web.PageView': {
          url: 'https://shop.example/users/jane@example.com/orders?token=abc&utm_source=ads',
          title: 'Orders of jane@example.com, call +44 20 7946 0958',
        },
      },
    };
    const result = enrichEvent('web', raw, context());
    if (result.kind !== 'ok') throw new Error(result.kind);
    const { value } = result.value;
    expect(value.payload).toEqual({
      'backbone.events.web.PageView': {
        url: 'https://shop.example/users/[EMAIL]/orders',
        title: 'Orders of [EMAIL], call [PHONE]',
      },
    });
    expect(value.enrichment).toMatchObject({
      page_host: 'shop.example',
      page_path: '/users/[EMAIL]/orders',
      utm_source: 'ads',
      traffic_source: 'ads',
      redactions: 1,
    });
  });

  it.each([
    ['a custom property', { name: 'signup', properties: { email: 'jo@example.org', plan: 'pro' } }],
  ])('redacts personal data typed into %s', (_what, custom) => {
    const raw: StreamEvents['web'] = {
      envelope: envelope('custom'),
      payload: { 'backbone.events.web.CustomEvent': custom },
    };
    const result = enrichEvent('web', raw, context());
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.value.value.payload).toEqual({
      'backbone.events.web.CustomEvent': {
        name: 'signup',
        properties: { email: '[EMAIL]', plan: 'pro' },
      },
    });
  });

  it('writes identifiers as tenant tokens, not redacted text: joins are kept, values gone', () => {
    const raw: StreamEvents['stt.speaker'] = {
      envelope: { ...envelope('stt_speaker_changed'), session_id: '1234567890' },
      payload: {
        'backbone.events.stt.SpeakerChanged': {
          from_speaker_id: '5550001234',
          to_speaker_id: 'spk-2',
          offset_ms: 1000,
          confidence: 0.9,
        },
      },
    };
    const result = enrichEvent('stt.speaker', raw, context());
    if (result.kind !== 'ok') throw new Error(result.kind);
    expect(result.value.value.envelope.session_id).toBe(tokenize('1234567890', keys, 'acme'));
    expect(result.value.value.payload).toMatchObject({
      'backbone.events.stt.SpeakerChanged': {
        from_speaker_id: tokenize('5550001234', keys, 'acme'),
        to_speaker_id: tokenize('spk-2', keys, 'acme'),
      },
    });
  });
});

describe("enrich: the subject's own keys", () => {
  it('leaves nothing that a tenant key could recompute: the same ids under a new key are unrelated', () => {
    const result = enrichEvent('web', pageView, context());
    if (result.kind !== 'ok') throw new Error(result.kind);
    const { envelope: masked } = result.value.value;
    expect(masked.user_id).toMatch(/^t_[0-9a-f]{32}$/);
    expect(masked.anonymous_id).toMatch(/^h_[0-9a-f]{32}$/);
    expect(masked.user_id).not.toBe(tokenize('jane@example.com', keys, 'acme'));
    expect(masked.context.ip).not.toBe(pseudonymize('81.2.69.160', keys, 'acme'));
    // Another tenant's Jane is another subject with another key.
    const other = enrichEvent(
      'web',
      { ...pageView, envelope: { ...pageView.envelope, tenant_id: 'globex' } },
      context(),
    );
    if (other.kind !== 'ok') throw new Error(other.kind);
    expect(other.value.value.envelope.user_id).not.toBe(masked.user_id);
  });

  it('drops the events of a subject whose key was shredded: nothing may stand for them', async () => {
    const erased = new MemorySubjectKeys();
    const at = Date.now();
    erased.erase(erased.ref('acme', 'user', 'jane@example.com'), at);
    const ctx = { ...context(), subjects: erased };
    expect(enrichEvent('web', pageView, ctx, at - 1)).toEqual({ kind: 'drop', reason: 'erased' });
    // Jane comes back: a new key; a record taken before the erasure is still dropped.
    await erased.prepare([
      {
        ref: erased.ref('acme', 'user', 'jane@example.com'),
        tenant: 'acme',
        kind: 'user',
        at: at + 1,
      },
    ]);
    expect(enrichEvent('web', pageView, ctx, at + 1).kind).toBe('ok');
    expect(enrichEvent('web', pageView, ctx, at - 1)).toEqual({ kind: 'drop', reason: 'erased' });
    // Without a user id, the anonymous visitor's key alone owns the IP.
    const anonymous = { ...pageView, envelope: { ...pageView.envelope, user_id: null } };
    const result = enrichEvent('web', anonymous, ctx, at - 1);
    if (result.kind !== 'ok') throw new Error(result.kind);
    const device = erased.keyOf(erased.ref('acme', 'anonymous', 'device-42'))!;
    expect(result.value.value.envelope.context.ip).toBe(
      subjectHash(device, 'envelope.context.ip', '81.2.69.160'),
    );
  });
});
