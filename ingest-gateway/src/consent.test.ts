import { describe, expect, it } from 'vitest';
import { applyConsent } from './consent.js';
import { mapEvent } from './mapping.js';

function event(consent: Record<string, unknown>, headers: { gpc?: boolean; dnt?: boolean } = {}) {
  const mapped = mapEvent(
    {
      event_id: '7d1b2c3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      event_type: 'click',
      timestamp: '2025-01-15T10:29:55Z',
      session_id: 'sess-1',
      anonymous_id: 'device-hash',
      user_id: 'user-42',
      properties: { element: '#buy' },
      context: { user_agent: 'Mozilla/5.0 (X11; Linux x86_64)' },
      consent,
    },
    0,
    {
      tenantId: 't',
      source: 's',
      receivedAt: Date.parse('2025-01-15T10:30:00Z'),
      ip: '198.51.100.4',
      gpc: headers.gpc ?? false,
      dnt: headers.dnt ?? false,
    },
    { maxFutureSkewMs: 60_000, maxStringLength: 1000 },
  );
  if (!mapped.ok) throw new Error(JSON.stringify(mapped.errors));
  return mapped.value;
}

describe('applyConsent', () => {
  it('keeps identifiers when analytics consent is given or not stated', () => {
    expect(applyConsent(event({ analytics: true }), 'anonymize')).toMatchObject({
      outcome: 'kept',
      event: { envelope: { user_id: 'user-42' } },
    });
    expect(applyConsent(event({}), 'anonymize').outcome).toBe('kept');
  });

  it.each([
    ['analytics consent denied', event({ analytics: false })],
    ['Global Privacy Control', event({ analytics: true }, { gpc: true })],
    ['Do Not Track', event({}, { dnt: true })],
  ])('strips every identifier under %s', (_why, input) => {
    const { outcome, event: out } = applyConsent(input, 'anonymize');
    expect(outcome).toBe('anonymized');
    expect(out?.envelope).toMatchObject({
      anonymous_id: null,
      user_id: null,
      context: { ip: null, user_agent: null },
      consent: { anonymized: true },
    });
    expect(out?.payload).toEqual(input.payload);
    expect(input.envelope.user_id).toBe('user-42');
  });

  it('drops the event instead when the tenant says so', () => {
    expect(applyConsent(event({ analytics: false }), 'drop')).toEqual({ outcome: 'dropped' });
  });
});
