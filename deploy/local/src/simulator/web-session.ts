import type { TimedEvent } from './events.js';
import {
  CLIENT_IPS,
  LANDINGS,
  PAGES,
  SITE,
  SOURCES,
  USER_AGENTS,
  type SourceProfile,
} from './profiles.js';
import { clamp, type Random } from './random.js';

const title = (path: string) =>
  path === '/'
    ? 'Backbone — event analytics on Kafka'
    : `${path.split('/').filter(Boolean).at(-1)?.replace(/-/g, ' ') ?? ''} | Backbone`;

/** The next page: mostly within the section of the current one, sometimes anywhere. */
function nextPage(rng: Random, current: string): string {
  const section = current.split('/')[1] ?? '';
  const near = PAGES.filter((p) => p !== current && section && p.startsWith(`/${section}`));
  if (near.length > 0 && rng.chance(0.5)) return rng.pick(near);
  if (rng.chance(0.25)) return '/pricing';
  return rng.pick(PAGES.filter((p) => !p.startsWith('/checkout') && p !== '/cart'));
}

function landingUrl(path: string, source: SourceProfile): string {
  if (!source.utm) return `${SITE}${path}`;
  const q = new URLSearchParams({
    utm_source: source.utm.source,
    utm_medium: source.utm.medium,
    ...(source.utm.campaign ? { utm_campaign: source.utm.campaign } : {}),
  });
  return `${SITE}${path}?${q.toString()}`;
}

/**
 * One visit: a landing from a source, a page flow (about 40 % of visits bounce), clicks, and
 * now and then a purchase through cart and checkout, now and then the consent banner's question
 * and answer. `visitor` is the device id; a few visitors have not given analytics consent (the
 * gateway strips their identifiers).
 */
export function webSession(rng: Random, visitor: string): TimedEvent[] {
  const session = rng.uuid();
  const client = rng.weighted(CLIENT_IPS);
  const ip = `${client.ip}${rng.int(2, 250)}`;
  const userAgent = rng.weighted(USER_AGENTS);
  const source = rng.weighted(SOURCES);
  const consent = { analytics: !rng.chance(0.04) };
  const events: TimedEvent[] = [];
  let at = 0;
  let referrer = source.referrer;
  const add = (type: string, properties: Record<string, unknown>, pageUrl: string) => {
    events.push({
      at,
      ip,
      event: {
        event_id: rng.uuid(),
        event_type: type,
        session_id: session,
        anonymous_id: visitor,
        properties,
        context: {
          user_agent: userAgent,
          locale: client.locale,
          timezone: client.timezone,
          page_url: pageUrl,
          ...(referrer ? { referrer } : {}),
        },
        consent,
      },
    });
  };
  let path = rng.weighted(LANDINGS);
  let url = landingUrl(path, source);
  // A visit now and then meets the consent banner: what it asked and what the visitor chose.
  if (rng.chance(0.15)) {
    add('consent_requested', { text_version: 'v3', method: 'banner' }, url);
    at += rng.int(800, 6000);
    add(
      'consent_decision',
      {
        analytics: consent.analytics,
        marketing: consent.analytics && rng.chance(0.3),
        functional: true,
        text_version: 'v3',
        method: 'banner',
      },
      url,
    );
  }
  const pages = rng.chance(0.4) ? 1 : clamp(Math.round(rng.logNormal(3.5, 0.6)), 2, 14);
  for (let i = 0; i < pages; i++) {
    add('page_view', { url, title: title(path) }, url);
    if (rng.chance(0.3)) {
      at += rng.int(1500, 9000);
      add(
        'click',
        { element: rng.pick(['a.cta', 'button#signup', 'a.nav', 'button.play']), target: null },
        url,
      );
    }
    const buying = (path === '/pricing' || path.startsWith('/plans')) && rng.chance(0.12);
    referrer = url;
    at += clamp(rng.logNormal(22_000, 0.8), 2000, 300_000);
    if (buying) {
      for (const step of ['/cart', '/checkout', '/checkout/complete']) {
        url = `${SITE}${step}`;
        add('page_view', { url, title: title(step) }, url);
        referrer = url;
        at += rng.int(5000, 40_000);
      }
      add(
        'conversion',
        {
          order_id: `ord-${rng.int(100000, 999999)}`,
          value: rng.pick([49, 99, 99, 249, 499]),
          currency: 'USD',
        },
        url,
      );
      break;
    }
    path = nextPage(rng, path);
    url = `${SITE}${path}`;
  }
  return events;
}
