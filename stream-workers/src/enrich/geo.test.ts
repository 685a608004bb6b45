import { describe, expect, it } from 'vitest';
import { toGeoInfo, truncateIp } from './geo.js';

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0'],
    ['::ffff:198.51.100.9', '198.51.100.0'],
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3::'],
    ['2001:0DB8:0000::1', '2001:db8:0::'],
    ['2001:db8::1', '2001:db8:0::'],
    ['fe80::1%eth0', 'fe80:0:0::'],
    ['not-an-ip', null],
    ['', null],
  ])('%s → %s', (ip, network) => expect(truncateIp(ip)).toBe(network));
});

describe('toGeoInfo', () => {
  it('reads the flat ip-location-db layout and the nested GeoIP2 one, keeping country and region only', () => {
    expect(
      toGeoInfo({ country_code: 'GB', state1: 'England', city: 'London', latitude: 51.5 } as never),
    ).toEqual({ country: 'GB', region: 'England' });
    expect(
      toGeoInfo({
        country: { iso_code: 'DE' },
        subdivisions: [{ names: { en: 'Bavaria' } }],
        city: { names: { en: 'Munich' } },
      } as never),
    ).toEqual({ country: 'DE', region: 'Bavaria' });
    expect(toGeoInfo(null)).toEqual({ country: null, region: null });
  });
});
