// Generated from schemas/avro/*.avsc by `npm run generate -w @backbone/schemas`. Do not edit.

/** Consent Mode v2 decisions as the sender knew them; null means not stated. (backbone.events.Consent) */
export interface Consent {
  /** privacy: none */
  analytics: null | boolean;
  /** privacy: none */
  marketing: null | boolean;
  /** privacy: none */
  functional: null | boolean;
  /** privacy: none. The request carried Sec-GPC: 1 (Global Privacy Control). */
  gpc: boolean;
  /** privacy: none. The request carried DNT: 1. */
  dnt: boolean;
  /** privacy: none. The gateway stripped identifiers for lack of consent. */
  anonymized: boolean;
}

/** event_type consent_decision: true granted, false refused or withdrawn, null not part of this decision. (backbone.events.consent.ConsentDecision) */
export interface ConsentDecision {
  /** privacy: none */
  analytics: null | boolean;
  /** privacy: none */
  marketing: null | boolean;
  /** privacy: none */
  functional: null | boolean;
  /** privacy: none, contract: code. The version of the consent text the person saw, as the site names it. */
  text_version: null | string;
  /** privacy: none, contract: code. SHA-256 (hex) of the exact consent text the person saw; the gateway computes it when sent the text. */
  text_sha256: null | string;
  /** privacy: none, contract: code. How the decision was made: banner, settings, api, gpc, import … (a code the site chooses). */
  method: string;
}

/** Stream consent: the record of a person's consent decisions (docs/privacy.md#consent-records). Its own stream, so the log does not depend on the analytics consent it records. (backbone.events.consent.ConsentEvent) */
export interface ConsentEvent {
  /** privacy: none */
  envelope: Envelope;
  /** privacy: none */
  payload: { 'backbone.events.consent.ConsentDecision': ConsentDecision } | { 'backbone.events.consent.ConsentRequested': ConsentRequested };
}

/** event_type consent_requested: the consent text was put to the person (a banner shown), so a decision can be matched to what was asked and consent rates measured. (backbone.events.consent.ConsentRequested) */
export interface ConsentRequested {
  /** privacy: none, contract: code */
  text_version: null | string;
  /** privacy: none, contract: code */
  text_sha256: null | string;
  /** privacy: none, contract: code */
  method: string;
}

/** The event store's form of consent decisions (events.* topics): the subject's ids tokenized with the subject's key, the client IP a keyed hash, the full user agent gone. (backbone.events.consent.EnrichedConsentEvent) */
export interface EnrichedConsentEvent {
  /** privacy: none. Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed. */
  envelope: Envelope;
  /** privacy: none */
  enrichment: Enrichment;
  /** privacy: none. As received. */
  payload: { 'backbone.events.consent.ConsentDecision': ConsentDecision } | { 'backbone.events.consent.ConsentRequested': ConsentRequested };
}

/** backbone.events.Context */
export interface Context {
  /** privacy: medium, contract: ip. Client IP (trusted proxies only); only raw.* topics hold it. */
  ip: null | string;
  /** privacy: medium, contract: free_text. Full user agent; reduced to device, browser and OS downstream. */
  user_agent: null | string;
  /** privacy: low, contract: locale */
  locale: null | string;
  /** privacy: low, contract: timezone */
  timezone: null | string;
  /** privacy: low, contract: url. Page the event happened on; query strings are cut to UTM parameters downstream. */
  page_url: null | string;
  /** privacy: low, contract: url */
  referrer: null | string;
}

/** What the enrich worker derived from the raw event before masking it. Nothing here identifies a person. (backbone.events.Enrichment) */
export interface Enrichment {
  /** privacy: none, contract: label. desktop, mobile, tablet, tv, console, wearable, bot or other. */
  device_type: string;
  /** privacy: none, contract: label. Browser name, or (unknown). */
  browser: string;
  /** privacy: none, contract: label. Major version only: full versions help fingerprinting. */
  browser_major: string;
  /** privacy: none, contract: label */
  os: string;
  /** privacy: none, contract: label */
  os_major: string;
  /** privacy: none */
  is_bot: boolean;
  /** privacy: low, contract: country. ISO 3166-1 alpha-2, from the truncated IP. */
  country: null | string;
  /** privacy: low, contract: label. Subdivision (state, region), from the truncated IP. */
  region: null | string;
  /** privacy: low, contract: host */
  page_host: null | string;
  /** privacy: low, contract: free_text. Path only: query strings and fragments are dropped. */
  page_path: null | string;
  /** privacy: low, contract: free_text */
  utm_source: null | string;
  /** privacy: low, contract: free_text */
  utm_medium: null | string;
  /** privacy: low, contract: free_text */
  utm_campaign: null | string;
  /** privacy: low, contract: free_text */
  utm_term: null | string;
  /** privacy: low, contract: free_text */
  utm_content: null | string;
  /** privacy: low, contract: host. Host of the referrer; its path and query are dropped. */
  referrer_host: null | string;
  /** privacy: low, contract: free_text. UTM source, search engine, social network, referring host, (internal) or (direct). */
  traffic_source: null | string;
  /** privacy: low, contract: free_text. UTM medium, organic, social, referral or (none). */
  traffic_medium: null | string;
  /** privacy: none, contract: code. For transcripts: drop (text removed) or redact (personal data replaced). */
  text_policy: null | string;
  /** privacy: none. Personal data items replaced in transcript text. */
  redactions: number;
  /** privacy: none */
  enriched_at: number;
}

/** What every event carries, whatever its stream. received_at, tenant_id and source are set by the server, never by the sender. (backbone.events.Envelope) */
export interface Envelope {
  /** privacy: none, contract: uuid. UUID chosen by the sender; retries keep it, so it deduplicates. */
  event_id: string;
  /** privacy: none, contract: code */
  event_type: string;
  /** privacy: none. When it happened, by the sender's clock (clamped if far in the future). */
  occurred_at: number;
  /** privacy: none. When the gateway accepted it. */
  received_at: number;
  /** privacy: none. occurred_at lay too far in the future and was set to received_at. */
  occurred_at_clamped: boolean;
  /** privacy: none, contract: code. The customer organisation, from the API key. */
  tenant_id: string;
  /** privacy: none, contract: code. The sending application, from the API key. */
  source: string;
  /** privacy: low, contract: identifier. Random session UUID; also the Kafka record key. */
  session_id: string;
  /** privacy: medium, contract: identifier. Device identifier (already hashed by the sender); stripped without analytics consent. */
  anonymous_id: null | string;
  /** privacy: high, contract: identifier. The sender's user id; tokenized downstream, stripped without consent. */
  user_id: null | string;
  /** privacy: none */
  consent: Consent;
  /** privacy: none */
  context: Context;
}

/** The event store's form of stt-session events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone. (backbone.events.stt.EnrichedSessionEvent) */
export interface EnrichedSessionEvent {
  /** privacy: none. Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed. */
  envelope: Envelope;
  /** privacy: none */
  enrichment: Enrichment;
  /** privacy: none. As received, masked by class (critical fields dropped unless a policy redacted them). */
  payload: { 'backbone.events.stt.SessionStarted': SessionStarted } | { 'backbone.events.stt.SessionCompleted': SessionCompleted } | { 'backbone.events.stt.SessionError': SessionError } | { 'backbone.events.stt.QualityAssessment': QualityAssessment };
}

/** The event store's form of stt-speaker events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone. (backbone.events.stt.EnrichedSpeakerEvent) */
export interface EnrichedSpeakerEvent {
  /** privacy: none. Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed. */
  envelope: Envelope;
  /** privacy: none */
  enrichment: Enrichment;
  /** privacy: none. As received, masked by class (critical fields dropped unless a policy redacted them). */
  payload: { 'backbone.events.stt.SpeakerDetected': SpeakerDetected } | { 'backbone.events.stt.SpeakerChanged': SpeakerChanged };
}

/** The event store's form of stt-transcript events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone. (backbone.events.stt.EnrichedTranscriptEvent) */
export interface EnrichedTranscriptEvent {
  /** privacy: none. Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed. */
  envelope: Envelope;
  /** privacy: none */
  enrichment: Enrichment;
  /** privacy: none. As received, masked by class (critical fields dropped unless a policy redacted them). */
  payload: { 'backbone.events.stt.TranscriptionStarted': TranscriptionStarted } | { 'backbone.events.stt.TranscriptSegment': TranscriptSegment } | { 'backbone.events.stt.LanguageDetected': LanguageDetected };
}

/** event_type stt_language_detected (backbone.events.stt.LanguageDetected) */
export interface LanguageDetected {
  /** privacy: none, contract: locale */
  language: string;
  /** privacy: none */
  confidence: number;
}

/** event_type stt_quality_assessment (backbone.events.stt.QualityAssessment) */
export interface QualityAssessment {
  /** privacy: none */
  avg_confidence: number;
  /** privacy: none */
  processing_latency_ms: number;
  /** privacy: none. Processing time / audio duration. */
  real_time_factor: number;
  /** privacy: none */
  word_accuracy: null | number;
  /** privacy: none */
  language_confidence: null | number;
  /** privacy: none */
  noise_level_db: null | number;
  /** privacy: none. Speech to silence, 0 to 1. */
  speech_ratio: null | number;
  /** privacy: none */
  clipping_detected: null | boolean;
  /** privacy: none */
  sample_rate_hz: null | number;
  /** privacy: none */
  bit_depth: null | number;
}

/** event_type stt_session_completed (backbone.events.stt.SessionCompleted) */
export interface SessionCompleted {
  /** privacy: none */
  duration_ms: number;
  /** privacy: none */
  word_count: number;
  /** privacy: none */
  speaker_count: number;
  /** privacy: none */
  status: SessionStatus;
}

/** event_type stt_error (backbone.events.stt.SessionError) */
export interface SessionError {
  /** privacy: none, contract: code */
  code: string;
  /** privacy: low, contract: free_text. Technical message; never echo audio or transcript content here. */
  message: string;
  /** privacy: none */
  retriable: boolean;
  /** privacy: none, contract: code. The model that failed, when known: error rates by model and language. */
  model_id: null | string;
  /** privacy: none, contract: locale */
  language: null | string;
}

/** Stream stt.session: the lifecycle and quality of a speech-to-text session. (backbone.events.stt.SessionEvent) */
export interface SessionEvent {
  /** privacy: none */
  envelope: Envelope;
  /** privacy: none */
  payload: { 'backbone.events.stt.SessionStarted': SessionStarted } | { 'backbone.events.stt.SessionCompleted': SessionCompleted } | { 'backbone.events.stt.SessionError': SessionError } | { 'backbone.events.stt.QualityAssessment': QualityAssessment };
}

/** event_type stt_session_started (backbone.events.stt.SessionStarted) */
export interface SessionStarted {
  /** privacy: none, contract: code */
  model_id: string;
  /** privacy: none, contract: locale */
  language: null | string;
  /** privacy: none */
  diarization: boolean;
  /** privacy: none */
  sample_rate_hz: number;
  /** privacy: none */
  bit_depth: number;
  /** privacy: none */
  channels: number;
}

/** backbone.events.stt.SessionStatus */
export type SessionStatus = 'completed' | 'cancelled' | 'failed' | 'timeout';

/** event_type stt_speaker_changed (backbone.events.stt.SpeakerChanged) */
export interface SpeakerChanged {
  /** privacy: low, contract: identifier */
  from_speaker_id: null | string;
  /** privacy: low, contract: identifier */
  to_speaker_id: string;
  /** privacy: none */
  offset_ms: number;
  /** privacy: none */
  confidence: number;
}

/** event_type stt_speaker_detected (backbone.events.stt.SpeakerDetected) */
export interface SpeakerDetected {
  /** privacy: low, contract: identifier */
  speaker_id: string;
  /** privacy: high, contract: identifier */
  speaker_label: null | string;
  /** privacy: none */
  offset_ms: number;
  /** privacy: none */
  confidence: number;
}

/** Stream stt.speaker: diarization, a speaker detected or a change of speaker. (backbone.events.stt.SpeakerEvent) */
export interface SpeakerEvent {
  /** privacy: none */
  envelope: Envelope;
  /** privacy: none */
  payload: { 'backbone.events.stt.SpeakerDetected': SpeakerDetected } | { 'backbone.events.stt.SpeakerChanged': SpeakerChanged };
}

/** Stream stt.transcript: transcription progress and segments. Segment text is the most sensitive data we carry: dropped downstream by default, or redacted by tenant policy. (backbone.events.stt.TranscriptEvent) */
export interface TranscriptEvent {
  /** privacy: none */
  envelope: Envelope;
  /** privacy: none */
  payload: { 'backbone.events.stt.TranscriptionStarted': TranscriptionStarted } | { 'backbone.events.stt.TranscriptSegment': TranscriptSegment } | { 'backbone.events.stt.LanguageDetected': LanguageDetected };
}

/** event_type stt_transcription_started (backbone.events.stt.TranscriptionStarted) */
export interface TranscriptionStarted {
  /** privacy: none, contract: code */
  model_id: string;
  /** privacy: none, contract: locale. BCP 47 tag, if known before detection. */
  language: null | string;
}

/** event_type stt_partial_transcript (is_final false) or stt_transcription_completed (is_final true) (backbone.events.stt.TranscriptSegment) */
export interface TranscriptSegment {
  /** privacy: none, contract: identifier */
  segment_id: string;
  /** privacy: critical, contract: free_text. Spoken words: may hold health data, names, numbers. */
  text: null | string;
  /** privacy: none */
  is_final: boolean;
  /** privacy: none. 0 to 1. */
  confidence: number;
  /** privacy: none. Offset of the segment in the audio. */
  start_ms: number;
  /** privacy: none */
  end_ms: number;
  /** privacy: none, contract: locale */
  language: null | string;
  /** privacy: low, contract: identifier. Diarization label such as spk_0, not a person. */
  speaker_id: null | string;
  /** privacy: high, contract: identifier. Display name for the speaker, which may be a real name. */
  speaker_label: null | string;
  /** privacy: none, contract: code */
  model_id: string;
  /** privacy: none */
  processing_latency_ms: number;
  /** privacy: none */
  audio_duration_ms: number;
  /** privacy: none. Counted by the sender, so it survives when text is dropped. */
  word_count: number;
}

/** event_type click (backbone.events.web.Click) */
export interface Click {
  /** privacy: low, contract: free_text. What was clicked: a selector or element id, never its text. */
  element: string;
  /** privacy: low, contract: url. Where it leads (href), if anywhere. */
  target: null | string;
}

/** event_type conversion (backbone.events.web.Conversion) */
export interface Conversion {
  /** privacy: medium, contract: identifier. Links to a customer record elsewhere: pseudonymized downstream. */
  order_id: string;
  /** privacy: none */
  value: number;
  /** privacy: none, contract: currency. ISO 4217 code. */
  currency: string;
}

/** event_type custom (backbone.events.web.CustomEvent) */
export interface CustomEvent {
  /** privacy: low, contract: free_text */
  name: string;
  /** privacy: low, contract: free_text. Free-form analytics properties; no personal data (values are scanned and redacted downstream). */
  properties: Record<string, string>;
}

/** The event store's form of web events (events.* topics): the raw event enriched, then masked by privacy class. Identifiers are pseudonymized or tokenized, the client IP is a keyed hash, the full user agent is gone. (backbone.events.web.EnrichedWebEvent) */
export interface EnrichedWebEvent {
  /** privacy: none. Masked: anonymous_id and context.ip pseudonymized, user_id tokenized, user_agent removed. */
  envelope: Envelope;
  /** privacy: none */
  enrichment: Enrichment;
  /** privacy: none. As received, masked by class (critical fields dropped unless a policy redacted them). */
  payload: { 'backbone.events.web.PageView': PageView } | { 'backbone.events.web.Click': Click } | { 'backbone.events.web.Conversion': Conversion } | { 'backbone.events.web.CustomEvent': CustomEvent };
}

/** event_type page_view (backbone.events.web.PageView) */
export interface PageView {
  /** privacy: low, contract: url */
  url: string;
  /** privacy: low, contract: free_text */
  title: null | string;
}

/** Stream web: page views, clicks, conversions and custom events from browsers and services. (backbone.events.web.WebEvent) */
export interface WebEvent {
  /** privacy: none */
  envelope: Envelope;
  /** privacy: none */
  payload: { 'backbone.events.web.PageView': PageView } | { 'backbone.events.web.Click': Click } | { 'backbone.events.web.Conversion': Conversion } | { 'backbone.events.web.CustomEvent': CustomEvent };
}

/** The value type of each stream's raw.* topic. */
export interface StreamEvents {
  'web': WebEvent;
  'stt.transcript': TranscriptEvent;
  'stt.speaker': SpeakerEvent;
  'stt.session': SessionEvent;
  'consent': ConsentEvent;
}

/** The value type of each stream's events.* topic (enriched and masked). */
export interface EnrichedStreamEvents {
  'web': EnrichedWebEvent;
  'stt.transcript': EnrichedTranscriptEvent;
  'stt.speaker': EnrichedSpeakerEvent;
  'stt.session': EnrichedSessionEvent;
  'consent': EnrichedConsentEvent;
}

/** The payload each event type carries. */
export interface PayloadByEventType {
  page_view: PageView;
  click: Click;
  conversion: Conversion;
  custom: CustomEvent;
  stt_transcription_started: TranscriptionStarted;
  stt_partial_transcript: TranscriptSegment;
  stt_transcription_completed: TranscriptSegment;
  stt_language_detected: LanguageDetected;
  stt_speaker_detected: SpeakerDetected;
  stt_speaker_changed: SpeakerChanged;
  stt_session_started: SessionStarted;
  stt_session_completed: SessionCompleted;
  stt_error: SessionError;
  stt_quality_assessment: QualityAssessment;
  consent_decision: ConsentDecision;
  consent_requested: ConsentRequested;
}
