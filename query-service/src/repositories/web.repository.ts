import { ClickHouseReader, cursorParams, page } from './reader.js';
import { chTime, type TimeRange } from '../time-range.js';
import { TABLES } from '@backbone/warehouse/tables';

const EVENT_COLUMNS = `event_id, event_type, toUnixTimestamp64Milli(occurred_at) AS at, session_id,
  page_path, page_host, device_type, country, url, title, element, target, value, currency, name, properties`;

function toEvent(r: Record<string, unknown>) {
  const type = String(r.event_type);
  const pick = (...keys: string[]) =>
    Object.fromEntries(
      keys.filter((k) => r[k] !== null && r[k] !== undefined).map((k) => [k, r[k]]),
    );
  const properties =
    type === 'page_view'
      ? pick('url', 'title')
      : type === 'click'
        ? pick('element', 'target')
        : type === 'conversion'
          ? pick('value', 'currency')
          : { name: r.name, ...((r.properties as Record<string, string> | null) ?? {}) };
  return {
    id: String(r.event_id),
    eventType: type,
    timestamp: new Date(Number(r.at)),
    sessionId: String(r.session_id),
    properties,
    url:
      typeof r.page_path === 'string'
        ? `${typeof r.page_host === 'string' ? `https://${r.page_host}` : ''}${r.page_path}`
        : null,
    deviceType: typeof r.device_type === 'string' ? r.device_type : null,
    country: typeof r.country === 'string' ? r.country : null,
  };
}

export type WebEvent = ReturnType<typeof toEvent>;

/** Single web events and sessions (the events and sessions queries), newest first with cursors. */
export class WebRepository extends ClickHouseReader {
  async events(
    tenant: string,
    range: TimeRange,
    filter: { eventType?: string | null; sessionId?: string | null },
    first: number,
    after?: string | null,
  ) {
    const rows = await this.rows(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t(TABLES.webEvents)}
WHERE tenant_id = {tenant:String}
  AND occurred_at >= {start:DateTime64(3, 'UTC')} AND occurred_at < {end:DateTime64(3, 'UTC')}
  AND ({type:Nullable(String)} IS NULL OR event_type = {type:Nullable(String)})
  AND ({session:Nullable(String)} IS NULL OR session_id = {session:Nullable(String)})
  AND ({cursor_at:Nullable(Int64)} IS NULL
    OR (toUnixTimestamp64Milli(occurred_at), event_id) < ({cursor_at:Nullable(Int64)}, {cursor_id:String}))
ORDER BY occurred_at DESC, event_id DESC
LIMIT 1 BY event_id
LIMIT {limit:UInt32}`,
      {
        tenant,
        start: chTime(range.start),
        end: chTime(range.end),
        type: filter.eventType ?? null,
        session: filter.sessionId ?? null,
        ...cursorParams(after),
        limit: first + 1,
      },
    );
    return page(rows, first, toEvent, (n) => ({ at: n.timestamp.getTime(), id: n.id }));
  }

  async event(tenant: string, id: string): Promise<WebEvent | null> {
    const rows = await this.rows(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t(TABLES.webEvents)}
WHERE tenant_id = {tenant:String} AND event_id = {id:String} LIMIT 1`,
      { tenant, id },
    );
    return rows[0] ? toEvent(rows[0]) : null;
  }

  /** A session's events in order (at most 1,000). */
  async sessionEvents(tenant: string, sessionId: string): Promise<WebEvent[]> {
    const rows = await this.rows(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t(TABLES.webEvents)}
WHERE tenant_id = {tenant:String} AND session_id = {session:String}
ORDER BY occurred_at, event_id LIMIT 1 BY event_id LIMIT 1000`,
      { tenant, session: sessionId },
    );
    return rows.map(toEvent);
  }

  private sessionSelect() {
    return `SELECT session_id AS id, toUnixTimestamp64Milli(minMerge(started_at)) AS began,
  toUnixTimestamp64Milli(maxMerge(ended_at)) AS ended, sum(page_views) AS views,
  argMinMerge(entry_page) AS entry, argMaxMerge(exit_page) AS exit_path,
  argMinMerge(traffic_source) AS origin
FROM ${this.t(TABLES.webSessions)}`;
  }

  private toSession(r: Record<string, unknown>) {
    const began = Number(r.began);
    const ended = Number(r.ended);
    const views = Number(r.views);
    return {
      id: String(r.id),
      startedAt: new Date(began),
      endedAt: new Date(ended),
      durationSeconds: Math.round((ended - began) / 1000),
      pageViews: views,
      isBounce: views === 1,
      entryPage: typeof r.entry === 'string' && r.entry !== '' ? r.entry : null,
      exitPage: typeof r.exit_path === 'string' && r.exit_path !== '' ? r.exit_path : null,
      source: typeof r.origin === 'string' && r.origin !== '' ? r.origin : null,
    };
  }

  async sessions(tenant: string, range: TimeRange, first: number, after?: string | null) {
    return this.sessionsPage(
      this.sessionSelect(),
      { tenant, range, first, after },
      (r: Record<string, unknown>) => this.toSession(r),
    );
  }

  async session(tenant: string, id: string) {
    const rows = await this.rows(
      `${this.sessionSelect()} WHERE tenant_id = {tenant:String} AND session_id = {id:String} GROUP BY session_id`,
      { tenant, id },
    );
    return rows[0] ? this.toSession(rows[0]) : null;
  }
}
