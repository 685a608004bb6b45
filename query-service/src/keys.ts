import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import {
  ApiKeyStore,
  KeyDirectory,
  KeyWriter,
  TENANTS_TOPIC,
  type KeyRecord,
  type TenantRecord,
} from '@backbone/ingest-gateway';
import { clickhouseTime, qualified, TABLES } from '@backbone/warehouse';

/** An API key as the admin API shows it: never its key or hash. */
export type KeyView = Omit<KeyRecord, 'hash' | 'kind'>;

export const keyView = ({ hash: _hash, kind: _kind, ...rest }: KeyRecord): KeyView => rest;

/** What the admin API does with API keys (the tenants topic), each change audited. */
export interface KeyAdmin {
  create(o: {
    tenantId: string;
    source: string;
    consentPolicy?: 'anonymize' | 'drop';
    by: string;
  }): Promise<{ key: string; record: KeyRecord }>;
  list(tenant?: string): Promise<KeyRecord[]>;
  /** Refused from now on; undefined when there is no such key. */
  revoke(id: string, by: string): Promise<KeyRecord | undefined>;
  /** A new key for the same tenant and source; the old one refused after the overlap. */
  rotate(
    id: string,
    overlapSeconds: number,
    by: string,
  ): Promise<{ key: string; record: KeyRecord; old: KeyRecord } | undefined>;
  /** Sets a tenant's transcript mode; every enrich instance follows it within about a second. */
  setTenant(id: string, transcriptMode: 'drop' | 'redact', by: string): Promise<TenantRecord>;
  tenants(): Promise<TenantRecord[]>;
  stop(): Promise<void>;
}

interface AuditRow {
  actor: string;
  action: string;
  tenant: string;
  target: string;
  detail: string;
}

/** One change in admin_audit: who, what, when; never a key. */
async function recordChange(writer: ClickHouseClient, database: string, row: AuditRow) {
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

/** Waits (2 s at most) until the directory has read the write just made: a list shows it. */
async function settled(directory: KeyDirectory, id: string, changedAt: string): Promise<void> {
  for (let i = 0; i < 100 && directory.recordOf(id)?.changed_at !== changedAt; i++)
    await new Promise((r) => setTimeout(r, 20));
}

/**
 * Keys in the tenants topic, as the gateways follow it. The topic is read (and the producer
 * connected) on the first call, so Kafka is not a dependency of the dashboard's queries.
 * Every change is recorded in `admin_audit` (who, what, when; never a key) before it is made.
 */
export function kafkaKeyAdmin(o: {
  brokers: string[];
  topic?: string;
  /** May insert into admin_audit (the audit writer). */
  writer: ClickHouseClient;
  database: string;
  logger: Logger;
}): KeyAdmin {
  const topic = o.topic ?? TENANTS_TOPIC;
  const kafka = new Kafka({
    clientId: 'query-service-keys',
    brokers: o.brokers,
    logLevel: logLevel.NOTHING,
  });
  let parts:
    Promise<{ directory: KeyDirectory; writer: KeyWriter; producer: Producer }> | undefined;
  const connected = () =>
    (parts ??= (async () => {
      const directory = new KeyDirectory({
        kafka,
        topic,
        file: new ApiKeyStore([]),
        logger: o.logger,
      });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      try {
        await directory.start();
        await directory.whenReady();
        await producer.connect();
      } catch (err) {
        parts = undefined;
        await directory.stop().catch(() => undefined);
        throw err;
      }
      return { directory, writer: new KeyWriter(producer, topic), producer };
    })());
  const audit = (row: AuditRow) => recordChange(o.writer, o.database, row);
  return {
    async create(c) {
      const { directory, writer } = await connected();
      const made = await writer.create(c);
      await audit({
        actor: c.by,
        action: 'key.create',
        tenant: c.tenantId,
        target: made.record.id,
        detail: `source=${c.source}${c.consentPolicy ? `; consent_policy=${c.consentPolicy}` : ''}`,
      });
      await settled(directory, made.record.id, made.record.changed_at);
      return made;
    },
    async list(tenant) {
      return (await connected()).directory.list(tenant);
    },
    async revoke(id, by) {
      const { directory, writer } = await connected();
      const old = directory.recordOf(id);
      if (!old) return undefined;
      await audit({
        actor: by,
        action: 'key.revoke',
        tenant: old.tenant_id,
        target: id,
        detail: '',
      });
      const next = await writer.expire(old, by);
      await settled(directory, id, next.changed_at);
      return next;
    },
    async rotate(id, overlapSeconds, by) {
      const { directory, writer } = await connected();
      const old = directory.recordOf(id);
      if (!old) return undefined;
      const made = await writer.create({
        tenantId: old.tenant_id,
        source: old.source,
        ...(old.consent_policy ? { consentPolicy: old.consent_policy } : {}),
        by,
      });
      await audit({
        actor: by,
        action: 'key.rotate',
        tenant: old.tenant_id,
        target: id,
        detail: `new=${made.record.id}; overlap_seconds=${overlapSeconds}`,
      });
      const expired = await writer.expire(old, by, new Date(Date.now() + overlapSeconds * 1000));
      await settled(directory, id, expired.changed_at);
      return { ...made, old: expired };
    },
    async setTenant(id, transcriptMode, by) {
      const { directory, writer } = await connected();
      await audit({
        actor: by,
        action: 'tenant.update',
        tenant: id,
        target: id,
        detail: `transcript_mode=${transcriptMode}`,
      });
      const record = await writer.setTenant({ id, transcriptMode, by });
      for (let i = 0; i < 100 && directory.tenantOf(id)?.changed_at !== record.changed_at; i++)
        await new Promise((r) => setTimeout(r, 20));
      return record;
    },
    async tenants() {
      return (await connected()).directory.tenantRecords();
    },
    async stop() {
      const p = await parts?.catch(() => undefined);
      await p?.directory.stop();
      await p?.producer.disconnect();
    },
  };
}
