import type { Envelope } from '@backbone/schemas';

/**
 * A valid envelope for tests: consent given, every context field set, so a test states only
 * what it is about in `overrides`.
 */
export function sampleEnvelope(eventType: string, overrides: Partial<Envelope> = {}): Envelope {
  return {
    event_id: '0b9f3a3e-4d0c-4a4e-9a53-1f0e1a2b3c4d',
    event_type: eventType,
    occurred_at: 1_736_937_000_000,
    received_at: 1_736_937_001_000,
    occurred_at_clamped: false,
    tenant_id: 'acme',
    source: 'web-app',
    session_id: 's-1',
    anonymous_id: 'anon-hash',
    user_id: null,
    consent: {
      analytics: true,
      marketing: null,
      functional: null,
      gpc: false,
      dnt: false,
      anonymized: false,
    },
    context: {
      ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0',
      locale: 'en-US',
      timezone: 'UTC',
      page_url: 'https://shop.example/p',
      referrer: null,
    },
    ...overrides,
  };
}

/**
 * A row of a web_events table as the sink writes it (the views then fill the rollups): the
 * times at `at` (ms), tenant acme, a page view, unless `fields` says otherwise.
 */
export function webEventRow(
  at: number,
  fields: { session_id: string } & Record<string, unknown>,
): Record<string, unknown> {
  const time = new Date(at).toISOString().slice(0, 23).replace('T', ' ');
  return {
    event_id: `${fields.session_id}-${at}`,
    event_type: 'page_view',
    occurred_at: time,
    received_at: time,
    enriched_at: time,
    tenant_id: 'acme',
    source: 'test',
    ...fields,
  };
}
