import { DISTINCT_PRECISION, TABLES } from '@backbone/warehouse/tables';

const DAY = 86_400;

/**
 * The data set of bench:query: statements that write the rollups of N synthetic web events
 * (and N / 10 transcript segments) over the last 30 days straight into ClickHouse, as the
 * views and the session finalizer would have, and the raw events of the last two hours.
 * `src` is the events as a SELECT, for exact counts to compare the estimates with.
 */
export function rollupData(N: number): { src: string; inserts: [string, string][] } {
  // One event a second-ish across 30 days: minute = T0 - (n mod 30 d); sessions of ~20 events.
  // T0 is fixed when the bench starts, so every table below (and the exact counts) places an
  // event in the same minute, however long the inserts take.
  const T0 = `toDateTime(${Math.floor(Date.now() / 1000)}, 'UTC')`;
  const src = `SELECT number AS n, toStartOfMinute(${T0} - toIntervalSecond(n % ${30 * DAY})) AS minute,
  ['page_view', 'page_view', 'page_view', 'click', 'conversion'][n % 5 + 1] AS event_type,
  concat('v', toString(n % 1000003)) AS visitor, concat('s', toString(intDiv(n, 20))) AS session,
  concat('/p/', toString(n % 50)) AS page FROM numbers(${N})`;
  // The last two hours arrive as raw events, as the sink writes them, so their rollups come
  // from the materialized views and the readers' live parts have real recent events to read.
  const past = `SELECT * FROM (${src}) WHERE minute < ${T0} - INTERVAL 2 HOUR`;
  const recent = `INSERT INTO analytics.${TABLES.webEvents} (event_id, event_type, occurred_at, received_at,
enriched_at, tenant_id, source, session_id, anonymous_id, page_host, page_path, value)
SELECT concat('e', toString(n)), event_type, toDateTime64(minute, 3, 'UTC'), toDateTime64(minute, 3, 'UTC'),
toDateTime64(minute, 3, 'UTC'), 'bench', 'bench', session, visitor, 'shop.example', page,
if(event_type = 'conversion', 49.5, NULL)
FROM (${src}) WHERE minute >= ${T0} - INTERVAL 2 HOUR`;
  const S = `uniqCombinedState(${DISTINCT_PRECISION})`;
  const DEVICE_DIMS = `['desktop', 'mobile', 'tablet'][n % 3 + 1], ['Chrome', 'Firefox', 'Safari', 'Edge'][n % 4 + 1],
['Windows', 'macOS', 'Android', 'iOS', 'Linux'][n % 5 + 1]`;
  const GEO_DIMS = "['DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'PL'][n % 8 + 1], ''";
  const inserts: [string, string][] = [
    ...(
      [
        [TABLES.webTraffic1m, 'minute'],
        [TABLES.webTraffic1h, 'toStartOfHour(minute)'],
        [TABLES.webTraffic1d, 'toDate(minute)'],
      ] as const
    ).map(([table, bucket]): [string, string] => [
      table,
      `INSERT INTO analytics.${table} SELECT 'bench', ${bucket} AS b, count(), countIf(event_type = 'page_view'),
${S}(visitor), ${S}(session), countIf(event_type = 'conversion'), sumIf(49.5, event_type = 'conversion')
FROM (${past}) GROUP BY b`,
    ]),
    [
      `${TABLES.webPages1d}`,
      `INSERT INTO analytics.${TABLES.webPages1d} SELECT 'bench', toDate(minute) AS day, 'shop.example', page,
count(), ${S}(visitor), ${S}(session) FROM (${past}) WHERE event_type = 'page_view' GROUP BY day, page`,
    ],
    [
      `${TABLES.webPages1h}`,
      `INSERT INTO analytics.${TABLES.webPages1h} SELECT 'bench', toStartOfHour(minute) AS hour, 'shop.example', page,
count(), ${S}(visitor), ${S}(session) FROM (${past}) WHERE event_type = 'page_view' GROUP BY hour, page`,
    ],
    ...[TABLES.webDevices1h, TABLES.webDevices1d, TABLES.webGeo1h, TABLES.webGeo1d]
      .map(
        (table) =>
          [
            table,
            table.endsWith('_1d') ? 'toDate(minute)' : 'toStartOfHour(minute)',
            table.startsWith('web_geo') ? GEO_DIMS : DEVICE_DIMS,
          ] as const,
      )
      .map(([table, bucket, dims]): [string, string] => [
        table,
        `INSERT INTO analytics.${table} SELECT 'bench', ${bucket} AS b, ${dims}, count(),
countIf(event_type = 'page_view'), ${S}(visitor), ${S}(session) FROM (${past}) GROUP BY ALL`,
      ]),
    [
      `${TABLES.webSessions}`,
      `INSERT INTO analytics.${TABLES.webSessions} (tenant_id, day, session_id, started_at, ended_at, events, page_views,
entry_page, exit_page, traffic_source)
SELECT 'bench', toDate(min(minute)), session, minState(toDateTime64(minute, 3, 'UTC')),
maxState(toDateTime64(minute, 3, 'UTC')), count(), countIf(event_type = 'page_view'),
argMinState(page, toDateTime64(minute, 3, 'UTC')), argMaxState(page, toDateTime64(minute, 3, 'UTC')),
argMinState('google', toDateTime64(minute, 3, 'UTC'))
FROM (${past}) GROUP BY session`,
    ],
  ];
  inserts.push(...sessionInserts(past, T0, S));
  inserts.push([`${TABLES.webEvents} (the last 2 h, through the views)`, recent]);
  inserts.push(...speechInserts(N, T0));
  return { src, inserts };
}

/** Ended sessions in the summaries, as the session finalizer leaves them. */
function sessionInserts(past: string, T0: string, S: string): [string, string][] {
  // Ended sessions (idle 30 min) in the summaries, as the session finalizer leaves them; the
  // newest ones stay live in web_sessions for the readers to merge.
  // All but the last idle hour: the finalizer itself does that one below, timed.
  const cutoff = `(toStartOfHour(${T0} - INTERVAL 30 MINUTE) - INTERVAL 1 HOUR)`;
  const ended = `SELECT session, min(minute) AS began, max(minute) AS ended, countIf(event_type = 'page_view') AS views,
countIf(event_type = 'conversion') AS orders, argMin(page, minute) AS entry, count() AS actions,
argMin(visitor, minute) AS who, intDiv(min(n), 20) AS k
FROM (${past}) GROUP BY session HAVING views > 0 AND ended < ${cutoff}`;
  // A session's segment: five sources, three device types, eight countries, and (apart from
  // them) one of the 50 pages to land on.
  const SEGMENT = `['google', '(direct)', 'bing', 'newsletter', 'twitter'][k % 5 + 1],
['organic', '(none)', 'organic', 'email', 'social'][k % 5 + 1], ['desktop', 'mobile', 'tablet'][k % 3 + 1],
['DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'PL'][k % 8 + 1]`;
  const segmentInsert = (table: string, entry: boolean) =>
    [
      table,
      `INSERT INTO analytics.${table} SELECT 'bench', toStartOfHour(began) AS sh, toStartOfHour(ended) AS h,
${entry ? "concat('/p/', toString(cityHash64(k) % 50)), " : ''}${SEGMENT}, count(), countIf(views = 1), sum(dateDiff('millisecond', began, ended)),
sum(actions), sum(views), sum(orders), 49.5 * sum(orders), ${S}(who)
FROM (${ended}) GROUP BY ALL`,
    ] as [string, string];
  return [
    [
      `${TABLES.webSessionStarts1m}`,
      `INSERT INTO analytics.${TABLES.webSessionStarts1m} SELECT 'bench', toStartOfMinute(began) AS m, toStartOfHour(ended) AS h,
count(), countIf(views = 1), sum(dateDiff('millisecond', began, ended)), sum(views), sum(orders), 49.5 * sum(orders)
FROM (${ended}) GROUP BY m, h`,
    ],
    [
      `${TABLES.webSessionEntries1h}`,
      `INSERT INTO analytics.${TABLES.webSessionEntries1h} SELECT 'bench', toStartOfHour(began) AS sh, toStartOfHour(ended) AS h,
entry, 'google', '', count(), countIf(views = 1) FROM (${ended}) GROUP BY sh, h, entry`,
    ],
    segmentInsert(TABLES.webSessionSegments1h, false),
    segmentInsert(TABLES.webSessionLandings1h, true),
    [
      `${TABLES.webSessionsFinalized}`,
      `INSERT INTO analytics.${TABLES.webSessionsFinalized} (end_hour)
SELECT arrayJoin(timeSlots(toDateTime(${T0} - INTERVAL 31 DAY), toUInt32(dateDiff('second', ${T0} - INTERVAL 31 DAY, ${cutoff}) - 1), 3600))`,
    ],
  ];
}

/** Transcript segments in the speech rollups. */
function speechInserts(N: number, T0: string): [string, string][] {
  // Speech: a transcript segment for every tenth web event, over the same 30 days, by three
  // models and four languages; sessions of ~50 segments, three speakers each.
  const segments = `SELECT number AS n, toStartOfMinute(${T0} - toIntervalSecond((n * 10) % ${30 * DAY})) AS minute,
  ['whisper-large', 'nova-2', 'chirp'][n % 3 + 1] AS model, ['en', 'de', 'fr', 'es'][intDiv(n, 3) % 4 + 1] AS lang,
  n % 2 = 0 AS fin, toUInt64(n % 20 + 1) AS words, toUInt64(2000 + n % 3000) AS audio,
  toFloat64(100 + n % 900) AS lat, concat('stt', toString(intDiv(n, 50))) AS session,
  concat('spk', toString(n % 3)) AS speaker FROM numbers(${Math.floor(N / 10)})`;
  return [
    ...(
      [
        [TABLES.sttQuality1m, 'minute', 'minute'],
        [TABLES.sttQuality1h, 'hour', 'toStartOfHour(minute)'],
        [TABLES.sttQuality1d, 'day', 'toDate(minute)'],
      ] as const
    ).map(([table, time, bucket]): [string, string] => [
      table,
      `INSERT INTO analytics.${table} (tenant_id, ${time}, model_id, language, segments,
final_segments, final_words, final_audio_ms, confidence, latency_ms, real_time_factor, sessions_started, errors)
SELECT 'bench', ${bucket} AS b, model, lang, count(), countIf(fin), sumIf(words, fin), sumIf(audio, fin),
avgIfState(0.7 + (n % 300) / 1000, fin), quantilesState(0.5, 0.95, 0.99)(lat),
quantilesState(0.5, 0.95, 0.99)(lat / audio), countIf(n % 50 = 0), countIf(n % 200 = 0)
FROM (${segments}) GROUP BY b, model, lang`,
    ]),
    [
      TABLES.sttSpeakers,
      `INSERT INTO analytics.${TABLES.sttSpeakers} (tenant_id, day, session_id, speaker_id, talk_ms, segments, words, first_seen)
SELECT 'bench', toDate(min(minute)), session, speaker, toInt64(sum(audio)), count(), sum(words),
minState(toDateTime64(minute, 3, 'UTC'))
FROM (${segments}) GROUP BY session, speaker`,
    ],
  ];
}
