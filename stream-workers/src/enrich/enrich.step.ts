import type { EnrichedStreamEvents, Enrichment, StreamEvents, StreamName } from '@backbone/schemas';
import { validateEvent } from '@backbone/schemas';
import { dlq, drop, ok, type StepResult } from '../step.js';
import type { GeoInfo } from './geo.js';
import { maskEvent, type MaskKeys } from './mask.js';
import { redactText } from './redact.js';
import { classifySource } from './referrer.js';
import { redactFreeText } from './free-text.js';
import { parsePageUrl, type ParsedUrl } from './url.js';
import { parseUserAgent } from './user-agent.js';

/** How a tenant wants transcript text handled: REFERENCE R3 makes `drop` the default. */
export type TextPolicy = 'drop' | 'redact';

export interface EnrichContext {
  keys: MaskKeys;
  geo: (ip: string | null) => GeoInfo;
  textPolicy: (tenantId: string) => TextPolicy;
  now: () => number;
}

export interface EnrichReport {
  masked: { medium: number; high: number; critical: number };
  redactions: number;
}

const originOf = (url: string | null): string | null => {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host.toLowerCase() : null;
  } catch {
    return null;
  }
};

const SEGMENT = 'backbone.events.stt.TranscriptSegment';
const PAGE_VIEW = 'backbone.events.web.PageView';

const reducedUrl = (page: ParsedUrl) => `${page.host ? `https://${page.host}` : ''}${page.path}`;

/**
 * raw.* → events.*: derives device, geo, page and traffic source, applies the tenant's
 * transcript policy, then masks every field by its privacy class. Bots are dropped; a
 * value that does not fit the enriched schema goes to the DLQ rather than downstream.
 */
export function enrichEvent<S extends StreamName>(
  stream: S,
  raw: StreamEvents[S],
  ctx: EnrichContext,
): StepResult<{ value: EnrichedStreamEvents[S]; report: EnrichReport }> {
  const { envelope } = raw;
  const device = parseUserAgent(envelope.context.user_agent);
  if (device.is_bot) return drop('bot');

  const pageView = (raw.payload as Record<string, { url?: string }>)[PAGE_VIEW];
  // The page: the context's URL, or a page view's own (R1 sends it in properties.url).
  const pageUrl = envelope.context.page_url ?? pageView?.url ?? null;
  const parsed = pageUrl ? parsePageUrl(pageUrl) : null;
  // A path can carry an email or an account number too (/users/jane@example.com/orders/123456).
  const page = parsed ? { ...parsed, path: redactText(parsed.path).text } : null;
  const source = stream === 'web' && page ? classifySource(envelope.context.referrer, page) : null;
  const geo = ctx.geo(envelope.context.ip);

  // Transcript text: dropped, or redacted by tenant policy, before the class-based masking
  // (which would drop it as `critical`) sees it.
  let payload: unknown = raw.payload;
  let textPolicy: TextPolicy | null = null;
  let redactions = 0;
  const segment = (raw.payload as Record<string, { text: string | null }>)[SEGMENT];
  if (segment) {
    textPolicy = ctx.textPolicy(envelope.tenant_id);
    const redacted =
      textPolicy === 'redact' && segment.text !== null ? redactText(segment.text) : null;
    if (redacted) redactions = Object.values(redacted.counts).reduce((a, b) => a + b, 0);
    payload = { [SEGMENT]: { ...segment, text: redacted?.text ?? null } };
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
    payload,
  } as StreamEvents[S];
  const { value: masked, report } = maskEvent(stream, prepared, ctx.keys);
  if (segment && textPolicy === 'redact') {
    // Redacted text is allowed through: put it back after the mask dropped the critical field.
    (masked.payload as Record<string, { text: string | null }>)[SEGMENT]!.text = (
      prepared.payload as Record<string, { text: string | null }>
    )[SEGMENT]!.text;
  }

  const branch = Object.values(
    masked.payload as unknown as Record<string, Record<string, unknown>>,
  )[0];
  if (branch && pageView && page) branch.url = reducedUrl(page);
  const freeText = branch ? redactFreeText(stream, branch) : 0;

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
    referrer_host: originOf(envelope.context.referrer),
    traffic_source: source?.source ?? null,
    traffic_medium: source?.medium ?? null,
    text_policy: textPolicy,
    redactions: redactions + freeText,
    enriched_at: ctx.now(),
  };
  const value = { ...masked, enrichment } as unknown as EnrichedStreamEvents[S];
  const errors = validateEvent(stream, value, 'events');
  if (errors.length > 0)
    return dlq(
      `the enriched event does not fit its schema: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    );
  return ok({ value, report: { masked: report.masked, redactions: redactions + freeText } });
}
