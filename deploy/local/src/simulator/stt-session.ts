import type { TimedEvent } from './events.js';
import {
  CLIENT_IPS,
  LANGUAGES,
  MODELS,
  PHRASES,
  PHRASES_WITH_PII,
  STT_ERRORS,
} from './profiles.js';
import { clamp, type Random } from './random.js';

type Model = (typeof MODELS)[number][0];
type Language = (typeof LANGUAGES)[number][0];

/**
 * One transcript segment's draws (duration, latency, confidence, text) and its partial or
 * final form, starting `audio` ms into the session.
 */
function drawSegment(
  rng: Random,
  at: { model: Model; language: Language; id: string; audio: number; speaker: string | null },
) {
  const { model, language, audio } = at;
  const duration = Math.round(clamp(rng.logNormal(3200, 0.4), 800, 12_000));
  const latency = Math.round(
    clamp(rng.logNormal(model.latencyMs[0], model.latencyMs[1]), 20, 5000),
  );
  const confidence = clamp(
    rng.normal(model.confidence[0] - language.penalty, model.confidence[1]),
    0.3,
    0.995,
  );
  const text = rng.chance(0.1) ? rng.pick(PHRASES_WITH_PII) : rng.pick(PHRASES);
  const count = Math.max(1, Math.round((duration / 1000) * 2.4));
  const segment = (final: boolean) => ({
    segment_id: at.id,
    text: final ? text : text.split(' ').slice(0, 4).join(' '),
    is_final: final,
    confidence: final ? confidence : clamp(confidence - 0.1, 0.2, 0.99),
    start_ms: audio,
    end_ms: final ? audio + duration : audio + Math.round(duration / 2),
    language: language.code,
    speaker_id: at.speaker,
    speaker_label: null,
    model_id: model.id,
    processing_latency_ms: final ? latency : Math.round(latency / 2),
    audio_duration_ms: final ? duration : Math.round(duration / 2),
    word_count: final ? count : Math.ceil(count / 2),
  });
  return { duration, latency, confidence, count, segment };
}

/**
 * One speech-to-text session as a transcription service reports it: started, language
 * detected, speakers detected and changing, partial and final segments with confidence,
 * latency and timing drawn per model and language, a quality assessment, and completed —
 * or, now and then, an error that ends it. Some segments carry personal data.
 */
export function sttSession(rng: Random): TimedEvent[] {
  const session = rng.uuid();
  const model = rng.weighted(MODELS);
  const language = rng.weighted(LANGUAGES);
  const diarization = rng.chance(0.7);
  const speakers = diarization ? rng.int(1, 3) : 1;
  const ip = `${rng.weighted(CLIENT_IPS).ip}${rng.int(2, 250)}`;
  const events: TimedEvent[] = [];
  const add = (at: number, type: string, properties: Record<string, unknown>) =>
    events.push({
      at: Math.round(at),
      ip,
      event: { event_id: rng.uuid(), event_type: type, session_id: session, properties },
    });

  add(0, 'stt_session_started', {
    model_id: model.id,
    language: language.code,
    diarization,
    sample_rate_hz: rng.pick([16000, 16000, 8000, 48000]),
    bit_depth: 16,
    channels: 1,
  });
  add(200, 'stt_transcription_started', { model_id: model.id, language: language.code });
  add(900, 'stt_language_detected', {
    language: language.code,
    confidence: clamp(rng.normal(0.95 - language.penalty, 0.03), 0.5, 0.999),
  });

  const segments = rng.int(6, 24);
  const failAt = rng.chance(model.errorRate) ? rng.int(1, segments - 1) : -1;
  const seen = new Set<string>();
  let speaker = 'spk-1';
  let audio = 0;
  let words = 0;
  const confidences: number[] = [];
  const latencies: number[] = [];
  for (let i = 0; i < segments; i++) {
    if (i > 0 && speakers > 1 && rng.chance(0.45)) {
      const next = `spk-${rng.int(1, speakers)}`;
      if (next !== speaker) {
        add(audio, 'stt_speaker_changed', {
          from_speaker_id: speaker,
          to_speaker_id: next,
          offset_ms: audio,
          confidence: clamp(rng.normal(0.88, 0.06), 0.4, 0.99),
        });
        speaker = next;
      }
    }
    if (diarization && !seen.has(speaker)) {
      seen.add(speaker);
      add(audio, 'stt_speaker_detected', {
        speaker_id: speaker,
        speaker_label: null,
        offset_ms: audio,
        confidence: clamp(rng.normal(0.9, 0.05), 0.4, 0.99),
      });
    }
    const { duration, latency, confidence, count, segment } = drawSegment(rng, {
      model,
      language,
      id: `${session.slice(0, 8)}-${i}`,
      audio,
      speaker: diarization ? speaker : null,
    });
    add(audio + duration / 2 + latency / 2, 'stt_partial_transcript', segment(false));
    add(audio + duration + latency, 'stt_transcription_completed', segment(true));
    confidences.push(confidence);
    latencies.push(latency);
    audio += duration + rng.int(100, 1500);
    words += count;
    if (i === failAt) {
      const error = rng.weighted(STT_ERRORS);
      add(audio + 300, 'stt_error', { ...error, model_id: model.id, language: language.code });
      add(audio + 400, 'stt_session_completed', {
        duration_ms: audio,
        word_count: words,
        speaker_count: seen.size || 1,
        status: 'failed',
      });
      return events;
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  add(audio + 500, 'stt_quality_assessment', {
    avg_confidence: mean(confidences),
    processing_latency_ms: Math.round(mean(latencies)),
    real_time_factor: clamp(rng.logNormal(model.rtf[0], model.rtf[1]), 0.01, 2),
    word_accuracy: null,
    language_confidence: clamp(rng.normal(0.95 - language.penalty, 0.03), 0.5, 0.999),
    noise_level_db: Math.round(rng.normal(-42, 6)),
    speech_ratio: clamp(rng.normal(0.7, 0.1), 0.2, 0.98),
    clipping_detected: rng.chance(0.05),
    sample_rate_hz: null,
    bit_depth: null,
  });
  add(audio + 600, 'stt_session_completed', {
    duration_ms: audio,
    word_count: words,
    speaker_count: seen.size || 1,
    status: 'completed',
  });
  return events;
}
