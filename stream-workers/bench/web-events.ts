import { randomUUID } from 'node:crypto';
import type { StreamEvents } from '@backbone/schemas';
import { sampleEnvelope } from '@backbone/test';
import type { GeoLookup } from '../src/enrich/geo.js';
import { MemorySubjectKeys } from '../src/subjects/memory.js';

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
];
const IPS = ['81.2.69.160', '8.8.8.8', '1.1.1.1', '185.60.216.35', '203.0.113.7'];
/** A raw page view for benchmarks: four devices, five countries, 5,000 sessions a tenant. */
export const benchWebEvent = (i: number, tenant: string, at: number): StreamEvents['web'] => ({
  envelope: sampleEnvelope('page_view', {
    event_id: randomUUID(),
    occurred_at: at,
    received_at: at,
    tenant_id: tenant,
    source: 'bench',
    session_id: `s-${tenant}-${i % 5000}`,
    anonymous_id: `v-${i % 3000}`,
    context: {
      ip: IPS[i % IPS.length]!,
      user_agent: UAS[i % UAS.length]!,
      locale: 'en-US',
      timezone: 'UTC',
      page_url: `https://shop.example/products/${i % 50}?utm_source=news&utm_medium=email`,
      referrer: i % 3 === 0 ? 'https://www.google.com/' : null,
    },
  }),
  payload: {
    'backbone.events.web.PageView': {
      url: `https://shop.example/products/${i % 50}`,
      title: 'Product',
    },
  },
});

/** An enrich context for benches of the step: bench secrets, persons' keys in memory. */
export const benchEnrichContext = (geo: GeoLookup) => ({
  keys: { hashKey: 'bench-hash-key-0123456789', tokenKey: 'bench-token-key-0123456789' },
  subjects: new MemorySubjectKeys(),
  geo: (ip: string | null) => geo.lookup(ip),
  textPolicy: () => 'drop' as const,
  now: Date.now,
});
