import { describe, expect, it } from 'vitest';
import { classifySource } from './referrer.js';
import { parsePageUrl, reduceUrl } from './url.js';

describe('parsePageUrl', () => {
  it.each([
    [
      'https://Shop.Example/products/shoes?utm_source=Newsletter&utm_medium=email&email=jane@x.org#top',
      {
        host: 'shop.example',
        path: '/products/shoes',
        utm: { source: 'newsletter', medium: 'email', campaign: null },
      },
    ],
    ['/products/shoes', { host: null, path: '/products/shoes', utm: { source: null } }],
    [
      'https://shop.example/search?q=my+diagnosis',
      { host: 'shop.example', path: '/search', utm: { source: null } },
    ],
    ['http://[::1', { host: null, path: '(invalid)' }],
  ])('keeps host, path and UTM of %s, and nothing else', (raw, expected) => {
    const parsed = parsePageUrl(raw);
    expect(parsed).toMatchObject(expected);
    expect(JSON.stringify(parsed)).not.toMatch(/jane|diagnosis|top/);
  });
});

describe('classifySource', () => {
  const page = parsePageUrl('https://www.shop.example/p');
  it.each([
    ['https://www.google.com/', page, { source: 'google', medium: 'organic' }],
    ['https://www.google.co.uk/search', page, { source: 'google', medium: 'organic' }],
    ['https://duckduckgo.com/', page, { source: 'duckduckgo', medium: 'organic' }],
    ['https://t.co/abc', page, { source: 'twitter', medium: 'social' }],
    ['https://m.facebook.com/', page, { source: 'facebook', medium: 'social' }],
    [
      'https://blog.partner.example/post',
      page,
      { source: 'blog.partner.example', medium: 'referral' },
    ],
    ['https://shop.example/cart', page, { source: '(internal)', medium: '(none)' }],
    [null, page, { source: '(direct)', medium: '(none)' }],
    ['not a url', page, { source: '(direct)', medium: '(none)' }],
    [
      'https://www.google.com/',
      parsePageUrl('https://shop.example/p?utm_source=spring&utm_medium=cpc'),
      { source: 'spring', medium: 'cpc' },
    ],
    [
      null,
      parsePageUrl('https://shop.example/p?utm_source=qr'),
      { source: 'qr', medium: '(not set)' },
    ],
  ])('classifies a visit from %s', (referrer, pageUrl, expected) => {
    expect(classifySource(referrer, pageUrl)).toEqual(expected);
  });
});

describe('URL paths', () => {
  it.each([
    ['/call/020 7946 0958', '/call/[PHONE]'],
    ['/p/%2B1%20415%20555%200132', '/p/[PHONE]'],
    ['/users/jane%40example.org/orders', '/users/[EMAIL]/orders'],
    ['https://81.2.69.142/admin', '/admin'],
    ['https://[2001:db8::1]/x', '/x'],
    ['mailto:jane@example.org?subject=hi', 'mailto:[EMAIL]'],
    ['/products/2024-2025/shoes', '/products/2024-2025/shoes'],
  ])('%s is reduced to %s', (raw, reduced) => {
    expect(reduceUrl(raw).url).toBe(reduced);
  });
});
