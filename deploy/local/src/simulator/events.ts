/** One event of a batch as the ingest gateway takes it (ingest-gateway/README.md). */
export interface R1Event {
  event_id: string;
  event_type: string;
  timestamp: string;
  session_id: string;
  anonymous_id?: string;
  properties: Record<string, unknown>;
  context?: Record<string, string>;
  consent?: { analytics: boolean };
}

/** An event due `at` ms after its session began, sent from the client at `ip`. */
export interface TimedEvent {
  at: number;
  ip: string;
  event: Omit<R1Event, 'timestamp'>;
}
