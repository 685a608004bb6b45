import type { ParsedUrl } from './url.js';

/** Where a visit came from, in the source / medium terms of web analytics. */
export interface TrafficSource {
  source: string;
  medium: string;
}

const SEARCH = new Map<string, string>([
  ['google', 'google'],
  ['bing', 'bing'],
  ['duckduckgo', 'duckduckgo'],
  ['yahoo', 'yahoo'],
  ['baidu', 'baidu'],
  ['yandex', 'yandex'],
  ['ecosia', 'ecosia'],
  ['search.brave', 'brave'],
]);
const SOCIAL = new Map<string, string>([
  ['facebook.com', 'facebook'],
  ['fb.com', 'facebook'],
  ['t.co', 'twitter'],
  ['twitter.com', 'twitter'],
  ['x.com', 'twitter'],
  ['linkedin.com', 'linkedin'],
  ['lnkd.in', 'linkedin'],
  ['instagram.com', 'instagram'],
  ['reddit.com', 'reddit'],
  ['youtube.com', 'youtube'],
  ['tiktok.com', 'tiktok'],
  ['pinterest.com', 'pinterest'],
]);

function hostOf(referrer: string): string | null {
  try {
    return new URL(referrer).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/**
 * UTM parameters win when present; otherwise the referrer's host decides: a search engine
 * is organic, a social network is social, the site itself is internal, nothing is direct,
 * anything else a referral from that host.
 */
export function classifySource(referrer: string | null, page: ParsedUrl): TrafficSource {
  if (page.utm.source) return { source: page.utm.source, medium: page.utm.medium ?? '(not set)' };
  const host = referrer ? hostOf(referrer) : null;
  if (!host) return { source: '(direct)', medium: '(none)' };
  if (page.host && host === page.host.replace(/^www\./, ''))
    return { source: '(internal)', medium: '(none)' };
  for (const [needle, name] of SEARCH) {
    if (host === `${needle}.com` || host.startsWith(`${needle}.`) || host.includes(`.${needle}.`))
      return { source: name, medium: 'organic' };
  }
  for (const [domain, name] of SOCIAL) {
    if (host === domain || host.endsWith(`.${domain}`)) return { source: name, medium: 'social' };
  }
  return { source: host, medium: 'referral' };
}
