import { describe, expect, it } from 'vitest';
import { parseUserAgent } from './user-agent.js';

describe('parseUserAgent', () => {
  it.each([
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36',
      {
        device_type: 'desktop',
        browser: 'Chrome',
        browser_major: '120',
        os: 'Windows',
        os_major: '10',
      },
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
      {
        device_type: 'mobile',
        browser: 'Mobile Safari',
        browser_major: '17',
        os: 'iOS',
        os_major: '17',
      },
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
      { device_type: 'tablet', os: 'iOS' },
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
      { device_type: 'mobile', browser: 'Chrome', os: 'Android', os_major: '14' },
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0',
      { device_type: 'desktop', browser: 'Firefox', browser_major: '121', os: 'Mac OS' },
    ],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      { device_type: 'bot', is_bot: true },
    ],
    ['curl/8.5.0', { device_type: 'bot', is_bot: true }],
    [null, { device_type: 'other', browser: '(unknown)', is_bot: false }],
  ])('reads %s', (ua, expected) => {
    expect(parseUserAgent(ua)).toMatchObject(expected);
  });

  it('keeps major versions only, which identify no one', () => {
    const info = parseUserAgent(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36',
    );
    expect(JSON.stringify(info)).not.toContain('6099');
  });
});
