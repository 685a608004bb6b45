/**
 * The streams: their topics, how they are partitioned and kept, and which event types
 * they carry. The local stack creates the topics from here; the gateway routes by it.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export interface StreamDefinition {
  /** Full name of the stream's raw record in avro/ (raw.* topics). */
  record: string;
  /** The .avsc file that defines it. */
  file: string;
  /** Full name of the enriched, masked record (events.* topics), and its file. */
  enrichedRecord: string;
  enrichedFile: string;
  partitions: number;
  /** event_type → the payload branch (record full name) that carries it. */
  eventTypes: Record<string, string>;
}

export const STREAMS = {
  web: {
    record: 'backbone.events.web.WebEvent',
    file: 'web.avsc',
    enrichedRecord: 'backbone.events.web.EnrichedWebEvent',
    enrichedFile: 'web.enriched.avsc',
    partitions: 6,
    eventTypes: {
      page_view: 'backbone.events.web.PageView',
      click: 'backbone.events.web.Click',
      conversion: 'backbone.events.web.Conversion',
      custom: 'backbone.events.web.CustomEvent',
    },
  },
  'stt.transcript': {
    record: 'backbone.events.stt.TranscriptEvent',
    file: 'stt-transcript.avsc',
    enrichedRecord: 'backbone.events.stt.EnrichedTranscriptEvent',
    enrichedFile: 'stt-transcript.enriched.avsc',
    partitions: 3,
    eventTypes: {
      stt_transcription_started: 'backbone.events.stt.TranscriptionStarted',
      stt_partial_transcript: 'backbone.events.stt.TranscriptSegment',
      stt_transcription_completed: 'backbone.events.stt.TranscriptSegment',
      stt_language_detected: 'backbone.events.stt.LanguageDetected',
    },
  },
  'stt.speaker': {
    record: 'backbone.events.stt.SpeakerEvent',
    file: 'stt-speaker.avsc',
    enrichedRecord: 'backbone.events.stt.EnrichedSpeakerEvent',
    enrichedFile: 'stt-speaker.enriched.avsc',
    partitions: 3,
    eventTypes: {
      stt_speaker_detected: 'backbone.events.stt.SpeakerDetected',
      stt_speaker_changed: 'backbone.events.stt.SpeakerChanged',
    },
  },
  'stt.session': {
    record: 'backbone.events.stt.SessionEvent',
    file: 'stt-session.avsc',
    enrichedRecord: 'backbone.events.stt.EnrichedSessionEvent',
    enrichedFile: 'stt-session.enriched.avsc',
    partitions: 3,
    eventTypes: {
      stt_session_started: 'backbone.events.stt.SessionStarted',
      stt_session_completed: 'backbone.events.stt.SessionCompleted',
      stt_error: 'backbone.events.stt.SessionError',
      stt_quality_assessment: 'backbone.events.stt.QualityAssessment',
    },
  },
  /**
   * Consent decisions, recorded through the gateway's /api/v1/consent: a stream of their own,
   * so the record does not depend on the analytics consent it records (docs/privacy.md).
   */
  consent: {
    record: 'backbone.events.consent.ConsentEvent',
    file: 'consent.avsc',
    enrichedRecord: 'backbone.events.consent.EnrichedConsentEvent',
    enrichedFile: 'consent.enriched.avsc',
    partitions: 3,
    eventTypes: {
      consent_decision: 'backbone.events.consent.ConsentDecision',
      consent_requested: 'backbone.events.consent.ConsentRequested',
    },
  },
} as const satisfies Record<string, StreamDefinition>;

export type StreamName = keyof typeof STREAMS;
export const STREAM_NAMES = Object.keys(STREAMS) as StreamName[];

/**
 * raw: as received, may hold personal data, kept 7 days (the shortest class; docs/privacy.md).
 * events: after enrich and masking, the replayable event store, kept 2 years (class low).
 * dlq: what could not be decoded or validated, with reason headers; raw data, so 7 days.
 */
export const TOPIC_KINDS = {
  raw: { retentionMs: 7 * DAY_MS },
  events: { retentionMs: 730 * DAY_MS },
  dlq: { retentionMs: 7 * DAY_MS },
} as const;
export type TopicKind = keyof typeof TOPIC_KINDS;
/** Topic kinds whose values have a schema (dead letters keep the bytes they could not read). */
export type SchemaKind = Exclude<TopicKind, 'dlq'>;
export const SCHEMA_KINDS: readonly SchemaKind[] = ['raw', 'events'];

export function topicName(kind: TopicKind, stream: StreamName): string {
  return `${kind}.${stream}.v1`;
}

/** Confluent TopicNameStrategy: the value schema of a topic lives under `<topic>-value`. */
export function valueSubject(kind: TopicKind, stream: StreamName): string {
  return `${topicName(kind, stream)}-value`;
}

export interface TopicSpec {
  topic: string;
  stream: StreamName;
  kind: TopicKind;
  partitions: number;
  /** Copies of each partition: three where the cluster has three brokers or more. */
  replicationFactor: number;
  config: Record<string, string>;
}

/**
 * Partition counts by stream from `TOPIC_PARTITIONS` (`web=12,stt.transcript=6`): what a
 * deployment sets for its rate (docs/operations.md § Capacity); the catalog's own for the
 * others. A name that is not a stream, or a count that is not a whole number from 1 to
 * 10000, is an error naming it.
 */
export function partitionsFromEnv(value: string | undefined): Partial<Record<StreamName, number>> {
  const out: Partial<Record<StreamName, number>> = {};
  for (const part of (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, count] = part.split('=').map((p) => p.trim());
    if (!name || !(STREAM_NAMES as readonly string[]).includes(name))
      throw new Error(`TOPIC_PARTITIONS: "${name}" is not a stream (${STREAM_NAMES.join(', ')})`);
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      throw new Error(
        `TOPIC_PARTITIONS: ${name}=${count ?? ''} is not a whole number from 1 to 10000`,
      );
    out[name as StreamName] = n;
  }
  return out;
}

/**
 * Every topic of the catalog with its configuration, its partitions as given by stream (the
 * catalog's otherwise). Records are keyed by session id.
 */
/**
 * What a cluster of `brokers` keeps: three copies of every record where there are three
 * brokers or more, and an acknowledged write on two of them, so one broker may fail without
 * losing or refusing an accepted event. One broker: one copy.
 */
export function replicationFor(brokers: number): { replicationFactor: number; minInsync: number } {
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInsync: replicationFactor >= 3 ? 2 : 1 };
}

export function topicSpecs(
  partitions: Partial<Record<StreamName, number>> = {},
  brokers = 1,
): TopicSpec[] {
  const { replicationFactor, minInsync } = replicationFor(brokers);
  return STREAM_NAMES.flatMap((stream) =>
    (Object.keys(TOPIC_KINDS) as TopicKind[]).map((kind) => ({
      topic: topicName(kind, stream),
      stream,
      kind,
      partitions: partitions[stream] ?? STREAMS[stream].partitions,
      replicationFactor,
      config: {
        'retention.ms': String(TOPIC_KINDS[kind].retentionMs),
        'cleanup.policy': 'delete',
        // Accepted (acks=all) means on this many in-sync replicas at least.
        'min.insync.replicas': String(minInsync),
      },
    })),
  );
}

/** The stream that carries an event type, or undefined for an unknown type. */
export function streamOf(eventType: string): StreamName | undefined {
  return STREAM_NAMES.find((stream) => eventType in STREAMS[stream].eventTypes);
}
