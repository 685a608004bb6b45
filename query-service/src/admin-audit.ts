import type { ClickHouseClient } from '@clickhouse/client';
import { clickhouseTime, qualified, TABLES } from '@backbone/warehouse';

/** One line of admin_audit, as the platform and tenant admin APIs write it. */
export interface AuditRow {
  actor: string;
  action: string;
  tenant: string;
  target: string;
  detail: string;
}

/**
 * An audit line's detail: the fields changed, as field=value (never a secret); `shown` turns
 * a field's value into what may be recorded of it (a webhook URL's host, say).
 */
export function describeChange(
  change: object,
  shown: Record<string, (v: unknown) => string> = {},
): string {
  return Object.entries(change)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const text = shown[k]?.(v) ?? (typeof v === 'object' ? JSON.stringify(v) : String(v));
      return `${k}=${text}`;
    })
    .join('; ');
}

/** One change in admin_audit: who, what, when; never a key. */
export async function recordChange(writer: ClickHouseClient, database: string, row: AuditRow) {
  await writer.insert({
    table: qualified({ database, suffix: '' }, TABLES.adminAudit),
    format: 'JSONEachRow',
    values: [
      {
        at: clickhouseTime(Date.now()),
        actor: row.actor,
        action: row.action,
        tenant_id: row.tenant,
        target: row.target,
        detail: row.detail,
      },
    ],
  });
}

/** Waits (2 s at most) until the tenants topic's reader shows what was just written. */
export async function settledWhen(shown: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !shown(); i++) await new Promise((r) => setTimeout(r, 20));
}

/** Waits (2 s at most) until the reader has the record changed at `changedAt`. */
export const settled = (read: () => { changed_at: string } | undefined, changedAt: string) =>
  settledWhen(() => read()?.changed_at === changedAt);
