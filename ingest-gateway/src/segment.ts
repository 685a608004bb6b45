import { createHash } from 'node:crypto';
import type { FieldError } from '@backbone/schemas';

/**
 * Segment's HTTP Tracking API, translated into the gateway's own events (docs/segment.md).
 * Pure: the route (segment.route.ts) authenticates, sizes and hands the result to the same
 * batch acceptance as `POST /v1/events`, so consent, validation, masking and exactly-once
 * are those of every other event.
 */

/** Segment's limits: 32 KB per message, 500 KB per batch request. */
export const SEGMENT_MAX_MESSAGE_BYTES = 32 * 1024;
export const SEGMENT_MAX_BATCH_BYTES = 500 * 1024;

/** The calls the gateway takes, and those it refuses (they carry traits: see docs/segment.md). */
export const SEGMENT_ACCEPTED = ['track', 'page', 'screen'] as const;
export const SEGMENT_REFUSED = ['identify', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_ACCEPTED)[number] | (typeof SEGMENT_REFUSED)[number];

/** Track events that are conversions (Segment's e-commerce spec), compared case-insensitively. */
const CONVERSIONS = new Set(['order completed']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : undefined;

/**
 * The event id for a Segment messageId: the id itself when it is a UUID, otherwise a UUID
 * derived from it (SHA-256, version 8), so a retried message gets the same event id and is
 * dropped as a retry like any other.
 */
export function eventIdOf(messageId: string): string {
  if (UUID.test(messageId)) return messageId.toLowerCase();
  const h = createHash('sha256').update(`segment:${messageId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The write key: HTTP Basic's user name (Segment's way), else `writeKey` in the body. */
export function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (basic) {
    const user = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
    if (user) return user;
  }
  return isObject(body) && typeof body.writeKey === 'string' ? body.writeKey : undefined;
}

const time = (v: unknown): number | undefined => {
  if (typeof v !== 'string' && !(v instanceof Date)) return undefined;
  const t = Date.parse(String(v));
  return Number.isNaN(t) ? undefined : t;
};

/**
 * When the event happened, corrected for the sender's clock as Segment does: the time the
 * device gave it (`originalTimestamp`, else `timestamp`) moved by the difference between the
 * gateway's clock and the device's when it sent the batch (`sentAt`). Without `sentAt`, the
 * device's time as given; without any, the time the gateway received it.
 */
export function occurredAt(
  message: Record<string, unknown>,
  batchSentAt: unknown,
  receivedAt: number,
): number {
  const original = time(message.originalTimestamp) ?? time(message.timestamp);
  if (original === undefined) return receivedAt;
  const sentAt = time(message.sentAt) ?? time(batchSentAt);
  return sentAt === undefined ? original : original + (receivedAt - sentAt);
}

/** Consent from `context.consent.categoryPreferences` (Segment's consent object). */
function consentOf(context: Record<string, unknown>): Record<string, boolean> {
  const consent = isObject(context.consent) ? context.consent : {};
  const prefs = isObject(consent.categoryPreferences) ? consent.categoryPreferences : {};
  const out: Record<string, boolean> = {};
  const purposes: Record<string, string> = {
    analytics: 'analytics',
    statistics: 'analytics',
    advertising: 'marketing',
    marketing: 'marketing',
    targeting: 'marketing',
    functional: 'functional',
    personalization: 'functional',
  };
  for (const [category, allowed] of Object.entries(prefs)) {
    const purpose = purposes[category.toLowerCase()];
    if (purpose && typeof allowed === 'boolean') out[purpose] = out[purpose] !== false && allowed;
  }
  return out;
}

/** The page's URL with the campaign's UTM parameters it does not carry yet. */
function withCampaign(url: string | undefined, campaign: unknown): string | undefined {
  if (!url || !isObject(campaign)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  for (const [key, value] of Object.entries(campaign)) {
    const name = `utm_${key === 'name' ? 'campaign' : key}`;
    if (typeof value === 'string' && value && !parsed.searchParams.has(name))
      parsed.searchParams.set(name, value);
  }
  return parsed.toString();
}

/** Property values as the custom event's string map: numbers and booleans as text, the rest as JSON. */
function stringMap(properties: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else out[k] = JSON.stringify(v) ?? '';
  }
  return out;
}

export type Translated =
  { ok: true; event: Record<string, unknown> } | { ok: false; error: FieldError };

/**
 * One Segment message as a gateway event (`type` from the path for the single-call
 * endpoints), or the reason it is refused, naming the field (`at`: `batch[3]`, or `(body)`).
 */
export function translate(
  message: unknown,
  at: string,
  facts: { type?: SegmentType; batchSentAt?: unknown; batchContext?: unknown; receivedAt: number },
): Translated {
  const fail = (field: string, msg: string): Translated => ({
    ok: false,
    error: { field: field ? `${at}.${field}` : at, message: msg },
  });
  if (!isObject(message)) return fail('', 'Expected an object');
  const type = facts.type ?? message.type;
  if (typeof type !== 'string') return fail('type', 'Required field missing');
  if ((SEGMENT_REFUSED as readonly string[]).includes(type))
    return fail(
      'type',
      `${type} calls are not accepted: their traits are personal data the backbone does not keep. Send user_id with track and page calls instead`,
    );
  if (!(SEGMENT_ACCEPTED as readonly string[]).includes(type))
    return fail('type', `Unknown type; expected one of ${SEGMENT_ACCEPTED.join(', ')}`);
  if (Buffer.byteLength(JSON.stringify(message)) > SEGMENT_MAX_MESSAGE_BYTES)
    return fail('', `The message is larger than ${SEGMENT_MAX_MESSAGE_BYTES / 1024} KB`);

  const anonymousId = text(message.anonymousId);
  const userId = text(message.userId);
  if (!anonymousId && !userId)
    return fail('anonymousId', 'Either anonymousId or userId is required');
  const messageId = text(message.messageId);
  if (!messageId) return fail('messageId', 'Required field missing');
  const context = {
    ...(isObject(facts.batchContext) ? facts.batchContext : {}),
    ...(isObject(message.context) ? message.context : {}),
  };
  const page = isObject(context.page) ? context.page : {};
  const properties = isObject(message.properties) ? message.properties : {};
  const occurred = occurredAt(message, facts.batchSentAt, facts.receivedAt);
  // Segment has no session: the sender's own when its context has one, else one per person a day.
  const session =
    text(context.session_id) ??
    text(context.sessionId) ??
    `${anonymousId ?? userId}/${new Date(occurred).toISOString().slice(0, 10)}`;

  let eventType: string;
  let payload: Record<string, unknown>;
  if (type === 'page') {
    const url = text(properties.url) ?? text(page.url);
    if (!url) return fail('properties.url', 'Required field missing (or context.page.url)');
    eventType = 'page_view';
    payload = {
      url: withCampaign(url, context.campaign),
      title: text(properties.title) ?? text(page.title) ?? text(message.name) ?? null,
    };
  } else if (type === 'screen') {
    eventType = 'custom';
    payload = { name: 'screen', properties: stringMap({ name: message.name, ...properties }) };
  } else {
    const name = text(message.event);
    if (!name) return fail('event', 'Required field missing');
    if (name === 'Element Clicked') {
      // The browser snippet's clicks (docs/snippet.md): what was clicked, by its marked name.
      const element = text(properties.element);
      if (!element) return fail('properties.element', 'Required for Element Clicked');
      eventType = 'click';
      payload = { element, target: text(properties.href) ?? text(properties.target) ?? null };
    } else if (CONVERSIONS.has(name.toLowerCase())) {
      const orderId = text(properties.order_id) ?? text(properties.orderId);
      if (!orderId) return fail('properties.order_id', `Required for ${name}`);
      const value = properties.revenue ?? properties.total ?? properties.value;
      if (typeof value !== 'number')
        return fail('properties.revenue', `A number is required for ${name} (or total)`);
      eventType = 'conversion';
      payload = { order_id: orderId, value, currency: text(properties.currency) ?? 'USD' };
    } else {
      eventType = 'custom';
      payload = { name, properties: stringMap(properties) };
    }
  }

  const pageUrl = type === 'page' ? (payload.url as string) : text(page.url);
  const ctx: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => v !== undefined && (ctx[k] = v);
  put('user_agent', text(context.userAgent));
  put('locale', text(context.locale));
  put('timezone', text(context.timezone));
  put('page_url', withCampaign(pageUrl, context.campaign));
  put('referrer', text(page.referrer));

  return {
    ok: true,
    event: {
      event_id: eventIdOf(messageId),
      event_type: eventType,
      timestamp: new Date(occurred).toISOString(),
      session_id: session,
      ...(anonymousId ? { anonymous_id: anonymousId } : {}),
      ...(userId ? { user_id: userId } : {}),
      properties: payload,
      context: ctx,
      consent: consentOf(context),
    },
  };
}
