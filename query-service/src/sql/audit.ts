import { TABLES } from '@backbone/warehouse/tables';
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Viewer } from '../auth.js';
import { chTime } from '../time-range.js';

export type AuditStatus = 'running' | 'ok' | 'refused' | 'failed';

export interface AuditEntry {
  queryId: string;
  viewer: Viewer;
  requestId: string;
  startedAt: Date;
  sql: string;
  tables?: string[];
}

export interface AuditOutcome {
  status: Exclude<AuditStatus, 'running'>;
  errorCode?: string;
  rows?: number;
  bytes?: number;
}

/**
 * The SQL audit trail in ClickHouse (`<database>.sql_audit`, made by the migrations), written
 * with credentials that may insert there and nothing else. `started` must succeed before a
 * statement runs; `finished` records how it ended.
 */
export class SqlAudit {
  constructor(
    private readonly writer: ClickHouseClient,
    private readonly database: string,
  ) {}

  started(entry: AuditEntry): Promise<void> {
    return this.write(entry, 1, { status: 'running' });
  }

  finished(entry: AuditEntry, outcome: AuditOutcome): Promise<void> {
    return this.write(entry, 2, outcome);
  }

  private async write(
    entry: AuditEntry,
    version: number,
    outcome: { status: AuditStatus } & Omit<AuditOutcome, 'status'>,
  ): Promise<void> {
    const now = new Date();
    await this.writer.insert({
      table: `${this.database}.${TABLES.sqlAudit}`,
      format: 'JSONEachRow',
      values: [
        {
          query_id: entry.queryId,
          tenant_id: entry.viewer.tenantId,
          subject: entry.viewer.subject,
          role: entry.viewer.role,
          request_id: entry.requestId,
          started_at: chTime(entry.startedAt),
          finished_at: version === 1 ? null : chTime(now),
          sql_sha256: createHash('sha256').update(entry.sql).digest('hex'),
          sql_bytes: Buffer.byteLength(entry.sql),
          tables: entry.tables ?? [],
          status: outcome.status,
          error_code: outcome.errorCode ?? '',
          result_rows: outcome.rows ?? 0,
          result_bytes: outcome.bytes ?? 0,
          duration_ms: version === 1 ? 0 : now.getTime() - entry.startedAt.getTime(),
          version,
        },
      ],
    });
  }
}

/** What the SQL endpoint needs of an audit trail. */
export type AuditLog = Pick<SqlAudit, 'started' | 'finished'>;
