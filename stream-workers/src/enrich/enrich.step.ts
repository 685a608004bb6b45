import {
  type EnrichedStreamEvents,
  type Enrichment,
  type StreamEvents,
  type StreamName,
  isIpAddress,
  validateEvent,
} from '@backbone/schemas';
import { memoize } from '@backbone/runtime';
import { dlq, drop, ok, type StepResult } from '../step.js';
import { backstop } from './backstop.js';
import type { GeoInfo } from './geo.js';
import type { SubjectId, SubjectKeys } from '../subjects/store.js';
import { encryptText, textAad } from '../subjects/crypto.js';
import { maskEvent, type EventSubjects, type MaskKeys } from './mask.js';
import { redactText } from './redact.js';
import { classifySource } from './referrer.js';
import { redactFreeText } from './free-text.js';
import { parsePageUrl, safeHost, type ParsedUrl } from './url.js';
import { parseUserAgent } from './user-agent.js';

/** How a tenant wants transcript text handled: `drop` is the default (docs/privacy.md). */
export type TextPolicy = 'drop' | 'redact';

export interface EnrichContext {
  keys: MaskKeys;
  /** Each subject's key (prepared for the batch by the worker before its steps). */
  subjects: SubjectKeys;
  geo: (ip: string | null) => GeoInfo;
  textPolicy: (tenantId: string) => TextPolicy;
  now: () => number;
}

export interface EnrichReport {
  masked: { medium: number; high: number; critical: number };
  redactions: number;
  /** Fields where the last scan found personal data that no earlier step had removed. */
  backstop: string[];
}

// Referrers repeat: each is parsed once.
const referrerHost = memoize((url: string): string | null => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? safeHost(u.host) : null;
  } catch {
    return null;
  }
}, 20_000);
const hostOf = (url: string | null) => (url ? referrerHost(url) : null);

const SEGMENT = 'backbone.events.stt.TranscriptSegment';
const PAGE_VIEW = 'backbone.events.web.PageView';

const reducedUrl = (page: ParsedUrl) => `${page.host ? `https://${page.host}` : ''}${page.path}`;

/** A traffic source is a known label, a host (never an IP address) or a redacted UTM value. */
function trafficSource(referrer: string | null, page: ParsedUrl) {
  const source = classifySource(referrer, page);
  if (isIpAddress(source.source.replace(/^\[|\]$/g, '')))
    return { source: '(ip address)', medium: source.medium };
  return { source: redactText(source.source).text, medium: redactText(source.medium).text };
}

type Envelope = StreamEvents[StreamName]['envelope'];

/** The subjects a raw event is about (for `SubjectKeys.prepare`), received at `at`. */
export function subjectIds(
  envelope: Envelope,
  keys: SubjectKeys,
  at: number,
): (SubjectId & { at: number })[] {
  const out: (SubjectId & { at: number })[] = [];
  const tenant = envelope.tenant_id;
  if (envelope.user_id != null)
    out.push({ ref: keys.ref(tenant, 'user', envelope.user_id), tenant, kind: 'user', at });
  if (envelope.anonymous_id != null)
    out.push({
      ref: keys.ref(tenant, 'anonymous', envelope.anonymous_id),
      tenant,
      kind: 'anonymous',
      at,
    });
  return out;
}

/**
 * The keys of the event's subjects, or undefined when one of them was erased after this
 * record arrived (or has no key): nothing may stand for it any more, whatever key the
 * subject got when it came back.
 */
function subjectsOf(envelope: Envelope, ctx: EnrichContext, receivedAt: number) {
  const subjects: EventSubjects = {};
  const ids = { user: envelope.user_id, anonymous: envelope.anonymous_id };
  for (const kind of ['user', 'anonymous'] as const) {
    const id = ids[kind];
    if (id === null || id === undefined) continue;
    const ref = ctx.subjects.ref(envelope.tenant_id, kind, id);
    const erased = ctx.subjects.erasedAt(ref);
    if (erased !== undefined && receivedAt <= erased) return undefined;
    const key = ctx.subjects.keyOf(ref);
    if (!key) return undefined;
    subjects[kind] = key;
  }
  return subjects;
}

/** Text that survives redaction, encrypted with the user's key, else the visitor's; clear without either. */
function sealed(
  text: string,
  subjects: EventSubjects,
  envelope: { tenant_id: string; event_id: string },
): string {
  const kind = subjects.user ? 'user' : subjects.anonymous ? 'anonymous' : undefined;
  if (!kind) return text;
  return encryptText(subjects[kind]!, kind, textAad(envelope.tenant_id, envelope.event_id), text);
}

/**
 * raw.* → events.*: derives device, geo, page and traffic source, applies the tenant's
 * transcript policy, masks every field by its privacy class and value contract, and scans
 * what remains. Bots, and records of subjects erased before they arrived, are dropped; a value that does not fit the enriched schema goes to the
 * DLQ rather than downstream.
 */
export function enrichEvent<S extends StreamName>(
  stream: S,
  raw: StreamEvents[S],
  ctx: EnrichContext,
  /** When the gateway took the record (its Kafka timestamp); now by default. */
  receivedAt = ctx.now(),
): StepResult<{ value: EnrichedStreamEvents[S]; report: EnrichReport }> {
  const { envelope } = raw;
  const device = parseUserAgent(envelope.context.user_agent);
  if (device.is_bot) return drop('bot');
  const subjects = subjectsOf(envelope, ctx, receivedAt);
  if (!subjects) return drop('erased');

  const pageView = (raw.payload as Record<string, { url?: string }>)[PAGE_VIEW];
  // The page: the context's URL, or a page view's own (the collector API sends it in properties.url).
  const pageUrl = envelope.context.page_url ?? pageView?.url ?? null;
  const page = pageUrl ? parsePageUrl(pageUrl) : null;
  const source = stream === 'web' && page ? trafficSource(envelope.context.referrer, page) : null;
  const geo = ctx.geo(envelope.context.ip);

  // Transcript text: dropped, or redacted by tenant policy, before the class-based masking
  // (which would drop it as `critical`) sees it.
  let textPolicy: TextPolicy | null = null;
  let redactions = 0;
  let redactedText: string | null = null;
  const segment = (raw.payload as Record<string, { text: string | null }>)[SEGMENT];
  if (segment) {
    textPolicy = ctx.textPolicy(envelope.tenant_id);
    if (textPolicy === 'redact' && segment.text !== null) {
      const redacted = redactText(segment.text);
      redactions = Object.values(redacted.counts).reduce((a, b) => a + b, 0);
      redactedText = redacted.text;
    }
  }

  const prepared = {
    envelope: {
      ...envelope,
      // Reduced to device fields; the full string helps fingerprinting and is not kept.
      context: {
        ...envelope.context,
        user_agent: null,
        page_url: envelope.context.page_url && page ? reducedUrl(page) : null,
        referrer: null,
      },
    },
    payload: raw.payload,
  } as StreamEvents[S];
  const { value: masked, report } = maskEvent(stream, prepared, ctx.keys, subjects);
  const kept = (masked.payload as Record<string, { text: string | null }>)[SEGMENT];
  const branch = Object.values(
    masked.payload as unknown as Record<string, Record<string, unknown>>,
  )[0];
  // A page view's URL is the page's, reduced once (its redactions are the page path's).
  if (branch && pageView && page) branch.url = reducedUrl(page);
  const freeText = redactFreeText(stream, masked);

  // Fields named one by one: spreading the memoized device object cost ~25 µs per event
  // (V8's slow path for spreads), more than every other step together.
  const enrichment: Enrichment = {
    device_type: device.device_type,
    browser: device.browser,
    browser_major: device.browser_major,
    os: device.os,
    os_major: device.os_major,
    is_bot: device.is_bot,
    country: geo.country,
    region: geo.region,
    page_host: page?.host ?? null,
    page_path: page?.path ?? null,
    utm_source: page?.utm.source ?? null,
    utm_medium: page?.utm.medium ?? null,
    utm_campaign: page?.utm.campaign ?? null,
    utm_term: page?.utm.term ?? null,
    utm_content: page?.utm.content ?? null,
    referrer_host: hostOf(envelope.context.referrer),
    traffic_source: source?.source ?? null,
    traffic_medium: source?.medium ?? null,
    text_policy: textPolicy,
    redactions: redactions + freeText,
    enriched_at: ctx.now(),
  };
  const value = { ...masked, enrichment } as unknown as EnrichedStreamEvents[S];
  const hits = backstop(stream, value, ctx.keys);
  if (redactedText !== null)
    // Redacted text is allowed through: put back after the mask dropped the critical field,
    // encrypted with its subject's key where it has one, bound to the event as it leaves
    // (docs/privacy.md#erasure).
    kept!.text = sealed(redactedText, subjects, value.envelope);
  const errors = validateEvent(stream, value, 'events');
  if (errors.length > 0)
    return dlq(
      `the enriched event does not fit its schema: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    );
  return ok({
    value,
    report: { masked: report.masked, redactions: redactions + freeText, backstop: hits },
  });
}
