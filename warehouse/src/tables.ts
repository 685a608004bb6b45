/**
 * Every table of the ClickHouse model by name: the one place a table name is spelled. The sink,
 * replay, the session finalizer, the query service and the tests import these; the migrations
 * create them. Dependency-free, so the dashboard bundle can import it too
 * (`@backbone/warehouse/tables`). What each table holds: warehouse/README.md.
 */
export const TABLES = {
  /** Raw tables, one per stream: one row per enriched event (`rawTable(stream)`). */
  webEvents: 'web_events',
  sttTranscriptEvents: 'stt_transcript_events',
  sttSpeakerEvents: 'stt_speaker_events',
  sttSessionEvents: 'stt_session_events',
  /** Consent decisions, one row each; `consent_latest` is each subject's latest per purpose. */
  consentEvents: 'consent_events',
  consentLatest: 'consent_latest',

  /** Web rollups, filled by materialized views on web_events. */
  webTraffic1m: 'web_traffic_1m',
  webTraffic1h: 'web_traffic_1h',
  webTraffic1d: 'web_traffic_1d',
  webPages1h: 'web_pages_1h',
  webPages1d: 'web_pages_1d',
  webSources1h: 'web_sources_1h',
  webDevices1h: 'web_devices_1h',
  webDevices1d: 'web_devices_1d',
  webGeo1h: 'web_geo_1h',
  webGeo1d: 'web_geo_1d',
  webSessions: 'web_sessions',

  /** Session summaries, written by the session finalizer from web_sessions. */
  webSessionStarts1m: 'web_session_starts_1m',
  webSessionEntries1h: 'web_session_entries_1h',
  webSessionsFinalized: 'web_sessions_finalized',
  /** Ended sessions by start hour and segment (source, medium, device type, country). */
  webSessionSegments1h: 'web_session_segments_1h',
  /** The same by landing page as well: a filter on the page a session entered on. */
  webSessionLandings1h: 'web_session_landings_1h',
  /** Distinct visitors and sessions of each closed hour, as numbers (the finalizer's). */
  webHourCounts: 'web_hour_counts',

  /** Speech rollups, filled by views on the three STT raw tables. */
  sttQuality1m: 'stt_quality_1m',
  sttQuality1h: 'stt_quality_1h',
  sttQuality1d: 'stt_quality_1d',
  sttErrors1m: 'stt_errors_1m',
  sttSessions: 'stt_sessions',
  sttSpeakers: 'stt_speakers',

  /** Subject erasure: tokens of erased subjects (the ledger's copy), requests' audit. */
  subjectErasures: 'subject_erasures',
  subjectRequestLog: 'subject_request_log',
  subjectExportTokens: 'subject_export_tokens',

  /** Platform administration's audit: every change to tenants and keys (who, what, when). */
  adminAudit: 'admin_audit',
  alertNotifications: 'alert_notifications',

  /** Coordination and audit, not stream data. */
  sinkInflight: 'sink_inflight',
  sqlAudit: 'sql_audit',
  replayHandover: 'replay_handover',
  replayRuns: 'replay_runs',
  schemaMigrations: 'schema_migrations',
  schemaMigrationsLock: 'schema_migrations_lock',
} as const;

export type TableKey = keyof typeof TABLES;
export type TableName = (typeof TABLES)[TableKey];

export const WEB_ROLLUP_TABLES = [
  TABLES.webTraffic1m,
  TABLES.webTraffic1h,
  TABLES.webTraffic1d,
  TABLES.webPages1h,
  TABLES.webPages1d,
  TABLES.webSources1h,
  TABLES.webDevices1h,
  TABLES.webDevices1d,
  TABLES.webGeo1h,
  TABLES.webGeo1d,
  TABLES.webSessions,
] as const;

export const SESSION_SUMMARY_TABLES = {
  starts: TABLES.webSessionStarts1m,
  entries: TABLES.webSessionEntries1h,
  finalized: TABLES.webSessionsFinalized,
  segments: TABLES.webSessionSegments1h,
  landings: TABLES.webSessionLandings1h,
} as const;

export const STT_ROLLUP_TABLES = [
  TABLES.sttQuality1m,
  TABLES.sttQuality1h,
  TABLES.sttQuality1d,
  TABLES.sttErrors1m,
  TABLES.sttSessions,
  TABLES.sttSpeakers,
] as const;

/**
 * Distinct visitors and sessions in the web rollups are estimates: `uniqCombined` states at
 * this precision (2^15 registers once a state is large; exact below a few thousand values).
 * They merge an order of magnitude faster than `uniq`'s, which dominated long ranges; read
 * them with `uniqCombinedMerge(15)`. `npm run bench:query` prints their error against
 * `uniqExact` on the same data (warehouse/README.md § Distinct counts).
 */
export const DISTINCT_PRECISION = 15;

/** The materialized view that fills a rollup table (the first of several, for STT rollups). */
export const viewOf = (table: string) => `${table}_mv`;
