import { randomUUID } from 'node:crypto';
import type { Envelope, StreamEvents } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';

export const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36';
export const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1';
export const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
export const GB_IP = '81.2.69.160';
export const US_IP = '8.8.8.8';

/** The STT session's model and language. */
const model = { model_id: 'whisper-large', language: 'en' };

/** Envelopes of the data set: `at` seconds after `base`, from a GB desktop unless told. */
function envelopes(base: number, tenant: string) {
  return (
    eventType: string,
    at: number,
    session: string,
    over: Partial<Envelope> & { ua?: string; ip?: string; url?: string; ref?: string | null },
  ): Envelope => {
    const { ua, ip, url, ref, ...rest } = over;
    return sampleEnvelope(eventType, {
      event_id: randomUUID(),
      occurred_at: base + at * 1000,
      received_at: base + at * 1000 + 50,
      tenant_id: tenant,
      source: 'test',
      session_id: session,
      anonymous_id: null,
      context: {
        ip: ip ?? GB_IP,
        user_agent: ua ?? CHROME,
        locale: 'en-GB',
        timezone: 'Europe/London',
        page_url: url ?? null,
        referrer: ref ?? null,
      },
      ...rest,
    });
  };
}
type Env = ReturnType<typeof envelopes>;

/** Three web sessions of two visitors, a bot, a client retry and another tenant's visit. */
function webSessions(env: Env, sessions: { s1: string; s2: string; s3: string }) {
  const page = (
    at: number,
    session: string,
    url: string,
    over: Parameters<typeof env>[3],
  ): StreamEvents['web'] => ({
    envelope: env('page_view', at, session, { url, ...over }),
    payload: { 'backbone.events.web.PageView': { url, title: 'A page' } },
  });

  const v1 = { anonymous_id: 'visitor-1' };
  const v2 = { anonymous_id: 'visitor-2', ua: IPHONE, ip: US_IP };
  const s1Home = page(0, sessions.s1, 'https://shop.example/home', {
    ...v1,
    ref: 'https://www.google.com/',
  });
  const web: StreamEvents['web'][] = [
    s1Home,
    page(30, sessions.s1, 'https://shop.example/pricing', {
      ...v1,
      ref: 'https://shop.example/home',
    }),
    {
      envelope: env('click', 40, sessions.s1, { ...v1, url: 'https://shop.example/pricing' }),
      payload: { 'backbone.events.web.Click': { element: 'button#buy', target: null } },
    },
    {
      envelope: env('conversion', 60, sessions.s1, { ...v1, url: 'https://shop.example/pricing' }),
      payload: {
        'backbone.events.web.Conversion': { order_id: 'order-1', value: 49.5, currency: 'EUR' },
      },
    },
    page(
      120,
      sessions.s2,
      'https://shop.example/home?utm_source=news&utm_medium=email&utm_campaign=spring',
      v2,
    ),
    page(200, sessions.s3, 'https://shop.example/pricing', v1),
  ];
  const bot = page(210, randomUUID(), 'https://shop.example/home', { ua: GOOGLEBOT });
  // The SDK re-sent s1's first page view: same event_id, another record.
  const retry = structuredClone(s1Home);
  const otherTenant = page(220, randomUUID(), 'https://other.example/', {
    tenant_id: 'other-tenant',
    anonymous_id: 'visitor-9',
  });
  return { web, bot, retry, otherTenant };
}

/** One STT session's envelopes and transcript segments, `at` seconds into its minute. */
function sttParts(env: Env, id: string) {
  const t = (eventType: string, at: number) => env(eventType, 300 + at, id, { anonymous_id: null });
  const segment = (
    eventType: 'stt_partial_transcript' | 'stt_transcription_completed',
    at: number,
    s: {
      id: string;
      speaker: string;
      start: number;
      end: number;
      words: number;
      confidence: number;
      latency: number;
      text: string;
    },
  ): StreamEvents['stt.transcript'] => ({
    envelope: t(eventType, at),
    payload: {
      'backbone.events.stt.TranscriptSegment': {
        segment_id: s.id,
        text: s.text,
        is_final: eventType === 'stt_transcription_completed',
        confidence: s.confidence,
        start_ms: s.start,
        end_ms: s.end,
        language: 'en',
        speaker_id: s.speaker,
        speaker_label: `Dr ${s.speaker}`,
        model_id: model.model_id,
        processing_latency_ms: s.latency,
        audio_duration_ms: s.end - s.start,
        word_count: s.words,
      },
    },
  });
  return { t, segment };
}

/** One STT session with two speakers: its transcript and speaker events. */
function sttTalk(env: Env, id: string) {
  const { t, segment } = sttParts(env, id);
  const transcript: StreamEvents['stt.transcript'][] = [
    {
      envelope: t('stt_transcription_started', 1),
      payload: { 'backbone.events.stt.TranscriptionStarted': model },
    },
    segment('stt_partial_transcript', 2, {
      id: 'seg-1',
      speaker: 'spk-a',
      start: 0,
      end: 1000,
      words: 2,
      confidence: 0.5,
      latency: 100,
      text: 'hello doctor',
    }),
    segment('stt_transcription_completed', 5, {
      id: 'seg-1',
      speaker: 'spk-a',
      start: 0,
      end: 4000,
      words: 5,
      confidence: 0.9,
      latency: 200,
      text: 'hello doctor my email is',
    }),
    segment('stt_transcription_completed', 11, {
      id: 'seg-2',
      speaker: 'spk-b',
      start: 4000,
      end: 10000,
      words: 7,
      confidence: 0.8,
      latency: 300,
      text: 'patient.zero@example.com and my number is 555 0100 2000',
    }),
    {
      envelope: t('stt_language_detected', 3),
      payload: { 'backbone.events.stt.LanguageDetected': { language: 'en', confidence: 0.97 } },
    },
  ];
  const speaker: StreamEvents['stt.speaker'][] = [
    {
      envelope: t('stt_speaker_detected', 2),
      payload: {
        'backbone.events.stt.SpeakerDetected': {
          speaker_id: 'spk-a',
          speaker_label: 'Dr A',
          offset_ms: 0,
          confidence: 0.9,
        },
      },
    },
    {
      envelope: t('stt_speaker_changed', 6),
      payload: {
        'backbone.events.stt.SpeakerChanged': {
          from_speaker_id: 'spk-a',
          to_speaker_id: 'spk-b',
          offset_ms: 4000,
          confidence: 0.8,
        },
      },
    },
  ];
  return { transcript, speaker };
}

/** The same STT session's lifecycle: started, quality, an error it survived, completed. */
function sttLifecycle(env: Env, id: string) {
  const { t } = sttParts(env, id);
  const session: StreamEvents['stt.session'][] = [
    {
      envelope: t('stt_session_started', 0),
      payload: {
        'backbone.events.stt.SessionStarted': {
          ...model,
          diarization: true,
          sample_rate_hz: 16000,
          bit_depth: 16,
          channels: 1,
        },
      },
    },
    {
      envelope: t('stt_error', 8),
      payload: {
        'backbone.events.stt.SessionError': {
          code: 'AUDIO_DROPOUT',
          message: 'no audio for 2 s',
          retriable: true,
          ...model,
        },
      },
    },
    {
      envelope: t('stt_quality_assessment', 12),
      payload: {
        'backbone.events.stt.QualityAssessment': {
          avg_confidence: 0.85,
          processing_latency_ms: 250,
          real_time_factor: 0.05,
          word_accuracy: null,
          language_confidence: 0.97,
          noise_level_db: -40,
          speech_ratio: 0.7,
          clipping_detected: false,
          sample_rate_hz: 16000,
          bit_depth: 16,
        },
      },
    },
    {
      envelope: t('stt_session_completed', 15),
      payload: {
        'backbone.events.stt.SessionCompleted': {
          duration_ms: 60_000,
          word_count: 12,
          speaker_count: 2,
          status: 'completed',
        },
      },
    },
  ];
  return session;
}

/**
 * A small, hand-countable data set: three web sessions of two visitors (plus a bot, a client
 * retry and another tenant's visit), and one STT session with two speakers. The expected
 * numbers in pipeline.integration.test.ts are counted from here by hand.
 */
export function eventSet(options: { base?: number; tenant?: string } = {}) {
  // The start of the previous hour: every web event in one hour bucket, STT in one minute.
  const base = options.base ?? Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const tenant = options.tenant ?? 'acme';
  const sessions = { s1: randomUUID(), s2: randomUUID(), s3: randomUUID(), t1: randomUUID() };
  const env = envelopes(base, tenant);
  return {
    base,
    tenant,
    sessions,
    ...webSessions(env, sessions),
    ...sttTalk(env, sessions.t1),
    session: sttLifecycle(env, sessions.t1),
  };
}

/** `n` page views of `sessions` sessions, a second apart from an hour ago. */
export function pageViews(
  n: number,
  options: { sessions?: number; base?: number; tenant?: string } = {},
): StreamEvents['web'][] {
  const sessions = Array.from({ length: options.sessions ?? 40 }, () => randomUUID());
  const base = options.base ?? Date.now() - 3_600_000;
  return Array.from({ length: n }, (_, i) => ({
    envelope: sampleEnvelope('page_view', {
      event_id: randomUUID(),
      session_id: sessions[i % sessions.length]!,
      occurred_at: base + i * 1000,
      received_at: base + i * 1000,
      tenant_id: options.tenant ?? 'acme',
      context: { ...sampleEnvelope('page_view').context, user_agent: CHROME },
    }),
    payload: {
      'backbone.events.web.PageView': { url: `https://shop.example/p/${i % 7}`, title: null },
    },
  }));
}

/** `n` consent decisions of `people` persons (anonymous ids `person-0…`), alternating analytics. */
export function consentDecisions(
  n: number,
  options: { people?: number; base?: number; tenant?: string } = {},
): StreamEvents['consent'][] {
  const people = options.people ?? 10;
  const base = options.base ?? Date.now() - 3_600_000;
  return Array.from({ length: n }, (_, i) => ({
    envelope: sampleEnvelope('consent_decision', {
      event_id: randomUUID(),
      session_id: randomUUID(),
      anonymous_id: `person-${i % people}`,
      occurred_at: base + i * 1000,
      received_at: base + i * 1000,
      tenant_id: options.tenant ?? 'acme',
      context: { ...sampleEnvelope('consent_decision').context, user_agent: CHROME },
    }),
    payload: {
      'backbone.events.consent.ConsentDecision': {
        analytics: Math.floor(i / people) % 2 === 0,
        marketing: null,
        functional: true,
        text_version: 'v3',
        text_sha256: null,
        method: 'banner',
      },
    },
  }));
}

/** One final transcript segment of tenant acme saying `text`, from a desktop browser. */
export function spokenSegment(
  text: string,
  envelope: Partial<Envelope> = {},
  i = 0,
): StreamEvents['stt.transcript'] {
  return {
    envelope: sampleEnvelope('stt_transcription_completed', {
      event_id: randomUUID(),
      session_id: randomUUID(),
      tenant_id: 'acme',
      user_id: null,
      anonymous_id: null,
      context: { ...sampleEnvelope('stt_session_started').context, user_agent: CHROME },
      ...envelope,
    }),
    payload: {
      'backbone.events.stt.TranscriptSegment': {
        segment_id: `seg-${i}`,
        text,
        is_final: true,
        confidence: 0.9,
        start_ms: i * 1000,
        end_ms: i * 1000 + 900,
        language: 'en',
        speaker_id: 'spk-1',
        speaker_label: null,
        model_id: 'whisper-large',
        processing_latency_ms: 120,
        audio_duration_ms: 900,
        word_count: text.split(' ').length,
      },
    },
  };
}
