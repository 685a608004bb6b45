import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import {
  ApiKeyStore,
  derivedSigningSecret,
  KeyDirectory,
  KeyWriter,
  TENANTS_TOPIC,
  type KeyRecord,
  type TenantRecord,
} from '@backbone/ingest-gateway';
import { describeChange, recordChange, settled, type AuditRow } from './admin-audit.js';
import { conflict, QueryError } from './errors.js';
import { AlertBook, alertStore, type AlertStore } from './alerts/store.js';
import { kafkaAuth } from '@backbone/runtime';

/** An API key as the admin API shows it: never its key or hash. */
export type KeyView = Omit<KeyRecord, 'hash' | 'kind'>;

export const keyView = ({ hash: _hash, kind: _kind, ...rest }: KeyRecord): KeyView => rest;

/** A change to a key that keeps it: its limit and consent policy. */
export type KeyChange = Pick<KeyRecord, 'rate_limit_per_minute' | 'consent_policy'>;

/** What an admin may set on a tenant (id, kind and audit fields are the service's). */
export type TenantChange = Partial<
  Pick<TenantRecord, 'name' | 'status' | 'transcript_mode' | 'retention_days'>
>;

/**
 * What the admin API does with tenants and their API keys (the tenants topic), each change
 * audited. Unknown ids are undefined; a key for a disabled tenant, or a tenant created twice,
 * throws a CONFLICT.
 */
export interface KeyAdmin {
  create(o: {
    tenantId: string;
    source: string;
    consentPolicy?: 'anonymize' | 'drop';
    rateLimitPerMinute?: number;
    /** Requests must be signed: the secret is returned once (`signingSecret`). */
    signed?: boolean;
    by: string;
  }): Promise<{ key: string; record: KeyRecord; signingSecret?: string }>;
  list(tenant?: string): Promise<KeyRecord[]>;
  /** Refused from now on. */
  revoke(id: string, by: string): Promise<KeyRecord | undefined>;
  /** A new key for the same tenant and source; the old one refused after the overlap. */
  rotate(
    id: string,
    overlapSeconds: number,
    by: string,
  ): Promise<
    { key: string; record: KeyRecord; old: KeyRecord; signingSecret?: string } | undefined
  >;
  update(id: string, change: KeyChange, by: string): Promise<KeyRecord | undefined>;
  createTenant(id: string, change: TenantChange, by: string): Promise<TenantRecord>;
  /** Every gateway and enrich instance follows the change within about a second. */
  updateTenant(id: string, change: TenantChange, by: string): Promise<TenantRecord | undefined>;
  tenants(): Promise<TenantRecord[]>;
  /** Tenants' alerts, in the same topic (`alert/<tenant>/<id>`). */
  alerts: AlertStore;
  stop(): Promise<void>;
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
  /** Derives signed keys' secrets (SIGNING_SECRET_KEY, as the gateways have it). */
  signingMaster?: string;
}): KeyAdmin {
  const topic = o.topic ?? TENANTS_TOPIC;
  const kafka = new Kafka({
    ...kafkaAuth(),
    clientId: 'query-service-keys',
    brokers: o.brokers,
    logLevel: logLevel.NOTHING,
  });
  const book = new AlertBook(o.logger);
  const { connected, parts } = lazyTopic(kafka, topic, o.logger, book.apply);
  const audit = (row: AuditRow) => recordChange(o.writer, o.database, row);
  const canSign = (signed: boolean | undefined) => {
    if (signed && !o.signingMaster)
      throw new QueryError(
        'UNAVAILABLE',
        503,
        'signed keys need SIGNING_SECRET_KEY on the query service',
      );
  };
  const secretOf = (r: KeyRecord) =>
    r.signed && o.signingMaster
      ? { signingSecret: derivedSigningSecret(o.signingMaster, r.id) }
      : {};
  const keyChanged = async (directory: KeyDirectory, next: KeyRecord) => {
    await settled(() => directory.recordOf(next.id), next.changed_at);
    return next;
  };
  return {
    async create(c) {
      const { directory, writer } = await connected();
      if (directory.tenantOf(c.tenantId)?.status === 'disabled')
        throw conflict(`tenant_id: ${c.tenantId} is disabled; enable it before giving it keys`);
      canSign(c.signed);
      const made = await writer.create(c);
      const { by, tenantId, ...rest } = c;
      await audit({
        actor: by,
        action: 'key.create',
        tenant: tenantId,
        target: made.record.id,
        detail: describeChange(rest),
      });
      await keyChanged(directory, made.record);
      return { ...made, ...secretOf(made.record) };
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
      return keyChanged(directory, await writer.expire(old, by));
    },
    async rotate(id, overlapSeconds, by) {
      const { directory, writer } = await connected();
      const old = directory.recordOf(id);
      if (!old) return undefined;
      canSign(old.signed);
      const rotated = await writer.rotate(old, overlapSeconds, by);
      await audit({
        actor: by,
        action: 'key.rotate',
        tenant: old.tenant_id,
        target: id,
        detail: `new=${rotated.record.id}; overlap_seconds=${overlapSeconds}`,
      });
      await keyChanged(directory, rotated.old);
      return { ...rotated, ...secretOf(rotated.record) };
    },
    async update(id, change, by) {
      const { directory, writer } = await connected();
      const old = directory.recordOf(id);
      if (!old) return undefined;
      await audit({
        actor: by,
        action: 'key.update',
        tenant: old.tenant_id,
        target: id,
        detail: describeChange(change),
      });
      return keyChanged(directory, await writer.update(old, change, by));
    },
    ...tenantAdmin(connected, audit),
    alerts: alertStore(book, connected, audit),
    async stop() {
      const p = await parts()?.catch(() => undefined);
      await p?.directory.stop();
      await p?.producer.disconnect();
    },
  };
}

/** Tenants: created once, changed as a whole record (last writer wins), audited. */
function tenantAdmin(
  connected: () => Promise<{ directory: KeyDirectory; writer: KeyWriter }>,
  audit: (row: AuditRow) => Promise<void>,
): Pick<KeyAdmin, 'createTenant' | 'updateTenant' | 'tenants'> {
  const tenantChanged = async (directory: KeyDirectory, next: TenantRecord) => {
    await settled(() => directory.tenantOf(next.id), next.changed_at);
    return next;
  };
  return {
    async createTenant(id, change, by) {
      const { directory, writer } = await connected();
      if (directory.tenantOf(id)) throw conflict(`id: the tenant ${id} exists already`);
      const record = { status: 'active' as const, ...change, id };
      await audit({
        actor: by,
        action: 'tenant.create',
        tenant: id,
        target: id,
        detail: describeChange(change),
      });
      const now = new Date().toISOString();
      return tenantChanged(directory, await writer.putTenant({ ...record, created_at: now }, by));
    },
    async updateTenant(id, change, by) {
      const { directory, writer } = await connected();
      const old = directory.tenantOf(id);
      if (!old) return undefined;
      await audit({
        actor: by,
        action: 'tenant.update',
        tenant: id,
        target: id,
        detail: describeChange(change),
      });
      const { kind: _k, changed_by: _b, changed_at: _a, ...kept } = old;
      return tenantChanged(directory, await writer.putTenant({ ...kept, ...change, id }, by));
    },
    async tenants() {
      return (await connected()).directory.tenantRecords();
    },
  };
}

type TopicParts = { directory: KeyDirectory; writer: KeyWriter; producer: Producer };

/** The tenants topic's reader and writer, connected on first use (again after a failure). */
function lazyTopic(
  kafka: Kafka,
  topic: string,
  logger: Logger,
  onRecord: (key: string, value: Buffer | null) => void,
): { connected: () => Promise<TopicParts>; parts: () => Promise<TopicParts> | undefined } {
  let parts: Promise<TopicParts> | undefined;
  const connected = () =>
    (parts ??= (async () => {
      const directory = new KeyDirectory({
        kafka,
        topic,
        file: new ApiKeyStore([]),
        logger,
        onRecord,
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
  return { connected, parts: () => parts };
}
