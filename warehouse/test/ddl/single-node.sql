CREATE DATABASE IF NOT EXISTS `analytics`;

CREATE TABLE IF NOT EXISTS `analytics`.`schema_migrations` (
  id String, suffix String, description String, checksum String,
  applied_at DateTime64(3, 'UTC'), duration_ms UInt32, applied_by String
) ENGINE = ReplacingMergeTree(applied_at) ORDER BY (suffix, id);

CREATE TABLE IF NOT EXISTS `analytics`.`web_events` (
  `event_id` String,
  `event_type` LowCardinality(String),
  `occurred_at` DateTime64(3, 'UTC'),
  `received_at` DateTime64(3, 'UTC'),
  `occurred_at_clamped` Bool,
  `tenant_id` LowCardinality(String),
  `source` LowCardinality(String),
  `session_id` String,
  `anonymous_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `user_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `consent_analytics` Nullable(Bool),
  `consent_marketing` Nullable(Bool),
  `consent_functional` Nullable(Bool),
  `consent_gpc` Bool,
  `consent_dnt` Bool,
  `consent_anonymized` Bool,
  `context_ip` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_user_agent` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_locale` LowCardinality(Nullable(String)),
  `context_timezone` LowCardinality(Nullable(String)),
  `context_page_url` Nullable(String),
  `context_referrer` Nullable(String),
  `device_type` LowCardinality(String),
  `browser` LowCardinality(String),
  `browser_major` LowCardinality(String),
  `os` LowCardinality(String),
  `os_major` LowCardinality(String),
  `is_bot` Bool,
  `country` LowCardinality(Nullable(String)),
  `region` LowCardinality(Nullable(String)),
  `page_host` LowCardinality(Nullable(String)),
  `page_path` Nullable(String),
  `utm_source` LowCardinality(Nullable(String)),
  `utm_medium` LowCardinality(Nullable(String)),
  `utm_campaign` LowCardinality(Nullable(String)),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `referrer_host` Nullable(String),
  `traffic_source` LowCardinality(Nullable(String)),
  `traffic_medium` LowCardinality(Nullable(String)),
  `text_policy` LowCardinality(Nullable(String)),
  `redactions` Int32,
  `enriched_at` DateTime64(3, 'UTC'),
  `url` Nullable(String),
  `title` Nullable(String),
  `element` Nullable(String),
  `target` Nullable(String),
  `order_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `value` Nullable(Float64),
  `currency` LowCardinality(Nullable(String)),
  `name` Nullable(String),
  `properties` Map(String, String),
  `_partition` UInt16,
  `_offset` UInt64,
  `_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at)
TTL toDateTime(occurred_at) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_transcript_events` (
  `event_id` String,
  `event_type` LowCardinality(String),
  `occurred_at` DateTime64(3, 'UTC'),
  `received_at` DateTime64(3, 'UTC'),
  `occurred_at_clamped` Bool,
  `tenant_id` LowCardinality(String),
  `source` LowCardinality(String),
  `session_id` String,
  `anonymous_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `user_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `consent_analytics` Nullable(Bool),
  `consent_marketing` Nullable(Bool),
  `consent_functional` Nullable(Bool),
  `consent_gpc` Bool,
  `consent_dnt` Bool,
  `consent_anonymized` Bool,
  `context_ip` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_user_agent` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_locale` LowCardinality(Nullable(String)),
  `context_timezone` LowCardinality(Nullable(String)),
  `context_page_url` Nullable(String),
  `context_referrer` Nullable(String),
  `device_type` LowCardinality(String),
  `browser` LowCardinality(String),
  `browser_major` LowCardinality(String),
  `os` LowCardinality(String),
  `os_major` LowCardinality(String),
  `is_bot` Bool,
  `country` LowCardinality(Nullable(String)),
  `region` LowCardinality(Nullable(String)),
  `page_host` LowCardinality(Nullable(String)),
  `page_path` Nullable(String),
  `utm_source` LowCardinality(Nullable(String)),
  `utm_medium` LowCardinality(Nullable(String)),
  `utm_campaign` LowCardinality(Nullable(String)),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `referrer_host` Nullable(String),
  `traffic_source` LowCardinality(Nullable(String)),
  `traffic_medium` LowCardinality(Nullable(String)),
  `text_policy` LowCardinality(Nullable(String)),
  `redactions` Int32,
  `enriched_at` DateTime64(3, 'UTC'),
  `model_id` LowCardinality(Nullable(String)),
  `language` LowCardinality(Nullable(String)),
  `segment_id` Nullable(String),
  `text` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 7 DAY,
  `is_final` Nullable(Bool),
  `confidence` Nullable(Float32),
  `start_ms` Nullable(Int64),
  `end_ms` Nullable(Int64),
  `speaker_id` Nullable(String),
  `speaker_label` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `processing_latency_ms` Nullable(Int32),
  `audio_duration_ms` Nullable(Int32),
  `word_count` Nullable(Int32),
  `_partition` UInt16,
  `_offset` UInt64,
  `_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at)
TTL toDateTime(occurred_at) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_speaker_events` (
  `event_id` String,
  `event_type` LowCardinality(String),
  `occurred_at` DateTime64(3, 'UTC'),
  `received_at` DateTime64(3, 'UTC'),
  `occurred_at_clamped` Bool,
  `tenant_id` LowCardinality(String),
  `source` LowCardinality(String),
  `session_id` String,
  `anonymous_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `user_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `consent_analytics` Nullable(Bool),
  `consent_marketing` Nullable(Bool),
  `consent_functional` Nullable(Bool),
  `consent_gpc` Bool,
  `consent_dnt` Bool,
  `consent_anonymized` Bool,
  `context_ip` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_user_agent` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_locale` LowCardinality(Nullable(String)),
  `context_timezone` LowCardinality(Nullable(String)),
  `context_page_url` Nullable(String),
  `context_referrer` Nullable(String),
  `device_type` LowCardinality(String),
  `browser` LowCardinality(String),
  `browser_major` LowCardinality(String),
  `os` LowCardinality(String),
  `os_major` LowCardinality(String),
  `is_bot` Bool,
  `country` LowCardinality(Nullable(String)),
  `region` LowCardinality(Nullable(String)),
  `page_host` LowCardinality(Nullable(String)),
  `page_path` Nullable(String),
  `utm_source` LowCardinality(Nullable(String)),
  `utm_medium` LowCardinality(Nullable(String)),
  `utm_campaign` LowCardinality(Nullable(String)),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `referrer_host` Nullable(String),
  `traffic_source` LowCardinality(Nullable(String)),
  `traffic_medium` LowCardinality(Nullable(String)),
  `text_policy` LowCardinality(Nullable(String)),
  `redactions` Int32,
  `enriched_at` DateTime64(3, 'UTC'),
  `speaker_id` Nullable(String),
  `speaker_label` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `offset_ms` Int64,
  `confidence` Float32,
  `from_speaker_id` Nullable(String),
  `to_speaker_id` Nullable(String),
  `_partition` UInt16,
  `_offset` UInt64,
  `_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at)
TTL toDateTime(occurred_at) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_session_events` (
  `event_id` String,
  `event_type` LowCardinality(String),
  `occurred_at` DateTime64(3, 'UTC'),
  `received_at` DateTime64(3, 'UTC'),
  `occurred_at_clamped` Bool,
  `tenant_id` LowCardinality(String),
  `source` LowCardinality(String),
  `session_id` String,
  `anonymous_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `user_id` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 30 DAY,
  `consent_analytics` Nullable(Bool),
  `consent_marketing` Nullable(Bool),
  `consent_functional` Nullable(Bool),
  `consent_gpc` Bool,
  `consent_dnt` Bool,
  `consent_anonymized` Bool,
  `context_ip` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_user_agent` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_locale` LowCardinality(Nullable(String)),
  `context_timezone` LowCardinality(Nullable(String)),
  `context_page_url` Nullable(String),
  `context_referrer` Nullable(String),
  `device_type` LowCardinality(String),
  `browser` LowCardinality(String),
  `browser_major` LowCardinality(String),
  `os` LowCardinality(String),
  `os_major` LowCardinality(String),
  `is_bot` Bool,
  `country` LowCardinality(Nullable(String)),
  `region` LowCardinality(Nullable(String)),
  `page_host` LowCardinality(Nullable(String)),
  `page_path` Nullable(String),
  `utm_source` LowCardinality(Nullable(String)),
  `utm_medium` LowCardinality(Nullable(String)),
  `utm_campaign` LowCardinality(Nullable(String)),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `referrer_host` Nullable(String),
  `traffic_source` LowCardinality(Nullable(String)),
  `traffic_medium` LowCardinality(Nullable(String)),
  `text_policy` LowCardinality(Nullable(String)),
  `redactions` Int32,
  `enriched_at` DateTime64(3, 'UTC'),
  `model_id` LowCardinality(Nullable(String)),
  `language` LowCardinality(Nullable(String)),
  `diarization` Nullable(Bool),
  `sample_rate_hz` Nullable(Int32),
  `bit_depth` Nullable(Int32),
  `channels` Nullable(Int32),
  `duration_ms` Nullable(Int64),
  `word_count` Nullable(Int32),
  `speaker_count` Nullable(Int32),
  `status` LowCardinality(Nullable(String)),
  `code` LowCardinality(Nullable(String)),
  `message` Nullable(String),
  `retriable` Nullable(Bool),
  `avg_confidence` Nullable(Float32),
  `processing_latency_ms` Nullable(Int32),
  `real_time_factor` Nullable(Float32),
  `word_accuracy` Nullable(Float32),
  `language_confidence` Nullable(Float32),
  `noise_level_db` Nullable(Float32),
  `speech_ratio` Nullable(Float32),
  `clipping_detected` Nullable(Bool),
  `_partition` UInt16,
  `_offset` UInt64,
  `_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at)
TTL toDateTime(occurred_at) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`web_traffic_1m` (
  tenant_id LowCardinality(String),
  minute DateTime('UTC'),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute)
TTL minute + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_traffic_1m_mv` TO `analytics`.`web_traffic_1m` AS
SELECT e.tenant_id, toStartOfMinute(e.occurred_at) AS minute, count() AS events,
  countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions,
  countIf(e.event_type = 'conversion') AS conversions,
  sumIf(coalesce(e.value, 0), e.event_type = 'conversion') AS revenue
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, minute;

CREATE TABLE IF NOT EXISTS `analytics`.`web_pages_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  page_host LowCardinality(String),
  page_path LowCardinality(String),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, page_host, page_path)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_pages_1h_mv` TO `analytics`.`web_pages_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, coalesce(e.page_host, '') AS page_host, coalesce(e.page_path, '') AS page_path, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e WHERE e.event_type = 'page_view'
GROUP BY tenant_id, hour, page_host, page_path;

CREATE TABLE IF NOT EXISTS `analytics`.`web_sources_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  traffic_source LowCardinality(String),
  traffic_medium LowCardinality(String),
  utm_source LowCardinality(String),
  utm_medium LowCardinality(String),
  utm_campaign LowCardinality(String),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, traffic_source, traffic_medium, utm_source, utm_medium, utm_campaign)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_sources_1h_mv` TO `analytics`.`web_sources_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, coalesce(e.traffic_source, '') AS traffic_source, coalesce(e.traffic_medium, '') AS traffic_medium, coalesce(e.utm_source, '') AS utm_source, coalesce(e.utm_medium, '') AS utm_medium, coalesce(e.utm_campaign, '') AS utm_campaign, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e WHERE e.event_type = 'page_view' AND coalesce(e.traffic_source, '') != '(internal)'
GROUP BY tenant_id, hour, traffic_source, traffic_medium, utm_source, utm_medium, utm_campaign;

CREATE TABLE IF NOT EXISTS `analytics`.`web_devices_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  device_type LowCardinality(String),
  browser LowCardinality(String),
  os LowCardinality(String),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, device_type, browser, os)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_devices_1h_mv` TO `analytics`.`web_devices_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, e.device_type AS device_type, e.browser AS browser, e.os AS os, count() AS events, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, hour, device_type, browser, os;

CREATE TABLE IF NOT EXISTS `analytics`.`web_geo_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  country LowCardinality(String),
  region LowCardinality(String),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, country, region)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_geo_1h_mv` TO `analytics`.`web_geo_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, coalesce(e.country, '') AS country, coalesce(e.region, '') AS region, count() AS events, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, hour, country, region;

CREATE TABLE IF NOT EXISTS `analytics`.`web_sessions` (
  tenant_id LowCardinality(String),
  day Date,
  session_id String,
  started_at AggregateFunction(min, DateTime64(3, 'UTC')),
  ended_at AggregateFunction(max, DateTime64(3, 'UTC')),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64),
  visitor AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  entry_page AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  traffic_source AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  traffic_medium AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  device_type AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  country AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  exit_page AggregateFunction(argMax, String, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, session_id)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_sessions_mv` TO `analytics`.`web_sessions` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id,
  minState(e.occurred_at) AS started_at, maxState(e.occurred_at) AS ended_at,
  count() AS events, countIf(e.event_type = 'page_view') AS page_views,
  countIf(e.event_type = 'conversion') AS conversions,
  sumIf(coalesce(e.value, 0), e.event_type = 'conversion') AS revenue,
  argMinState(coalesce(e.anonymous_id, e.session_id), e.occurred_at) AS visitor,
  argMinIfState(coalesce(e.page_path, ''), e.occurred_at, e.event_type = 'page_view') AS entry_page,
  argMaxIfState(coalesce(e.page_path, ''), e.occurred_at, e.event_type = 'page_view') AS exit_page,
  argMinIfState(coalesce(e.traffic_source, ''), e.occurred_at, e.event_type = 'page_view') AS traffic_source,
  argMinIfState(coalesce(e.traffic_medium, ''), e.occurred_at, e.event_type = 'page_view') AS traffic_medium,
  argMinState(toString(e.device_type), e.occurred_at) AS device_type,
  argMinState(coalesce(e.country, ''), e.occurred_at) AS country
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, session_id;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_quality_1m` (
  tenant_id LowCardinality(String),
  minute DateTime('UTC'),
  model_id LowCardinality(String),
  language LowCardinality(String),
  segments SimpleAggregateFunction(sum, UInt64),
  final_segments SimpleAggregateFunction(sum, UInt64),
  final_words SimpleAggregateFunction(sum, UInt64),
  final_audio_ms SimpleAggregateFunction(sum, UInt64),
  confidence AggregateFunction(avg, Float64),
  latency_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  real_time_factor AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  language_detections SimpleAggregateFunction(sum, UInt64),
  language_confidence AggregateFunction(avg, Float64),
  sessions_started SimpleAggregateFunction(sum, UInt64),
  errors SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute, model_id, language)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1m_first_mv` TO `analytics`.`stt_quality_1m` AS
SELECT e.tenant_id, toStartOfMinute(e.occurred_at) AS minute, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS segments,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_segments,
  sumIf(assumeNotNull(e.word_count), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_words,
  sumIf(assumeNotNull(e.audio_duration_ms), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_audio_ms,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS confidence,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(assumeNotNull(e.processing_latency_ms)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS latency_ms,
  quantilesIfState(0.5, 0.95, 0.99)(assumeNotNull(if(e.audio_duration_ms > 0, toFloat64(e.processing_latency_ms) / e.audio_duration_ms, NULL)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.audio_duration_ms, 0) > 0) AS real_time_factor,
  countIf(e.event_type = 'stt_language_detected') AS language_detections,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type = 'stt_language_detected') AS language_confidence
FROM `analytics`.`stt_transcript_events` AS e
GROUP BY tenant_id, minute, model_id, language;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1m_sessions_mv` TO `analytics`.`stt_quality_1m` AS
SELECT e.tenant_id, toStartOfMinute(e.occurred_at) AS minute, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type = 'stt_session_started') AS sessions_started,
  countIf(e.event_type = 'stt_error') AS errors
FROM `analytics`.`stt_session_events` AS e
WHERE e.event_type IN ('stt_session_started', 'stt_error')
GROUP BY tenant_id, minute, model_id, language;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_errors_1m` (
  tenant_id LowCardinality(String),
  minute DateTime('UTC'),
  model_id LowCardinality(String),
  language LowCardinality(String),
  code LowCardinality(String),
  errors SimpleAggregateFunction(sum, UInt64),
  retriable SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute, model_id, language, code)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_errors_1m_mv` TO `analytics`.`stt_errors_1m` AS
SELECT e.tenant_id, toStartOfMinute(e.occurred_at) AS minute, coalesce(e.model_id, '') AS model_id,
  coalesce(e.language, '') AS language, coalesce(e.code, '') AS code,
  count() AS errors, countIf(e.retriable) AS retriable
FROM `analytics`.`stt_session_events` AS e
WHERE e.event_type = 'stt_error'
GROUP BY tenant_id, minute, model_id, language, code;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_sessions` (
  tenant_id LowCardinality(String),
  day Date,
  session_id String,
  started_at AggregateFunction(min, DateTime64(3, 'UTC')),
  ended_at AggregateFunction(max, DateTime64(3, 'UTC')),
  events SimpleAggregateFunction(sum, UInt64),
  model_id AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  language AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
  diarization SimpleAggregateFunction(max, UInt8),
  duration_ms SimpleAggregateFunction(max, Int64),
  reported_words SimpleAggregateFunction(sum, UInt64),
  reported_speakers SimpleAggregateFunction(max, Int32),
  status AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
  errors SimpleAggregateFunction(sum, UInt64),
  segments SimpleAggregateFunction(sum, UInt64),
  final_words SimpleAggregateFunction(sum, UInt64),
  confidence AggregateFunction(avg, Float64),
  latency_ms AggregateFunction(avg, Float64),
  real_time_factor AggregateFunction(avg, Float64),
  speakers AggregateFunction(uniq, String),
  speaker_changes SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, session_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_sessions_first_mv` TO `analytics`.`stt_sessions` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id,
  minState(e.occurred_at) AS started_at, maxState(e.occurred_at) AS ended_at, count() AS events,
  argMinIfState(coalesce(e.model_id, ''), e.occurred_at, e.event_type = 'stt_session_started') AS model_id,
  argMinIfState(coalesce(e.language, ''), e.occurred_at, e.event_type = 'stt_session_started') AS language,
  maxIf(toUInt8(coalesce(e.diarization, false)), e.event_type = 'stt_session_started') AS diarization,
  maxIf(assumeNotNull(e.duration_ms), e.event_type = 'stt_session_completed') AS duration_ms,
  sumIf(assumeNotNull(e.word_count), e.event_type = 'stt_session_completed') AS reported_words,
  maxIf(assumeNotNull(e.speaker_count), e.event_type = 'stt_session_completed') AS reported_speakers,
  argMaxIfState(multiIf(e.event_type = 'stt_session_started', 'active',
    e.event_type = 'stt_session_completed', coalesce(toString(e.status), 'completed'), 'error'),
    e.occurred_at, e.event_type IN ('stt_session_started', 'stt_session_completed')
      OR (e.event_type = 'stt_error' AND NOT coalesce(e.retriable, false))) AS status,
  countIf(e.event_type = 'stt_error') AS errors,
  avgIfState(toFloat64(assumeNotNull(e.avg_confidence)), e.event_type = 'stt_quality_assessment') AS confidence,
  avgIfState(toFloat64(assumeNotNull(e.processing_latency_ms)), e.event_type = 'stt_quality_assessment') AS latency_ms,
  avgIfState(toFloat64(assumeNotNull(e.real_time_factor)), e.event_type = 'stt_quality_assessment') AS real_time_factor
FROM `analytics`.`stt_session_events` AS e
GROUP BY tenant_id, session_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_sessions_transcript_mv` TO `analytics`.`stt_sessions` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id,
  minState(e.occurred_at) AS started_at, maxState(e.occurred_at) AS ended_at, count() AS events,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS segments,
  sumIf(assumeNotNull(e.word_count), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_words
FROM `analytics`.`stt_transcript_events` AS e
GROUP BY tenant_id, session_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_sessions_speaker_mv` TO `analytics`.`stt_sessions` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id,
  minState(e.occurred_at) AS started_at, maxState(e.occurred_at) AS ended_at, count() AS events,
  uniqState(assumeNotNull(coalesce(e.speaker_id, e.to_speaker_id))) AS speakers,
  countIf(e.event_type = 'stt_speaker_changed') AS speaker_changes
FROM `analytics`.`stt_speaker_events` AS e
GROUP BY tenant_id, session_id;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_speakers` (
  tenant_id LowCardinality(String),
  day Date,
  session_id String,
  speaker_id String,
  talk_ms SimpleAggregateFunction(sum, Int64),
  segments SimpleAggregateFunction(sum, UInt64),
  words SimpleAggregateFunction(sum, UInt64),
  changes_to SimpleAggregateFunction(sum, UInt64),
  first_seen AggregateFunction(min, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, session_id, speaker_id)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_speakers_first_mv` TO `analytics`.`stt_speakers` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id, assumeNotNull(e.speaker_id) AS speaker_id,
  sum(assumeNotNull(e.end_ms) - assumeNotNull(e.start_ms)) AS talk_ms, count() AS segments,
  sum(assumeNotNull(e.word_count)) AS words, minState(e.occurred_at) AS first_seen
FROM `analytics`.`stt_transcript_events` AS e
WHERE e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND e.is_final AND e.speaker_id IS NOT NULL
GROUP BY tenant_id, session_id, speaker_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_speakers_events_mv` TO `analytics`.`stt_speakers` AS
SELECT e.tenant_id, toDate(min(e.occurred_at)) AS day, e.session_id,
  assumeNotNull(coalesce(e.speaker_id, e.to_speaker_id)) AS speaker_id,
  countIf(e.event_type = 'stt_speaker_changed') AS changes_to, minState(e.occurred_at) AS first_seen
FROM `analytics`.`stt_speaker_events` AS e
GROUP BY tenant_id, session_id, speaker_id;

CREATE TABLE IF NOT EXISTS `analytics`.`sink_inflight` (
  consumer_group String,
  topic String,
  partition UInt32,
  first_offset UInt64,
  last_offset UInt64,
  rows UInt32,
  written_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(written_at)
ORDER BY (consumer_group, topic, partition);

CREATE TABLE IF NOT EXISTS `analytics`.`sql_audit` (
  query_id String,
  tenant_id LowCardinality(String),
  subject String,
  role LowCardinality(String),
  request_id String,
  started_at DateTime64(3, 'UTC'),
  finished_at Nullable(DateTime64(3, 'UTC')),
  sql_sha256 FixedString(64),
  sql_bytes UInt32,
  tables Array(String),
  status Enum8('running' = 1, 'ok' = 2, 'refused' = 3, 'failed' = 4),
  error_code LowCardinality(String),
  result_rows UInt64,
  result_bytes UInt64,
  duration_ms UInt32,
  version UInt8
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (tenant_id, started_at, query_id)
TTL toDateTime(started_at) + INTERVAL 6 YEAR;

CREATE TABLE IF NOT EXISTS `analytics`.`web_session_starts_1m` (
  tenant_id LowCardinality(String),
  minute DateTime('UTC'),
  end_hour DateTime('UTC'),
  sessions SimpleAggregateFunction(sum, UInt64),
  bounces SimpleAggregateFunction(sum, UInt64),
  duration_ms SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (tenant_id, minute, end_hour)
TTL minute + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`web_session_entries_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  end_hour DateTime('UTC'),
  entry_page LowCardinality(String),
  traffic_source LowCardinality(String),
  traffic_medium LowCardinality(String),
  sessions SimpleAggregateFunction(sum, UInt64),
  bounces SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, end_hour, entry_page, traffic_source, traffic_medium)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`web_sessions_finalized` (
  end_hour DateTime('UTC'),
  finalized_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree(finalized_at)
ORDER BY end_hour;

CREATE TABLE IF NOT EXISTS `analytics`.`web_traffic_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_traffic_1h_mv` TO `analytics`.`web_traffic_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, count() AS events,
  countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions,
  countIf(e.event_type = 'conversion') AS conversions,
  sumIf(coalesce(e.value, 0), e.event_type = 'conversion') AS revenue
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, hour;

CREATE TABLE IF NOT EXISTS `analytics`.`web_traffic_1d` (
  tenant_id LowCardinality(String),
  day Date,
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_traffic_1d_mv` TO `analytics`.`web_traffic_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, count() AS events,
  countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions,
  countIf(e.event_type = 'conversion') AS conversions,
  sumIf(coalesce(e.value, 0), e.event_type = 'conversion') AS revenue
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, day;

CREATE TABLE IF NOT EXISTS `analytics`.`web_pages_1d` (
  tenant_id LowCardinality(String),
  day Date,
  page_host LowCardinality(String),
  page_path LowCardinality(String),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, page_host, page_path)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_pages_1d_mv` TO `analytics`.`web_pages_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, coalesce(e.page_host, '') AS page_host, coalesce(e.page_path, '') AS page_path, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e WHERE e.event_type = 'page_view'
GROUP BY tenant_id, day, page_host, page_path;

CREATE TABLE IF NOT EXISTS `analytics`.`replay_handover` (
  family LowCardinality(String),
  run_id String,
  kind Enum8('hold' = 1, 'ack' = 2, 'release' = 3),
  member String,
  partitions Array(String),
  expires_at DateTime64(3, 'UTC'),
  at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (family, run_id, at)
TTL toDateTime(at) + INTERVAL 30 DAY;

CREATE TABLE IF NOT EXISTS `analytics`.`replay_runs` (
  family LowCardinality(String),
  run_id String,
  state LowCardinality(String),
  detail String,
  owner String,
  updated_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (family, run_id);

CREATE TABLE IF NOT EXISTS `analytics`.`web_devices_1d` (
  tenant_id LowCardinality(String),
  day Date,
  device_type LowCardinality(String),
  browser LowCardinality(String),
  os LowCardinality(String),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, device_type, browser, os)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_devices_1d_mv` TO `analytics`.`web_devices_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, e.device_type AS device_type, e.browser AS browser, e.os AS os, count() AS events, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, day, device_type, browser, os;

CREATE TABLE IF NOT EXISTS `analytics`.`web_geo_1d` (
  tenant_id LowCardinality(String),
  day Date,
  country LowCardinality(String),
  region LowCardinality(String),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  visitors AggregateFunction(uniqCombined(15), String),
  sessions AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, country, region)
TTL day + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_geo_1d_mv` TO `analytics`.`web_geo_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, coalesce(e.country, '') AS country, coalesce(e.region, '') AS region, count() AS events, countIf(e.event_type = 'page_view') AS page_views, uniqCombinedState(15)(coalesce(e.anonymous_id, e.session_id)) AS visitors, uniqCombinedState(15)(e.session_id) AS sessions
FROM `analytics`.`web_events` AS e
GROUP BY tenant_id, day, country, region;

CREATE TABLE IF NOT EXISTS `analytics`.`web_hour_counts` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  events UInt64,
  visitors UInt64,
  sessions UInt64,
  counted_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree(counted_at)
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour)
TTL hour + INTERVAL 730 DAY;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_quality_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  model_id LowCardinality(String),
  language LowCardinality(String),
  segments SimpleAggregateFunction(sum, UInt64),
  final_segments SimpleAggregateFunction(sum, UInt64),
  final_words SimpleAggregateFunction(sum, UInt64),
  final_audio_ms SimpleAggregateFunction(sum, UInt64),
  confidence AggregateFunction(avg, Float64),
  latency_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  real_time_factor AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  language_detections SimpleAggregateFunction(sum, UInt64),
  language_confidence AggregateFunction(avg, Float64),
  sessions_started SimpleAggregateFunction(sum, UInt64),
  errors SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, model_id, language)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1h_first_mv` TO `analytics`.`stt_quality_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS segments,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_segments,
  sumIf(assumeNotNull(e.word_count), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_words,
  sumIf(assumeNotNull(e.audio_duration_ms), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_audio_ms,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS confidence,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(assumeNotNull(e.processing_latency_ms)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS latency_ms,
  quantilesIfState(0.5, 0.95, 0.99)(assumeNotNull(if(e.audio_duration_ms > 0, toFloat64(e.processing_latency_ms) / e.audio_duration_ms, NULL)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.audio_duration_ms, 0) > 0) AS real_time_factor,
  countIf(e.event_type = 'stt_language_detected') AS language_detections,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type = 'stt_language_detected') AS language_confidence
FROM `analytics`.`stt_transcript_events` AS e
GROUP BY tenant_id, hour, model_id, language;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1h_sessions_mv` TO `analytics`.`stt_quality_1h` AS
SELECT e.tenant_id, toStartOfHour(e.occurred_at) AS hour, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type = 'stt_session_started') AS sessions_started,
  countIf(e.event_type = 'stt_error') AS errors
FROM `analytics`.`stt_session_events` AS e
WHERE e.event_type IN ('stt_session_started', 'stt_error')
GROUP BY tenant_id, hour, model_id, language;

CREATE TABLE IF NOT EXISTS `analytics`.`stt_quality_1d` (
  tenant_id LowCardinality(String),
  day Date,
  model_id LowCardinality(String),
  language LowCardinality(String),
  segments SimpleAggregateFunction(sum, UInt64),
  final_segments SimpleAggregateFunction(sum, UInt64),
  final_words SimpleAggregateFunction(sum, UInt64),
  final_audio_ms SimpleAggregateFunction(sum, UInt64),
  confidence AggregateFunction(avg, Float64),
  latency_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  real_time_factor AggregateFunction(quantiles(0.5, 0.95, 0.99), Float64),
  language_detections SimpleAggregateFunction(sum, UInt64),
  language_confidence AggregateFunction(avg, Float64),
  sessions_started SimpleAggregateFunction(sum, UInt64),
  errors SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant_id, day, model_id, language)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1d_first_mv` TO `analytics`.`stt_quality_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS segments,
  countIf(e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_segments,
  sumIf(assumeNotNull(e.word_count), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_words,
  sumIf(assumeNotNull(e.audio_duration_ms), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS final_audio_ms,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.is_final, false)) AS confidence,
  quantilesIfState(0.5, 0.95, 0.99)(toFloat64(assumeNotNull(e.processing_latency_ms)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed')) AS latency_ms,
  quantilesIfState(0.5, 0.95, 0.99)(assumeNotNull(if(e.audio_duration_ms > 0, toFloat64(e.processing_latency_ms) / e.audio_duration_ms, NULL)), e.event_type IN ('stt_partial_transcript', 'stt_transcription_completed') AND coalesce(e.audio_duration_ms, 0) > 0) AS real_time_factor,
  countIf(e.event_type = 'stt_language_detected') AS language_detections,
  avgIfState(toFloat64(assumeNotNull(e.confidence)), e.event_type = 'stt_language_detected') AS language_confidence
FROM `analytics`.`stt_transcript_events` AS e
GROUP BY tenant_id, day, model_id, language;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_quality_1d_sessions_mv` TO `analytics`.`stt_quality_1d` AS
SELECT e.tenant_id, toDate(e.occurred_at) AS day, coalesce(e.model_id, '') AS model_id, coalesce(e.language, '') AS language,
  countIf(e.event_type = 'stt_session_started') AS sessions_started,
  countIf(e.event_type = 'stt_error') AS errors
FROM `analytics`.`stt_session_events` AS e
WHERE e.event_type IN ('stt_session_started', 'stt_error')
GROUP BY tenant_id, day, model_id, language;

CREATE TABLE IF NOT EXISTS `analytics`.`web_session_segments_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  end_hour DateTime('UTC'),
  traffic_source LowCardinality(String),
  traffic_medium LowCardinality(String),
  device_type LowCardinality(String),
  country LowCardinality(String),
  sessions SimpleAggregateFunction(sum, UInt64),
  bounces SimpleAggregateFunction(sum, UInt64),
  duration_ms SimpleAggregateFunction(sum, UInt64),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64),
  visitors AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, end_hour, traffic_source, traffic_medium, device_type, country)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`web_session_landings_1h` (
  tenant_id LowCardinality(String),
  hour DateTime('UTC'),
  end_hour DateTime('UTC'),
  entry_page LowCardinality(String),
  traffic_source LowCardinality(String),
  traffic_medium LowCardinality(String),
  device_type LowCardinality(String),
  country LowCardinality(String),
  sessions SimpleAggregateFunction(sum, UInt64),
  bounces SimpleAggregateFunction(sum, UInt64),
  duration_ms SimpleAggregateFunction(sum, UInt64),
  events SimpleAggregateFunction(sum, UInt64),
  page_views SimpleAggregateFunction(sum, UInt64),
  conversions SimpleAggregateFunction(sum, UInt64),
  revenue SimpleAggregateFunction(sum, Float64),
  visitors AggregateFunction(uniqCombined(15), String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (tenant_id, hour, end_hour, entry_page, traffic_source, traffic_medium, device_type, country)
TTL hour + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS `analytics`.`subject_erasures` (
  token String,
  tenant_id LowCardinality(String),
  erased_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY token;

CREATE TABLE IF NOT EXISTS `analytics`.`subject_request_log` (
  request_id String,
  request_kind LowCardinality(String),
  tenant_id LowCardinality(String),
  subject_ref String,
  subject_kind LowCardinality(String),
  requested_by String,
  requested_at DateTime64(3, 'UTC'),
  store LowCardinality(String),
  state Enum8('accepted' = 1, 'counted' = 2, 'done' = 3, 'failed' = 4),
  rows UInt64,
  detail String,
  at DateTime64(3, 'UTC') DEFAULT now64(3),
  version UInt64
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(requested_at)
ORDER BY (tenant_id, request_id, store)
TTL toDateTime(requested_at) + INTERVAL 6 YEAR;

CREATE TABLE IF NOT EXISTS `analytics`.`subject_export_tokens` (
  request_id String,
  tenant_id LowCardinality(String),
  token String,
  at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
ORDER BY (tenant_id, request_id)
TTL toDateTime(at) + INTERVAL 1 HOUR;

CREATE TABLE IF NOT EXISTS `analytics`.`consent_events` (
  `event_id` String,
  `event_type` LowCardinality(String),
  `occurred_at` DateTime64(3, 'UTC'),
  `received_at` DateTime64(3, 'UTC'),
  `occurred_at_clamped` Bool,
  `tenant_id` LowCardinality(String),
  `source` LowCardinality(String),
  `session_id` String,
  `anonymous_id` Nullable(String),
  `user_id` Nullable(String),
  `consent_analytics` Nullable(Bool),
  `consent_marketing` Nullable(Bool),
  `consent_functional` Nullable(Bool),
  `consent_gpc` Bool,
  `consent_dnt` Bool,
  `consent_anonymized` Bool,
  `context_ip` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_user_agent` Nullable(String) TTL toDateTime(occurred_at) + INTERVAL 90 DAY,
  `context_locale` LowCardinality(Nullable(String)),
  `context_timezone` LowCardinality(Nullable(String)),
  `context_page_url` Nullable(String),
  `context_referrer` Nullable(String),
  `device_type` LowCardinality(String),
  `browser` LowCardinality(String),
  `browser_major` LowCardinality(String),
  `os` LowCardinality(String),
  `os_major` LowCardinality(String),
  `is_bot` Bool,
  `country` LowCardinality(Nullable(String)),
  `region` LowCardinality(Nullable(String)),
  `page_host` LowCardinality(Nullable(String)),
  `page_path` Nullable(String),
  `utm_source` LowCardinality(Nullable(String)),
  `utm_medium` LowCardinality(Nullable(String)),
  `utm_campaign` LowCardinality(Nullable(String)),
  `utm_term` Nullable(String),
  `utm_content` Nullable(String),
  `referrer_host` Nullable(String),
  `traffic_source` LowCardinality(Nullable(String)),
  `traffic_medium` LowCardinality(Nullable(String)),
  `text_policy` LowCardinality(Nullable(String)),
  `redactions` Int32,
  `enriched_at` DateTime64(3, 'UTC'),
  `analytics` Nullable(Bool),
  `marketing` Nullable(Bool),
  `functional` Nullable(Bool),
  `text_version` Nullable(String),
  `text_sha256` Nullable(String),
  `method` String,
  `_partition` UInt16,
  `_offset` UInt64,
  `_inserted_at` DateTime64(3, 'UTC') DEFAULT now64(3),
  INDEX idx_session session_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event event_id TYPE bloom_filter(0.01) GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toDate(occurred_at)
ORDER BY (tenant_id, event_type, occurred_at)
TTL toDateTime(occurred_at) + INTERVAL 730 DAY
SETTINGS non_replicated_deduplication_window = 10000;

CREATE VIEW IF NOT EXISTS `analytics`.`consent_latest` AS
SELECT
  tenant_id,
  anonymous_id,
  argMaxIf(e.analytics, e.received_at, e.analytics IS NOT NULL) AS analytics,
  maxIf(e.received_at, e.analytics IS NOT NULL) AS analytics_at,
  argMaxIf(e.marketing, e.received_at, e.marketing IS NOT NULL) AS marketing,
  maxIf(e.received_at, e.marketing IS NOT NULL) AS marketing_at,
  argMaxIf(e.functional, e.received_at, e.functional IS NOT NULL) AS functional,
  maxIf(e.received_at, e.functional IS NOT NULL) AS functional_at,
  argMax(e.text_version, e.received_at) AS text_version,
  argMax(e.text_sha256, e.received_at) AS text_sha256,
  argMax(e.method, e.received_at) AS method,
  max(e.received_at) AS decided_at,
  count() AS decisions
FROM `analytics`.`consent_events` AS e
WHERE e.anonymous_id IS NOT NULL AND e.event_type = 'consent_decision'
GROUP BY tenant_id, anonymous_id;

CREATE TABLE IF NOT EXISTS `analytics`.`admin_audit` (
  at DateTime64(3, 'UTC'),
  actor String,
  action LowCardinality(String),
  tenant_id LowCardinality(String),
  target String,
  detail String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (tenant_id, at)
TTL toDateTime(at) + INTERVAL 6 YEAR;

CREATE TABLE IF NOT EXISTS `analytics`.`alert_notifications` (
  at DateTime64(3, 'UTC'),
  tenant_id LowCardinality(String),
  alert_id String,
  incident_id String,
  state LowCardinality(String),
  value Nullable(Float64),
  threshold Float64,
  delivered UInt8,
  attempts UInt16,
  http_status UInt16
) ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (tenant_id, alert_id, at)
TTL toDateTime(at) + INTERVAL 400 DAY;

CREATE TABLE IF NOT EXISTS `analytics`.`web_events_landing_09c975be` (
  `event.envelope.event_id` String,
  `event.envelope.event_type` String,
  `event.envelope.occurred_at` DateTime64(3),
  `event.envelope.received_at` DateTime64(3),
  `event.envelope.occurred_at_clamped` Bool DEFAULT false,
  `event.envelope.tenant_id` String,
  `event.envelope.source` String,
  `event.envelope.session_id` String,
  `event.envelope.anonymous_id` Nullable(String),
  `event.envelope.user_id` Nullable(String),
  `event.envelope.consent.analytics` Nullable(Bool),
  `event.envelope.consent.marketing` Nullable(Bool),
  `event.envelope.consent.functional` Nullable(Bool),
  `event.envelope.consent.gpc` Bool DEFAULT false,
  `event.envelope.consent.dnt` Bool DEFAULT false,
  `event.envelope.consent.anonymized` Bool DEFAULT false,
  `event.envelope.context.ip` Nullable(String),
  `event.envelope.context.user_agent` Nullable(String),
  `event.envelope.context.locale` Nullable(String),
  `event.envelope.context.timezone` Nullable(String),
  `event.envelope.context.page_url` Nullable(String),
  `event.envelope.context.referrer` Nullable(String),
  `event.enrichment.device_type` String,
  `event.enrichment.browser` String,
  `event.enrichment.browser_major` String,
  `event.enrichment.os` String,
  `event.enrichment.os_major` String,
  `event.enrichment.is_bot` Bool,
  `event.enrichment.country` Nullable(String),
  `event.enrichment.region` Nullable(String),
  `event.enrichment.page_host` Nullable(String),
  `event.enrichment.page_path` Nullable(String),
  `event.enrichment.utm_source` Nullable(String),
  `event.enrichment.utm_medium` Nullable(String),
  `event.enrichment.utm_campaign` Nullable(String),
  `event.enrichment.utm_term` Nullable(String),
  `event.enrichment.utm_content` Nullable(String),
  `event.enrichment.referrer_host` Nullable(String),
  `event.enrichment.traffic_source` Nullable(String),
  `event.enrichment.traffic_medium` Nullable(String),
  `event.enrichment.text_policy` Nullable(String),
  `event.enrichment.redactions` Int32 DEFAULT 0,
  `event.enrichment.enriched_at` DateTime64(3),
  `event.payload` Variant(Tuple(url String, title Nullable(String)), Tuple(element String, target Nullable(String)), Tuple(order_id String, value Float64, currency String), Tuple(name String, properties Map(String, String))),
  `_partition` Int32,
  `_offset` Int64
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`web_events_landing_09c975be_mv`
TO `analytics`.`web_events` AS
SELECT
  `event.envelope.event_id` AS `event_id`,
  `event.envelope.event_type` AS `event_type`,
  `event.envelope.occurred_at` AS `occurred_at`,
  `event.envelope.received_at` AS `received_at`,
  `event.envelope.occurred_at_clamped` AS `occurred_at_clamped`,
  `event.envelope.tenant_id` AS `tenant_id`,
  `event.envelope.source` AS `source`,
  `event.envelope.session_id` AS `session_id`,
  `event.envelope.anonymous_id` AS `anonymous_id`,
  `event.envelope.user_id` AS `user_id`,
  `event.envelope.consent.analytics` AS `consent_analytics`,
  `event.envelope.consent.marketing` AS `consent_marketing`,
  `event.envelope.consent.functional` AS `consent_functional`,
  `event.envelope.consent.gpc` AS `consent_gpc`,
  `event.envelope.consent.dnt` AS `consent_dnt`,
  `event.envelope.consent.anonymized` AS `consent_anonymized`,
  `event.envelope.context.ip` AS `context_ip`,
  `event.envelope.context.user_agent` AS `context_user_agent`,
  `event.envelope.context.locale` AS `context_locale`,
  `event.envelope.context.timezone` AS `context_timezone`,
  `event.envelope.context.page_url` AS `context_page_url`,
  `event.envelope.context.referrer` AS `context_referrer`,
  `event.enrichment.device_type` AS `device_type`,
  `event.enrichment.browser` AS `browser`,
  `event.enrichment.browser_major` AS `browser_major`,
  `event.enrichment.os` AS `os`,
  `event.enrichment.os_major` AS `os_major`,
  `event.enrichment.is_bot` AS `is_bot`,
  `event.enrichment.country` AS `country`,
  `event.enrichment.region` AS `region`,
  `event.enrichment.page_host` AS `page_host`,
  `event.enrichment.page_path` AS `page_path`,
  `event.enrichment.utm_source` AS `utm_source`,
  `event.enrichment.utm_medium` AS `utm_medium`,
  `event.enrichment.utm_campaign` AS `utm_campaign`,
  `event.enrichment.utm_term` AS `utm_term`,
  `event.enrichment.utm_content` AS `utm_content`,
  `event.enrichment.referrer_host` AS `referrer_host`,
  `event.enrichment.traffic_source` AS `traffic_source`,
  `event.enrichment.traffic_medium` AS `traffic_medium`,
  `event.enrichment.text_policy` AS `text_policy`,
  `event.enrichment.redactions` AS `redactions`,
  `event.enrichment.enriched_at` AS `enriched_at`,
  multiIf(variantType(`event.payload`) = 'Tuple(url String, title Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(url String, title Nullable(String))'), 'url'), NULL) AS `url`,
  multiIf(variantType(`event.payload`) = 'Tuple(url String, title Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(url String, title Nullable(String))'), 'title'), NULL) AS `title`,
  multiIf(variantType(`event.payload`) = 'Tuple(element String, target Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(element String, target Nullable(String))'), 'element'), NULL) AS `element`,
  multiIf(variantType(`event.payload`) = 'Tuple(element String, target Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(element String, target Nullable(String))'), 'target'), NULL) AS `target`,
  multiIf(variantType(`event.payload`) = 'Tuple(order_id String, value Float64, currency String)', tupleElement(variantElement(`event.payload`, 'Tuple(order_id String, value Float64, currency String)'), 'order_id'), NULL) AS `order_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(order_id String, value Float64, currency String)', tupleElement(variantElement(`event.payload`, 'Tuple(order_id String, value Float64, currency String)'), 'value'), NULL) AS `value`,
  multiIf(variantType(`event.payload`) = 'Tuple(order_id String, value Float64, currency String)', tupleElement(variantElement(`event.payload`, 'Tuple(order_id String, value Float64, currency String)'), 'currency'), NULL) AS `currency`,
  multiIf(variantType(`event.payload`) = 'Tuple(name String, properties Map(String, String))', tupleElement(variantElement(`event.payload`, 'Tuple(name String, properties Map(String, String))'), 'name'), NULL) AS `name`,
  multiIf(variantType(`event.payload`) = 'Tuple(name String, properties Map(String, String))', tupleElement(variantElement(`event.payload`, 'Tuple(name String, properties Map(String, String))'), 'properties'), NULL) AS `properties`,
  `_partition`,
  `_offset`
FROM `analytics`.`web_events_landing_09c975be`
WHERE ifNull(`event.envelope.anonymous_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`) AND ifNull(`event.envelope.user_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`);

CREATE TABLE IF NOT EXISTS `analytics`.`stt_transcript_events_landing_ccd5718c` (
  `event.envelope.event_id` String,
  `event.envelope.event_type` String,
  `event.envelope.occurred_at` DateTime64(3),
  `event.envelope.received_at` DateTime64(3),
  `event.envelope.occurred_at_clamped` Bool DEFAULT false,
  `event.envelope.tenant_id` String,
  `event.envelope.source` String,
  `event.envelope.session_id` String,
  `event.envelope.anonymous_id` Nullable(String),
  `event.envelope.user_id` Nullable(String),
  `event.envelope.consent.analytics` Nullable(Bool),
  `event.envelope.consent.marketing` Nullable(Bool),
  `event.envelope.consent.functional` Nullable(Bool),
  `event.envelope.consent.gpc` Bool DEFAULT false,
  `event.envelope.consent.dnt` Bool DEFAULT false,
  `event.envelope.consent.anonymized` Bool DEFAULT false,
  `event.envelope.context.ip` Nullable(String),
  `event.envelope.context.user_agent` Nullable(String),
  `event.envelope.context.locale` Nullable(String),
  `event.envelope.context.timezone` Nullable(String),
  `event.envelope.context.page_url` Nullable(String),
  `event.envelope.context.referrer` Nullable(String),
  `event.enrichment.device_type` String,
  `event.enrichment.browser` String,
  `event.enrichment.browser_major` String,
  `event.enrichment.os` String,
  `event.enrichment.os_major` String,
  `event.enrichment.is_bot` Bool,
  `event.enrichment.country` Nullable(String),
  `event.enrichment.region` Nullable(String),
  `event.enrichment.page_host` Nullable(String),
  `event.enrichment.page_path` Nullable(String),
  `event.enrichment.utm_source` Nullable(String),
  `event.enrichment.utm_medium` Nullable(String),
  `event.enrichment.utm_campaign` Nullable(String),
  `event.enrichment.utm_term` Nullable(String),
  `event.enrichment.utm_content` Nullable(String),
  `event.enrichment.referrer_host` Nullable(String),
  `event.enrichment.traffic_source` Nullable(String),
  `event.enrichment.traffic_medium` Nullable(String),
  `event.enrichment.text_policy` Nullable(String),
  `event.enrichment.redactions` Int32 DEFAULT 0,
  `event.enrichment.enriched_at` DateTime64(3),
  `event.payload` Variant(Tuple(model_id String, language Nullable(String)), Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32), Tuple(language String, confidence Float32)),
  `_partition` Int32,
  `_offset` Int64
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_transcript_events_landing_ccd5718c_mv`
TO `analytics`.`stt_transcript_events` AS
SELECT
  `event.envelope.event_id` AS `event_id`,
  `event.envelope.event_type` AS `event_type`,
  `event.envelope.occurred_at` AS `occurred_at`,
  `event.envelope.received_at` AS `received_at`,
  `event.envelope.occurred_at_clamped` AS `occurred_at_clamped`,
  `event.envelope.tenant_id` AS `tenant_id`,
  `event.envelope.source` AS `source`,
  `event.envelope.session_id` AS `session_id`,
  `event.envelope.anonymous_id` AS `anonymous_id`,
  `event.envelope.user_id` AS `user_id`,
  `event.envelope.consent.analytics` AS `consent_analytics`,
  `event.envelope.consent.marketing` AS `consent_marketing`,
  `event.envelope.consent.functional` AS `consent_functional`,
  `event.envelope.consent.gpc` AS `consent_gpc`,
  `event.envelope.consent.dnt` AS `consent_dnt`,
  `event.envelope.consent.anonymized` AS `consent_anonymized`,
  `event.envelope.context.ip` AS `context_ip`,
  `event.envelope.context.user_agent` AS `context_user_agent`,
  `event.envelope.context.locale` AS `context_locale`,
  `event.envelope.context.timezone` AS `context_timezone`,
  `event.envelope.context.page_url` AS `context_page_url`,
  `event.envelope.context.referrer` AS `context_referrer`,
  `event.enrichment.device_type` AS `device_type`,
  `event.enrichment.browser` AS `browser`,
  `event.enrichment.browser_major` AS `browser_major`,
  `event.enrichment.os` AS `os`,
  `event.enrichment.os_major` AS `os_major`,
  `event.enrichment.is_bot` AS `is_bot`,
  `event.enrichment.country` AS `country`,
  `event.enrichment.region` AS `region`,
  `event.enrichment.page_host` AS `page_host`,
  `event.enrichment.page_path` AS `page_path`,
  `event.enrichment.utm_source` AS `utm_source`,
  `event.enrichment.utm_medium` AS `utm_medium`,
  `event.enrichment.utm_campaign` AS `utm_campaign`,
  `event.enrichment.utm_term` AS `utm_term`,
  `event.enrichment.utm_content` AS `utm_content`,
  `event.enrichment.referrer_host` AS `referrer_host`,
  `event.enrichment.traffic_source` AS `traffic_source`,
  `event.enrichment.traffic_medium` AS `traffic_medium`,
  `event.enrichment.text_policy` AS `text_policy`,
  `event.enrichment.redactions` AS `redactions`,
  `event.enrichment.enriched_at` AS `enriched_at`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String))'), 'model_id'), variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'model_id'), NULL) AS `model_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String))'), 'language'), variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'language'), tupleElement(variantElement(`event.payload`, 'Tuple(language String, confidence Float32)'), 'language')) AS `language`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'segment_id'), NULL) AS `segment_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'text'), NULL) AS `text`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'is_final'), NULL) AS `is_final`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'confidence'), variantType(`event.payload`) = 'Tuple(language String, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(language String, confidence Float32)'), 'confidence'), NULL) AS `confidence`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'start_ms'), NULL) AS `start_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'end_ms'), NULL) AS `end_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'speaker_id'), NULL) AS `speaker_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'speaker_label'), NULL) AS `speaker_label`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'processing_latency_ms'), NULL) AS `processing_latency_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'audio_duration_ms'), NULL) AS `audio_duration_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(segment_id String, text Nullable(String), is_final Bool, confidence Float32, start_ms Int64, end_ms Int64, language Nullable(String), speaker_id Nullable(String), speaker_label Nullable(String), model_id String, processing_latency_ms Int32, audio_duration_ms Int32, word_count Int32)'), 'word_count'), NULL) AS `word_count`,
  `_partition`,
  `_offset`
FROM `analytics`.`stt_transcript_events_landing_ccd5718c`
WHERE ifNull(`event.envelope.anonymous_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`) AND ifNull(`event.envelope.user_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`);

CREATE TABLE IF NOT EXISTS `analytics`.`stt_speaker_events_landing_9dad2e6f` (
  `event.envelope.event_id` String,
  `event.envelope.event_type` String,
  `event.envelope.occurred_at` DateTime64(3),
  `event.envelope.received_at` DateTime64(3),
  `event.envelope.occurred_at_clamped` Bool DEFAULT false,
  `event.envelope.tenant_id` String,
  `event.envelope.source` String,
  `event.envelope.session_id` String,
  `event.envelope.anonymous_id` Nullable(String),
  `event.envelope.user_id` Nullable(String),
  `event.envelope.consent.analytics` Nullable(Bool),
  `event.envelope.consent.marketing` Nullable(Bool),
  `event.envelope.consent.functional` Nullable(Bool),
  `event.envelope.consent.gpc` Bool DEFAULT false,
  `event.envelope.consent.dnt` Bool DEFAULT false,
  `event.envelope.consent.anonymized` Bool DEFAULT false,
  `event.envelope.context.ip` Nullable(String),
  `event.envelope.context.user_agent` Nullable(String),
  `event.envelope.context.locale` Nullable(String),
  `event.envelope.context.timezone` Nullable(String),
  `event.envelope.context.page_url` Nullable(String),
  `event.envelope.context.referrer` Nullable(String),
  `event.enrichment.device_type` String,
  `event.enrichment.browser` String,
  `event.enrichment.browser_major` String,
  `event.enrichment.os` String,
  `event.enrichment.os_major` String,
  `event.enrichment.is_bot` Bool,
  `event.enrichment.country` Nullable(String),
  `event.enrichment.region` Nullable(String),
  `event.enrichment.page_host` Nullable(String),
  `event.enrichment.page_path` Nullable(String),
  `event.enrichment.utm_source` Nullable(String),
  `event.enrichment.utm_medium` Nullable(String),
  `event.enrichment.utm_campaign` Nullable(String),
  `event.enrichment.utm_term` Nullable(String),
  `event.enrichment.utm_content` Nullable(String),
  `event.enrichment.referrer_host` Nullable(String),
  `event.enrichment.traffic_source` Nullable(String),
  `event.enrichment.traffic_medium` Nullable(String),
  `event.enrichment.text_policy` Nullable(String),
  `event.enrichment.redactions` Int32 DEFAULT 0,
  `event.enrichment.enriched_at` DateTime64(3),
  `event.payload` Variant(Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32), Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)),
  `_partition` Int32,
  `_offset` Int64
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_speaker_events_landing_9dad2e6f_mv`
TO `analytics`.`stt_speaker_events` AS
SELECT
  `event.envelope.event_id` AS `event_id`,
  `event.envelope.event_type` AS `event_type`,
  `event.envelope.occurred_at` AS `occurred_at`,
  `event.envelope.received_at` AS `received_at`,
  `event.envelope.occurred_at_clamped` AS `occurred_at_clamped`,
  `event.envelope.tenant_id` AS `tenant_id`,
  `event.envelope.source` AS `source`,
  `event.envelope.session_id` AS `session_id`,
  `event.envelope.anonymous_id` AS `anonymous_id`,
  `event.envelope.user_id` AS `user_id`,
  `event.envelope.consent.analytics` AS `consent_analytics`,
  `event.envelope.consent.marketing` AS `consent_marketing`,
  `event.envelope.consent.functional` AS `consent_functional`,
  `event.envelope.consent.gpc` AS `consent_gpc`,
  `event.envelope.consent.dnt` AS `consent_dnt`,
  `event.envelope.consent.anonymized` AS `consent_anonymized`,
  `event.envelope.context.ip` AS `context_ip`,
  `event.envelope.context.user_agent` AS `context_user_agent`,
  `event.envelope.context.locale` AS `context_locale`,
  `event.envelope.context.timezone` AS `context_timezone`,
  `event.envelope.context.page_url` AS `context_page_url`,
  `event.envelope.context.referrer` AS `context_referrer`,
  `event.enrichment.device_type` AS `device_type`,
  `event.enrichment.browser` AS `browser`,
  `event.enrichment.browser_major` AS `browser_major`,
  `event.enrichment.os` AS `os`,
  `event.enrichment.os_major` AS `os_major`,
  `event.enrichment.is_bot` AS `is_bot`,
  `event.enrichment.country` AS `country`,
  `event.enrichment.region` AS `region`,
  `event.enrichment.page_host` AS `page_host`,
  `event.enrichment.page_path` AS `page_path`,
  `event.enrichment.utm_source` AS `utm_source`,
  `event.enrichment.utm_medium` AS `utm_medium`,
  `event.enrichment.utm_campaign` AS `utm_campaign`,
  `event.enrichment.utm_term` AS `utm_term`,
  `event.enrichment.utm_content` AS `utm_content`,
  `event.enrichment.referrer_host` AS `referrer_host`,
  `event.enrichment.traffic_source` AS `traffic_source`,
  `event.enrichment.traffic_medium` AS `traffic_medium`,
  `event.enrichment.text_policy` AS `text_policy`,
  `event.enrichment.redactions` AS `redactions`,
  `event.enrichment.enriched_at` AS `enriched_at`,
  multiIf(variantType(`event.payload`) = 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)'), 'speaker_id'), NULL) AS `speaker_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)'), 'speaker_label'), NULL) AS `speaker_label`,
  multiIf(variantType(`event.payload`) = 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)'), 'offset_ms'), tupleElement(variantElement(`event.payload`, 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)'), 'offset_ms')) AS `offset_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(speaker_id String, speaker_label Nullable(String), offset_ms Int64, confidence Float32)'), 'confidence'), tupleElement(variantElement(`event.payload`, 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)'), 'confidence')) AS `confidence`,
  multiIf(variantType(`event.payload`) = 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)'), 'from_speaker_id'), NULL) AS `from_speaker_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)', tupleElement(variantElement(`event.payload`, 'Tuple(from_speaker_id Nullable(String), to_speaker_id String, offset_ms Int64, confidence Float32)'), 'to_speaker_id'), NULL) AS `to_speaker_id`,
  `_partition`,
  `_offset`
FROM `analytics`.`stt_speaker_events_landing_9dad2e6f`
WHERE ifNull(`event.envelope.anonymous_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`) AND ifNull(`event.envelope.user_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`);

CREATE TABLE IF NOT EXISTS `analytics`.`stt_session_events_landing_227f360b` (
  `event.envelope.event_id` String,
  `event.envelope.event_type` String,
  `event.envelope.occurred_at` DateTime64(3),
  `event.envelope.received_at` DateTime64(3),
  `event.envelope.occurred_at_clamped` Bool DEFAULT false,
  `event.envelope.tenant_id` String,
  `event.envelope.source` String,
  `event.envelope.session_id` String,
  `event.envelope.anonymous_id` Nullable(String),
  `event.envelope.user_id` Nullable(String),
  `event.envelope.consent.analytics` Nullable(Bool),
  `event.envelope.consent.marketing` Nullable(Bool),
  `event.envelope.consent.functional` Nullable(Bool),
  `event.envelope.consent.gpc` Bool DEFAULT false,
  `event.envelope.consent.dnt` Bool DEFAULT false,
  `event.envelope.consent.anonymized` Bool DEFAULT false,
  `event.envelope.context.ip` Nullable(String),
  `event.envelope.context.user_agent` Nullable(String),
  `event.envelope.context.locale` Nullable(String),
  `event.envelope.context.timezone` Nullable(String),
  `event.envelope.context.page_url` Nullable(String),
  `event.envelope.context.referrer` Nullable(String),
  `event.enrichment.device_type` String,
  `event.enrichment.browser` String,
  `event.enrichment.browser_major` String,
  `event.enrichment.os` String,
  `event.enrichment.os_major` String,
  `event.enrichment.is_bot` Bool,
  `event.enrichment.country` Nullable(String),
  `event.enrichment.region` Nullable(String),
  `event.enrichment.page_host` Nullable(String),
  `event.enrichment.page_path` Nullable(String),
  `event.enrichment.utm_source` Nullable(String),
  `event.enrichment.utm_medium` Nullable(String),
  `event.enrichment.utm_campaign` Nullable(String),
  `event.enrichment.utm_term` Nullable(String),
  `event.enrichment.utm_content` Nullable(String),
  `event.enrichment.referrer_host` Nullable(String),
  `event.enrichment.traffic_source` Nullable(String),
  `event.enrichment.traffic_medium` Nullable(String),
  `event.enrichment.text_policy` Nullable(String),
  `event.enrichment.redactions` Int32 DEFAULT 0,
  `event.enrichment.enriched_at` DateTime64(3),
  `event.payload` Variant(Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32), Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8('completed' = 0, 'cancelled' = 1, 'failed' = 2, 'timeout' = 3)), Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String)), Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))),
  `_partition` Int32,
  `_offset` Int64
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`stt_session_events_landing_227f360b_mv`
TO `analytics`.`stt_session_events` AS
SELECT
  `event.envelope.event_id` AS `event_id`,
  `event.envelope.event_type` AS `event_type`,
  `event.envelope.occurred_at` AS `occurred_at`,
  `event.envelope.received_at` AS `received_at`,
  `event.envelope.occurred_at_clamped` AS `occurred_at_clamped`,
  `event.envelope.tenant_id` AS `tenant_id`,
  `event.envelope.source` AS `source`,
  `event.envelope.session_id` AS `session_id`,
  `event.envelope.anonymous_id` AS `anonymous_id`,
  `event.envelope.user_id` AS `user_id`,
  `event.envelope.consent.analytics` AS `consent_analytics`,
  `event.envelope.consent.marketing` AS `consent_marketing`,
  `event.envelope.consent.functional` AS `consent_functional`,
  `event.envelope.consent.gpc` AS `consent_gpc`,
  `event.envelope.consent.dnt` AS `consent_dnt`,
  `event.envelope.consent.anonymized` AS `consent_anonymized`,
  `event.envelope.context.ip` AS `context_ip`,
  `event.envelope.context.user_agent` AS `context_user_agent`,
  `event.envelope.context.locale` AS `context_locale`,
  `event.envelope.context.timezone` AS `context_timezone`,
  `event.envelope.context.page_url` AS `context_page_url`,
  `event.envelope.context.referrer` AS `context_referrer`,
  `event.enrichment.device_type` AS `device_type`,
  `event.enrichment.browser` AS `browser`,
  `event.enrichment.browser_major` AS `browser_major`,
  `event.enrichment.os` AS `os`,
  `event.enrichment.os_major` AS `os_major`,
  `event.enrichment.is_bot` AS `is_bot`,
  `event.enrichment.country` AS `country`,
  `event.enrichment.region` AS `region`,
  `event.enrichment.page_host` AS `page_host`,
  `event.enrichment.page_path` AS `page_path`,
  `event.enrichment.utm_source` AS `utm_source`,
  `event.enrichment.utm_medium` AS `utm_medium`,
  `event.enrichment.utm_campaign` AS `utm_campaign`,
  `event.enrichment.utm_term` AS `utm_term`,
  `event.enrichment.utm_content` AS `utm_content`,
  `event.enrichment.referrer_host` AS `referrer_host`,
  `event.enrichment.traffic_source` AS `traffic_source`,
  `event.enrichment.traffic_medium` AS `traffic_medium`,
  `event.enrichment.text_policy` AS `text_policy`,
  `event.enrichment.redactions` AS `redactions`,
  `event.enrichment.enriched_at` AS `enriched_at`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'model_id'), variantType(`event.payload`) = 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))'), 'model_id'), NULL) AS `model_id`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'language'), variantType(`event.payload`) = 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))'), 'language'), NULL) AS `language`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'diarization'), NULL) AS `diarization`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'sample_rate_hz'), variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'sample_rate_hz'), NULL) AS `sample_rate_hz`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'bit_depth'), variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'bit_depth'), NULL) AS `bit_depth`,
  multiIf(variantType(`event.payload`) = 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)', tupleElement(variantElement(`event.payload`, 'Tuple(model_id String, language Nullable(String), diarization Bool, sample_rate_hz Int32, bit_depth Int32, channels Int32)'), 'channels'), NULL) AS `channels`,
  multiIf(variantType(`event.payload`) = 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))', tupleElement(variantElement(`event.payload`, 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))'), 'duration_ms'), NULL) AS `duration_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))', tupleElement(variantElement(`event.payload`, 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))'), 'word_count'), NULL) AS `word_count`,
  multiIf(variantType(`event.payload`) = 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))', tupleElement(variantElement(`event.payload`, 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))'), 'speaker_count'), NULL) AS `speaker_count`,
  multiIf(variantType(`event.payload`) = 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))', tupleElement(variantElement(`event.payload`, 'Tuple(duration_ms Int64, word_count Int32, speaker_count Int32, status Enum8(\'completed\' = 0, \'cancelled\' = 1, \'failed\' = 2, \'timeout\' = 3))'), 'status'), NULL) AS `status`,
  multiIf(variantType(`event.payload`) = 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))'), 'code'), NULL) AS `code`,
  multiIf(variantType(`event.payload`) = 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))'), 'message'), NULL) AS `message`,
  multiIf(variantType(`event.payload`) = 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))', tupleElement(variantElement(`event.payload`, 'Tuple(code String, message String, retriable Bool, model_id Nullable(String), language Nullable(String))'), 'retriable'), NULL) AS `retriable`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'avg_confidence'), NULL) AS `avg_confidence`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'processing_latency_ms'), NULL) AS `processing_latency_ms`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'real_time_factor'), NULL) AS `real_time_factor`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'word_accuracy'), NULL) AS `word_accuracy`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'language_confidence'), NULL) AS `language_confidence`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'noise_level_db'), NULL) AS `noise_level_db`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'speech_ratio'), NULL) AS `speech_ratio`,
  multiIf(variantType(`event.payload`) = 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))', tupleElement(variantElement(`event.payload`, 'Tuple(avg_confidence Float32, processing_latency_ms Int32, real_time_factor Float32, word_accuracy Nullable(Float32), language_confidence Nullable(Float32), noise_level_db Nullable(Float32), speech_ratio Nullable(Float32), clipping_detected Nullable(Bool), sample_rate_hz Nullable(Int32), bit_depth Nullable(Int32))'), 'clipping_detected'), NULL) AS `clipping_detected`,
  `_partition`,
  `_offset`
FROM `analytics`.`stt_session_events_landing_227f360b`
WHERE ifNull(`event.envelope.anonymous_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`) AND ifNull(`event.envelope.user_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`);

CREATE TABLE IF NOT EXISTS `analytics`.`consent_events_landing_784e5079` (
  `event.envelope.event_id` String,
  `event.envelope.event_type` String,
  `event.envelope.occurred_at` DateTime64(3),
  `event.envelope.received_at` DateTime64(3),
  `event.envelope.occurred_at_clamped` Bool DEFAULT false,
  `event.envelope.tenant_id` String,
  `event.envelope.source` String,
  `event.envelope.session_id` String,
  `event.envelope.anonymous_id` Nullable(String),
  `event.envelope.user_id` Nullable(String),
  `event.envelope.consent.analytics` Nullable(Bool),
  `event.envelope.consent.marketing` Nullable(Bool),
  `event.envelope.consent.functional` Nullable(Bool),
  `event.envelope.consent.gpc` Bool DEFAULT false,
  `event.envelope.consent.dnt` Bool DEFAULT false,
  `event.envelope.consent.anonymized` Bool DEFAULT false,
  `event.envelope.context.ip` Nullable(String),
  `event.envelope.context.user_agent` Nullable(String),
  `event.envelope.context.locale` Nullable(String),
  `event.envelope.context.timezone` Nullable(String),
  `event.envelope.context.page_url` Nullable(String),
  `event.envelope.context.referrer` Nullable(String),
  `event.enrichment.device_type` String,
  `event.enrichment.browser` String,
  `event.enrichment.browser_major` String,
  `event.enrichment.os` String,
  `event.enrichment.os_major` String,
  `event.enrichment.is_bot` Bool,
  `event.enrichment.country` Nullable(String),
  `event.enrichment.region` Nullable(String),
  `event.enrichment.page_host` Nullable(String),
  `event.enrichment.page_path` Nullable(String),
  `event.enrichment.utm_source` Nullable(String),
  `event.enrichment.utm_medium` Nullable(String),
  `event.enrichment.utm_campaign` Nullable(String),
  `event.enrichment.utm_term` Nullable(String),
  `event.enrichment.utm_content` Nullable(String),
  `event.enrichment.referrer_host` Nullable(String),
  `event.enrichment.traffic_source` Nullable(String),
  `event.enrichment.traffic_medium` Nullable(String),
  `event.enrichment.text_policy` Nullable(String),
  `event.enrichment.redactions` Int32 DEFAULT 0,
  `event.enrichment.enriched_at` DateTime64(3),
  `event.payload` Variant(Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String), Tuple(text_version Nullable(String), text_sha256 Nullable(String), method String)),
  `_partition` Int32,
  `_offset` Int64
) ENGINE = Null
SETTINGS allow_suspicious_variant_types = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS `analytics`.`consent_events_landing_784e5079_mv`
TO `analytics`.`consent_events` AS
SELECT
  `event.envelope.event_id` AS `event_id`,
  `event.envelope.event_type` AS `event_type`,
  `event.envelope.occurred_at` AS `occurred_at`,
  `event.envelope.received_at` AS `received_at`,
  `event.envelope.occurred_at_clamped` AS `occurred_at_clamped`,
  `event.envelope.tenant_id` AS `tenant_id`,
  `event.envelope.source` AS `source`,
  `event.envelope.session_id` AS `session_id`,
  `event.envelope.anonymous_id` AS `anonymous_id`,
  `event.envelope.user_id` AS `user_id`,
  `event.envelope.consent.analytics` AS `consent_analytics`,
  `event.envelope.consent.marketing` AS `consent_marketing`,
  `event.envelope.consent.functional` AS `consent_functional`,
  `event.envelope.consent.gpc` AS `consent_gpc`,
  `event.envelope.consent.dnt` AS `consent_dnt`,
  `event.envelope.consent.anonymized` AS `consent_anonymized`,
  `event.envelope.context.ip` AS `context_ip`,
  `event.envelope.context.user_agent` AS `context_user_agent`,
  `event.envelope.context.locale` AS `context_locale`,
  `event.envelope.context.timezone` AS `context_timezone`,
  `event.envelope.context.page_url` AS `context_page_url`,
  `event.envelope.context.referrer` AS `context_referrer`,
  `event.enrichment.device_type` AS `device_type`,
  `event.enrichment.browser` AS `browser`,
  `event.enrichment.browser_major` AS `browser_major`,
  `event.enrichment.os` AS `os`,
  `event.enrichment.os_major` AS `os_major`,
  `event.enrichment.is_bot` AS `is_bot`,
  `event.enrichment.country` AS `country`,
  `event.enrichment.region` AS `region`,
  `event.enrichment.page_host` AS `page_host`,
  `event.enrichment.page_path` AS `page_path`,
  `event.enrichment.utm_source` AS `utm_source`,
  `event.enrichment.utm_medium` AS `utm_medium`,
  `event.enrichment.utm_campaign` AS `utm_campaign`,
  `event.enrichment.utm_term` AS `utm_term`,
  `event.enrichment.utm_content` AS `utm_content`,
  `event.enrichment.referrer_host` AS `referrer_host`,
  `event.enrichment.traffic_source` AS `traffic_source`,
  `event.enrichment.traffic_medium` AS `traffic_medium`,
  `event.enrichment.text_policy` AS `text_policy`,
  `event.enrichment.redactions` AS `redactions`,
  `event.enrichment.enriched_at` AS `enriched_at`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'analytics'), NULL) AS `analytics`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'marketing'), NULL) AS `marketing`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'functional'), NULL) AS `functional`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'text_version'), tupleElement(variantElement(`event.payload`, 'Tuple(text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'text_version')) AS `text_version`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'text_sha256'), tupleElement(variantElement(`event.payload`, 'Tuple(text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'text_sha256')) AS `text_sha256`,
  multiIf(variantType(`event.payload`) = 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)', tupleElement(variantElement(`event.payload`, 'Tuple(analytics Nullable(Bool), marketing Nullable(Bool), functional Nullable(Bool), text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'method'), tupleElement(variantElement(`event.payload`, 'Tuple(text_version Nullable(String), text_sha256 Nullable(String), method String)'), 'method')) AS `method`,
  `_partition`,
  `_offset`
FROM `analytics`.`consent_events_landing_784e5079`
WHERE ifNull(`event.envelope.anonymous_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`) AND ifNull(`event.envelope.user_id`, '') NOT IN (SELECT token FROM `analytics`.`subject_erasures`);
