/**
 * A page URL reduced to what analytics needs: host, path and the UTM campaign parameters.
 * Every other query parameter and the fragment are dropped, since they are where emails,
 * tokens and search terms end up.
 */

export interface ParsedUrl {
  host: string | null;
  path: string;
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

export function parsePageUrl(raw: string): ParsedUrl {
  let url: URL;
  try {
    // Relative paths (the R1 example sends "/products/shoes") parse against a placeholder.
    url = new URL(raw, 'relative://page');
  } catch {
    return {
      host: null,
      path: '(invalid)',
      utm: { source: null, medium: null, campaign: null, term: null, content: null },
    };
  }
  const utm = Object.fromEntries(
    UTM.map((k) => [k, url.searchParams.get(`utm_${k}`)?.slice(0, 200).toLowerCase() || null]),
  ) as ParsedUrl['utm'];
  return {
    host: url.protocol === 'relative:' ? null : url.hostname.toLowerCase(),
    path: (url.pathname || '/').slice(0, MAX_PATH),
    utm,
  };
}
