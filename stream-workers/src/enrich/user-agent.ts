import { memoize } from '@backbone/runtime';
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';

/**
 * A user agent reduced to what analytics needs and nothing that fingerprints: device type,
 * browser and OS names with major versions only. ua-parser-js stays on its MIT-licensed 1.x
 * line (2.x is AGPL); bots are recognised by isbot.
 */
export interface DeviceInfo {
  device_type: 'desktop' | 'mobile' | 'tablet' | 'tv' | 'console' | 'wearable' | 'bot' | 'other';
  browser: string;
  browser_major: string;
  os: string;
  os_major: string;
  is_bot: boolean;
}

const DEVICE_TYPES: Record<string, DeviceInfo['device_type']> = {
  mobile: 'mobile',
  tablet: 'tablet',
  smarttv: 'tv',
  console: 'console',
  wearable: 'wearable',
  embedded: 'other',
};

const major = (version: string | undefined) => version?.split('.')[0] ?? '';

export function parseUserAgent(userAgent: string | null): DeviceInfo {
  return userAgent ? parseCached(userAgent) : UNKNOWN;
}

const parseCached = memoize(parse, 20_000);

function parse(userAgent: string): DeviceInfo {
  if (!userAgent)
    return {
      device_type: 'other',
      browser: '(unknown)',
      browser_major: '',
      os: '(unknown)',
      os_major: '',
      is_bot: false,
    };
  const result = new UAParser(userAgent).getResult();
  const bot = isbot(userAgent);
  const type = result.device.type;
  const device_type: DeviceInfo['device_type'] = bot
    ? 'bot'
    : type
      ? (DEVICE_TYPES[type] ?? 'other')
      : result.os.name || result.browser.name
        ? 'desktop'
        : 'other';
  return {
    device_type,
    browser: result.browser.name ?? '(unknown)',
    browser_major: major(result.browser.version),
    os: result.os.name ?? '(unknown)',
    os_major: major(result.os.version),
    is_bot: bot,
  };
}

const UNKNOWN: DeviceInfo = parse('');
