import type { Readable } from 'node:stream';
import { TABLES } from '@backbone/warehouse/tables';
import { ClickHouseReader } from './reader.js';
import { chTime, type TimeRange } from '../time-range.js';

/** What an export holds: identifiers and dimensions of class none/low, never masked values. */
const COLUMNS = `event_id, event_type, occurred_at, session_id, page_host, page_path, device_type,
  browser, os, country, region, traffic_source, traffic_medium, utm_source, utm_medium, utm_campaign,
  value, currency`;

/** ClickHouse output formats an export can be written in. */
export type ExportFormat = 'CSVWithNames' | 'JSONEachRow';

/** A tenant's web events of a time range, as ClickHouse writes them: a stream, never whole. */
export class ExportRepository extends ClickHouseReader {
  async webEvents(tenant: string, range: TimeRange, format: ExportFormat): Promise<Readable> {
    const { stream } = await this.clickhouse.exec({
      query: `SELECT ${COLUMNS} FROM ${this.t(TABLES.webEvents)}
WHERE tenant_id = {tenant:String}
  AND occurred_at >= {start:DateTime64(3, 'UTC')} AND occurred_at < {end:DateTime64(3, 'UTC')}
ORDER BY occurred_at, event_id
FORMAT ${format}`,
      query_params: { tenant, start: chTime(range.start), end: chTime(range.end) },
    });
    return stream;
  }
}
