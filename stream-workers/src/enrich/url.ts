import { isIpAddress } from '@backbone/schemas';
import { memoize } from '@backbone/runtime';
import { redactText } from './redact.js';

/**
 * A URL reduced to what analytics needs: host, path and the UTM campaign parameters. Every
 * other query parameter and the fragment are dropped, since they are where emails, tokens
 * and search terms end up; the path (read decoded) and the UTM values go through the
 * redactor; a host that is an IP address is dropped. Userinfo (user:password@) never stays.
 */
export interface ParsedUrl {
  host: string | null;
  path: string;
  /** Items of personal data replaced in the path and the UTM values. */
  redactions: number;
  utm: {
    source: string | null;
    medium: string | null;
    campaign: string | null;
    term: string | null;
    content: string | null;
  };
}

const UTM = ['source', 'medium', 'campaign', 'term', 'content'] as const;
const MAX_PATH = 1024;
const NO_UTM: ParsedUrl['utm'] = {
  source: null,
  medium: null,
  campaign: null,
  term: null,
  content: null,
};

const decoded = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** A host name, or null for an IP address (also in brackets) or nothing. */
export function safeHost(host: string | null | undefined): string | null {
  if (!host) return null;
  const bare = host.toLowerCase().replace(/^\[|\]$/g, '');
  return isIpAddress(bare) ? null : bare;
}

/** Page URLs repeat: each is parsed once (the result is shared; do not change it). */
export const parsePageUrl = memoize(parseUrl, 20_000);

function parseUrl(raw: string): ParsedUrl {
  let url: URL;
  try {
    // Relative paths (the collector API's example sends "/products/shoes") parse against a placeholder.
    url = new URL(raw, 'relative://page');
  } catch {
    return { host: null, path: '(invalid)', utm: NO_UTM, redactions: 0 };
  }
  let redactions = 0;
  const clean = (text: string) => {
    const r = redactText(text);
    if (r.text !== text) for (const n of Object.values(r.counts)) redactions += n;
    return r.text;
  };
  const utm = Object.fromEntries(
    UTM.map((k) => {
      const v = url.searchParams.get(`utm_${k}`)?.slice(0, 200).toLowerCase();
      return [k, v ? clean(v) : null];
    }),
  ) as ParsedUrl['utm'];
  const opaque = !url.protocol.startsWith('http') && url.protocol !== 'relative:';
  // mailto:, tel: and the like keep their scheme; what follows it is text like any other.
  const path = opaque ? `${url.protocol}${url.pathname}` : url.pathname || '/';
  return {
    host: url.protocol === 'relative:' || opaque ? null : safeHost(url.hostname),
    // Segment by segment: each is a value of its own (/call/020 7946 0958, /u/jane@example.org).
    path: path
      .slice(0, MAX_PATH)
      .split('/')
      .map((segment) => clean(decoded(segment)))
      .join('/'),
    utm,
    redactions,
  };
}

/** The reduced form of a URL field: `https://host/path`, the path alone, or `scheme:…` redacted. */
export function reduceUrl(raw: string): { url: string; redactions: number } {
  const page = parsePageUrl(raw);
  return {
    url: `${page.host ? `https://${page.host}` : ''}${page.path}`,
    redactions: page.redactions,
  };
}
