import { TABLES } from '@backbone/warehouse/tables';

/**
 * Sessions that have not ended yet, as readers of the session summaries see them. The
 * summaries hold sessions whose end hour the finalizer has marked; `finalized_until` is the
 * first hour it has not, and every session with an event since is merged live from
 * web_sessions (warehouse/README.md § Session summaries).
 */

/** `finalized_until`: session ends before it are in the summaries (from the finalizer's marks). */
export const finalizedUntil = (t: (table: string) => string) =>
  `WITH (SELECT max(end_hour) FROM ${t(TABLES.webSessionsFinalized)}) + INTERVAL 1 HOUR AS finalized_until`;

/**
 * Sessions not yet finalized that started in [`{start}`, `{end}`), merged from web_sessions,
 * with the columns of the warehouse's merged sessions (views, actions, orders, money, entry,
 * source, medium, device, nation, who). Only sessions with an event since `finalized_until`
 * (and since the range began) can be such, so the raw table's recent events name the few to
 * merge instead of two days of them.
 */
export const liveSessions = (t: (table: string) => string) =>
  `SELECT session_id, sum(page_views) AS views, sum(events) AS actions, sum(conversions) AS orders,
    sum(revenue) AS money, minMerge(started_at) AS began, maxMerge(ended_at) AS ended,
    argMinMerge(entry_page) AS entry, argMinMerge(traffic_source) AS source,
    argMinMerge(traffic_medium) AS medium, argMinMerge(device_type) AS device,
    argMinMerge(country) AS nation, argMinMerge(visitor) AS who
  FROM ${t(TABLES.webSessions)}
  WHERE tenant_id = {tenant:String}
    AND day >= greatest(toDate({start:DateTime64(3, 'UTC')}), toDate(finalized_until)) - 1
    AND day <= toDate({end:DateTime64(3, 'UTC')})
    AND session_id IN (
      SELECT session_id FROM ${t(TABLES.webEvents)}
      WHERE tenant_id = {tenant:String}
        AND occurred_at >= greatest(finalized_until, {start:DateTime64(3, 'UTC')}))
  GROUP BY session_id
  HAVING views > 0 AND ended >= finalized_until
    AND began >= {start:DateTime64(3, 'UTC')} AND began < {end:DateTime64(3, 'UTC')}`;
