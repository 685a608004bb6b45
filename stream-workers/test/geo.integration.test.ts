import { beforeAll, describe, expect, it } from 'vitest';
import { GeoLookup } from '../src/enrich/geo.js';

describe('GeoLookup with the database shipped in the npm package', () => {
  let geo: GeoLookup;
  beforeAll(async () => {
    geo = await GeoLookup.open();
  });

  it.each([
    ['8.8.8.8', 'US'],
    ['81.2.69.160', 'GB'],
    ['::ffff:81.2.69.160', 'GB'],
  ])('finds the country of %s from its truncated network', (ip, country) => {
    const info = geo.lookup(ip);
    expect(info.country).toBe(country);
    expect(typeof info.region).toBe('string');
  });

  it('finds a country for IPv6 too (which one is the monthly database’s call)', () => {
    expect(geo.lookup('2001:4860:4860::8888').country).toMatch(/^[A-Z]{2}$/);
  });

  it('knows nothing of private or invalid addresses, without failing', () => {
    for (const ip of ['10.1.2.3', '192.168.0.1', 'garbage', null])
      expect(geo.lookup(ip)).toEqual({ country: null, region: null });
  });
});
