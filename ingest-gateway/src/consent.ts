import type { StreamEvents, StreamName } from '@backbone/schemas';

/** What a tenant wants done with an event that may not identify anyone. */
export type ConsentPolicy = 'anonymize' | 'drop';
export type ConsentOutcome = 'kept' | 'anonymized' | 'dropped';

type Event = StreamEvents[StreamName];

/** Analytics consent denied, or Global Privacy Control / Do Not Track on the request. */
export function deniesTracking(event: Event): boolean {
  const { consent } = event.envelope;
  return consent.analytics === false || consent.gpc || consent.dnt;
}

/** Whether an event names anyone: its anonymous or user id. */
export const identifies = (event: Event): boolean =>
  event.envelope.anonymous_id !== null || event.envelope.user_id !== null;

/**
 * Without consent no identifier goes past the gateway. Anonymizing strips
 * anonymous_id, user_id, the IP and the full user agent and marks the event; dropping
 * keeps nothing. `withdrawn`: the person's recorded decision withdrew analytics consent,
 * whatever the event says. Returns a new event; the input is not changed.
 */
export function applyConsent(
  event: Event,
  policy: ConsentPolicy,
  withdrawn = false,
): { outcome: ConsentOutcome; event?: Event } {
  if (!withdrawn && !deniesTracking(event)) return { outcome: 'kept', event };
  if (policy === 'drop') return { outcome: 'dropped' };
  const { envelope } = event;
  return {
    outcome: 'anonymized',
    event: {
      ...event,
      envelope: {
        ...envelope,
        anonymous_id: null,
        user_id: null,
        consent: { ...envelope.consent, anonymized: true },
        context: { ...envelope.context, ip: null, user_agent: null },
      },
    },
  };
}
