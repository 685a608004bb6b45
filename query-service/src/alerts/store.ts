import { randomBytes } from 'node:crypto';
import type { KeyWriter } from '@backbone/ingest-gateway';
import type { Logger } from '@backbone/runtime';
import { describeChange, settled, settledWhen, type AuditRow } from '../admin-audit.js';
import { alertKey, type AlertRecord, type AlertSettings } from './rules.js';

/** Alerts as the tenants topic holds them, by `<tenant>/<id>`: filled by the topic's reader. */
export class AlertBook {
  readonly byKey = new Map<string, AlertRecord>();

  constructor(private readonly logger: Logger) {}

  /** A record of the tenants topic; those that are not alerts are for others. */
  apply = (key: string, value: Buffer | null): void => {
    if (!key.startsWith('alert/')) return;
    const name = key.slice('alert/'.length);
    if (value === null) {
      this.byKey.delete(name);
      return;
    }
    try {
      this.byKey.set(name, JSON.parse(value.toString('utf8')) as AlertRecord);
    } catch {
      this.logger.warn({ alert: name }, 'an unreadable alert record; skipped');
    }
  };

  list(tenant?: string): AlertRecord[] {
    return [...this.byKey.values()].filter((a) => tenant === undefined || a.tenant_id === tenant);
  }

  get(tenant: string, id: string): AlertRecord | undefined {
    return this.byKey.get(`${tenant}/${id}`);
  }
}

/** What the alerts API does; each change audited, the read waiting until the topic shows it. */
export interface AlertStore {
  list(tenant?: string): Promise<AlertRecord[]>;
  get(tenant: string, id: string): Promise<AlertRecord | undefined>;
  create(tenant: string, settings: Required<AlertSettings>, by: string): Promise<AlertRecord>;
  update(
    tenant: string,
    id: string,
    change: AlertSettings & { secret_version?: number },
    by: string,
  ): Promise<AlertRecord | undefined>;
  remove(tenant: string, id: string, by: string): Promise<boolean>;
}

export function alertStore(
  book: AlertBook,
  connected: () => Promise<{ writer: KeyWriter }>,
  audit: (row: AuditRow) => Promise<void>,
): AlertStore {
  const put = async (record: AlertRecord, action: string, detail: string) => {
    const { writer } = await connected();
    await audit({
      actor: record.changed_by,
      action,
      tenant: record.tenant_id,
      target: record.id,
      detail,
    });
    await writer.send(alertKey(record.tenant_id, record.id), record);
    await settled(() => book.get(record.tenant_id, record.id), record.changed_at);
    return record;
  };
  // A webhook URL may carry a token in its path: the audit names the host only.
  const describe = (change: object) =>
    describeChange(change, { webhook_url: (v) => new URL(String(v)).host });
  return {
    list: async (tenant) => (await connected(), book.list(tenant)),
    get: async (tenant, id) => (await connected(), book.get(tenant, id)),
    async create(tenant, settings, by) {
      const now = new Date().toISOString();
      const record: AlertRecord = {
        kind: 'alert',
        id: `alert_${randomBytes(6).toString('hex')}`,
        tenant_id: tenant,
        ...settings,
        secret_version: 1,
        created_at: now,
        changed_by: by,
        changed_at: now,
      };
      return put(record, 'alert.create', describe(settings));
    },
    async update(tenant, id, change, by) {
      await connected();
      const old = book.get(tenant, id);
      if (!old) return undefined;
      const next = { ...old, ...change, changed_by: by, changed_at: new Date().toISOString() };
      return put(next, 'alert.update', describe(change));
    },
    async remove(tenant, id, by) {
      const { writer } = await connected();
      if (!book.get(tenant, id)) return false;
      await audit({ actor: by, action: 'alert.delete', tenant, target: id, detail: '' });
      await writer.send(alertKey(tenant, id), null);
      await settledWhen(() => !book.get(tenant, id));
      return true;
    },
  };
}
