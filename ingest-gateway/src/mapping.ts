import {
  STREAMS,
  STREAM_NAMES,
  streamOf,
  validateEvent,
  type FieldError,
  type StreamEvents,
  type StreamName,
} from '@backbone/schemas';

/** What the server knows about a request; none of it is taken from the body. */
export interface RequestFacts {
  tenantId: string;
  source: string;
  receivedAt: number;
  /** Client IP (from the socket, or X-Forwarded-For behind a trusted proxy). */
  ip: string | null;
  /** Sec-GPC: 1 / DNT: 1 on the request. */
  gpc: boolean;
  dnt: boolean;
}

export interface MappingLimits {
  /** occurred_at later than received_at by more than this is clamped to received_at. */
  maxFutureSkewMs: number;
  /** Any string longer than this is refused, naming the field. */
  maxStringLength: number;
}

export type Mapped =
  | { ok: true; stream: StreamName; value: StreamEvents[StreamName]; clamped: boolean }
  | { ok: false; errors: FieldError[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const CONTEXT_FIELDS = ['user_agent', 'locale', 'timezone', 'page_url', 'referrer'] as const;
const CONSENT_FIELDS = ['analytics', 'marketing', 'functional'] as const;
const EVENT_FIELDS = new Set([
  'event_id',
  'event_type',
  'timestamp',
  'session_id',
  'anonymous_id',
  'user_id',
  'properties',
  'context',
  'consent',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function longStrings(value: unknown, path: string, max: number, out: FieldError[]): void {
  if (typeof value === 'string') {
    if (value.length > max)
      out.push({ field: path, message: `Too long: ${value.length} characters, at most ${max}` });
  } else if (Array.isArray(value))
    value.forEach((v, i) => longStrings(v, `${path}[${i}]`, max, out));
  else if (isObject(value))
    for (const [k, v] of Object.entries(value)) longStrings(v, `${path}.${k}`, max, out);
}

/** Translates a schema path (envelope.…, payload.<branch>.…) into the request's field path. */
export function requestPath(prefix: string, schemaPath: string): string {
  const payload = /^payload(?:\.backbone\.events\.[\w.]+?\.[A-Z]\w*)?(?:\.(.+))?$/.exec(schemaPath);
  if (payload) return payload[1] ? `${prefix}.properties.${payload[1]}` : `${prefix}.properties`;
  const field = schemaPath.replace(/^envelope\./, '');
  return `${prefix}.${field === 'occurred_at' ? 'timestamp' : field}`;
}

/** An optional object field of the event (`{}` when absent), its keys checked when `allowed`. */
function objectField(
  raw: Record<string, unknown>,
  name: string,
  at: string,
  allowed: readonly string[] | undefined,
  errors: FieldError[],
): Record<string, unknown> | undefined {
  const value = raw[name] ?? {};
  if (!isObject(value)) {
    errors.push({ field: `${at}.${name}`, message: 'Expected an object' });
    return undefined;
  }
  if (allowed)
    for (const key of Object.keys(value))
      if (!allowed.includes(key))
        errors.push({ field: `${at}.${name}.${key}`, message: 'Unknown field' });
  return value;
}

/** The envelope: identity and time from the event, tenant, source and network from the server. */
function envelope(
  raw: Record<string, unknown>,
  facts: RequestFacts,
  occurredAt: number,
  clamped: boolean,
  consent: Record<string, unknown>,
  context: Record<string, unknown>,
) {
  const str = (v: unknown) => (v === undefined ? null : v);
  return {
    event_id: raw.event_id as string,
    event_type: raw.event_type as string,
    occurred_at: occurredAt,
    received_at: facts.receivedAt,
    occurred_at_clamped: clamped,
    tenant_id: facts.tenantId,
    source: facts.source,
    session_id: raw.session_id as string,
    anonymous_id: str(raw.anonymous_id),
    user_id: str(raw.user_id),
    consent: {
      analytics: str(consent.analytics),
      marketing: str(consent.marketing),
      functional: str(consent.functional),
      gpc: facts.gpc,
      dnt: facts.dnt,
      anonymized: false,
    },
    context: {
      ip: facts.ip,
      user_agent: str(context.user_agent),
      locale: str(context.locale),
      timezone: str(context.timezone),
      page_url: str(context.page_url),
      referrer: str(context.referrer),
    },
  };
}

/**
 * Maps one event of a batch to its stream's value, or says what is wrong with it, each
 * error naming the field as the sender wrote it (`events[3].properties.value`).
 */
export function mapEvent(
  raw: unknown,
  index: number,
  facts: RequestFacts,
  limits: MappingLimits,
): Mapped {
  const at = `events[${index}]`;
  if (!isObject(raw)) return { ok: false, errors: [{ field: at, message: 'Expected an object' }] };
  const errors: FieldError[] = [];
  longStrings(raw, at, limits.maxStringLength, errors);
  for (const key of Object.keys(raw))
    if (!EVENT_FIELDS.has(key)) errors.push({ field: `${at}.${key}`, message: 'Unknown field' });

  const eventType = raw.event_type;
  const stream = typeof eventType === 'string' ? streamOf(eventType) : undefined;
  if (eventType === undefined)
    errors.push({ field: `${at}.event_type`, message: 'Required field missing' });
  else if (!stream)
    // The value is not echoed: whatever a client put there goes no further, not even into a reply.
    errors.push({
      field: `${at}.event_type`,
      message: `Unknown event type; expected one of ${STREAM_NAMES.flatMap((s) => Object.keys(STREAMS[s].eventTypes)).join(', ')}`,
    });
  if (typeof raw.event_id !== 'string' || !UUID.test(raw.event_id)) {
    errors.push({
      field: `${at}.event_id`,
      message: raw.event_id === undefined ? 'Required field missing' : 'Expected a UUID',
    });
  }
  if (typeof raw.session_id !== 'string' || raw.session_id.length === 0) {
    errors.push({
      field: `${at}.session_id`,
      message:
        raw.session_id === undefined ? 'Required field missing' : 'Expected a non-empty string',
    });
  }
  const time =
    typeof raw.timestamp === 'string' && ISO_TIME.test(raw.timestamp)
      ? Date.parse(raw.timestamp)
      : NaN;
  if (Number.isNaN(time)) {
    errors.push({
      field: `${at}.timestamp`,
      message:
        raw.timestamp === undefined
          ? 'Required field missing'
          : 'Expected an ISO 8601 time with a zone, e.g. 2025-01-15T10:29:55Z',
    });
  }
  const properties = objectField(raw, 'properties', at, undefined, errors);
  const context = objectField(raw, 'context', at, CONTEXT_FIELDS, errors);
  const consent = objectField(raw, 'consent', at, CONSENT_FIELDS, errors);
  if (errors.length > 0 || !stream || !properties || !context || !consent)
    return { ok: false, errors };

  const clamped = time > facts.receivedAt + limits.maxFutureSkewMs;
  const branch = (STREAMS[stream].eventTypes as Record<string, string>)[
    eventType as string
  ] as string;
  const payload: Record<string, unknown> = { ...properties };
  // A transcript segment's finality follows from its event type when the sender omits it.
  if (branch === 'backbone.events.stt.TranscriptSegment' && payload.is_final === undefined) {
    payload.is_final = eventType === 'stt_transcription_completed';
  }
  const value = {
    envelope: envelope(raw, facts, clamped ? facts.receivedAt : time, clamped, consent, context),
    payload: { [branch]: payload },
  };
  const invalid = validateEvent(stream, value);
  if (invalid.length > 0) {
    return {
      ok: false,
      errors: invalid.map((e) => ({ field: requestPath(at, e.field), message: e.message })),
    };
  }
  if (
    branch === 'backbone.events.stt.TranscriptSegment' &&
    payload.is_final !== (eventType === 'stt_transcription_completed')
  ) {
    return {
      ok: false,
      errors: [
        {
          field: `${at}.properties.is_final`,
          message: `Must be ${String(eventType === 'stt_transcription_completed')} for ${String(eventType)}`,
        },
      ],
    };
  }
  return { ok: true, stream, value: value as unknown as StreamEvents[StreamName], clamped };
}
