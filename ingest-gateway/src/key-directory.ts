import { randomBytes } from 'node:crypto';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { createTopicsReady, tenantsTopicSpec, type Logger } from '@backbone/runtime';
import { generateApiKey, hashApiKey, type ApiKeyRecord } from './api-keys.js';
import type { ConsentPolicy } from './consent.js';
import { derivedSigningSecret } from './signature.js';

/** The compacted topic tenancy lives in: one record per API key (`key/<id>`), latest wins. */
export const TENANTS_TOPIC = '_tenants';

/** An API key as the topic holds it: its hash, never the key; revoked or expiring at a time. */
export interface KeyRecord extends Omit<ApiKeyRecord, 'signing_secret'> {
  kind: 'api_key';
  /** Requests must be signed with the secret derived from SIGNING_SECRET_KEY (signature.ts). */
  signed?: boolean;
  /** From then on the key is refused (revocation, or the end of a rotation's overlap). */
  expires_at?: string;
  /** Who made the change, for the audit (never a secret). */
  changed_by: string;
  changed_at: string;
}

/** How long a tenant's rows are kept, in days, per privacy class (docs/operations.md § Retention). */
export interface RetentionPolicy {
  /** Transcript text and speaker changes: what a person said. */
  speech?: number;
  /** Page views, clicks and custom events: what a person did. */
  behaviour?: number;
  /** STT sessions and their quality: operational, about no one's words. */
  operational?: number;
}

/**
 * A tenant (`tenant/<id>`, latest wins): whether it may send, and its policies, which the
 * gateways (status), enrich (transcript_mode) and the warehouse's retention job follow.
 */
export interface TenantRecord {
  kind: 'tenant';
  id: string;
  name?: string;
  /** A disabled tenant's keys are refused by every gateway; nothing it sent is deleted. */
  status?: 'active' | 'disabled';
  /** drop (the default) or redact: what happens to transcript text. */
  transcript_mode?: 'drop' | 'redact';
  retention_days?: RetentionPolicy;
  created_at?: string;
  changed_by: string;
  changed_at: string;
}

/** What the gateway asks of its keys. */
export interface KeyLookup {
  find(key: string | undefined): ApiKeyRecord | undefined;
}

/**
 * API keys from the `_tenants` topic, read by every gateway instance from the beginning and
 * followed, so a key created, revoked or rotated there applies on every instance within
 * about a second (docs/operations.md § Tenants and keys). Keys from the bootstrap file are
 * kept too; a topic record of the same id (a revocation) overrides the file's.
 */
export class KeyDirectory implements KeyLookup {
  private readonly byHash = new Map<string, KeyRecord>();
  private readonly tenants = new Map<string, TenantRecord>();
  private readonly hashOfId = new Map<string, string>();
  /** Signed keys' derived secrets, by key id: an HMAC once per key, not per request. */
  private readonly secrets = new Map<string, string>();
  /** Signed keys refused for want of SIGNING_SECRET_KEY (logged once each). */
  private readonly unverifiable = new Set<string>();
  private consumer: Consumer | undefined;
  private failed: Error | undefined;
  private caughtUp = false;

  constructor(
    private readonly o: {
      kafka: Kafka;
      topic?: string;
      /** Keys from API_KEYS_FILE (bootstrapping): used unless the topic says otherwise. */
      file: KeyLookup & { records?: readonly ApiKeyRecord[] };
      logger: Logger;
      now?: () => number;
      /** Derives the signing secrets of signed keys (SIGNING_SECRET_KEY); none: they are refused. */
      signingMaster?: string;
      /** Records of other kinds (`alert/…`), for readers that share this one's consumer. */
      onRecord?: (key: string, value: Buffer | null) => void;
    },
  ) {}

  get topic(): string {
    return this.o.topic ?? TENANTS_TOPIC;
  }

  /** The reader runs, has read the topic to its end once, and has not failed. */
  get ready(): boolean {
    return this.caughtUp && this.consumer !== undefined && this.failed === undefined;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The topic's record of a key, by id. */
  recordOf(id: string): KeyRecord | undefined {
    const hash = this.hashOfId.get(id);
    return hash === undefined ? undefined : this.byHash.get(hash);
  }

  /** The tenants the topic has policies for. */
  tenantRecords(): TenantRecord[] {
    return [...this.tenants.values()];
  }

  tenantOf(id: string): TenantRecord | undefined {
    return this.tenants.get(id);
  }

  /** The topic's keys of a tenant (every tenant without one), revoked ones included. */
  list(tenant?: string): KeyRecord[] {
    return [...this.byHash.values()].filter((r) => tenant === undefined || r.tenant_id === tenant);
  }

  find(key: string | undefined): ApiKeyRecord | undefined {
    if (!key) return undefined;
    const found = this.lookup(key);
    return found && this.tenants.get(found.tenant_id)?.status !== 'disabled' ? found : undefined;
  }

  private lookup(key: string): ApiKeyRecord | undefined {
    const record = this.byHash.get(hashApiKey(key));
    if (record) {
      const now = (this.o.now ?? Date.now)();
      if (record.expires_at !== undefined && Date.parse(record.expires_at) <= now) return undefined;
      if (!record.signed) return record;
      // A signed key without the master to derive its secret cannot be checked: refused.
      if (!this.o.signingMaster) {
        if (this.unverifiable.has(record.id)) return undefined;
        this.unverifiable.add(record.id);
        this.o.logger.error(
          { key: record.id },
          'a signed API key was used, but this gateway has no SIGNING_SECRET_KEY: refused',
        );
        return undefined;
      }
      return { ...record, signing_secret: this.secretOf(record.id, this.o.signingMaster) };
    }
    const fromFile = this.o.file.find(key);
    // A file key the topic revoked (same id, another record) is refused.
    return fromFile && !this.hashOfId.has(fromFile.id) ? fromFile : undefined;
  }

  private secretOf(id: string, master: string): string {
    let secret = this.secrets.get(id);
    if (secret === undefined) this.secrets.set(id, (secret = derivedSigningSecret(master, id)));
    return secret;
  }

  /** Starts following the topic (created if missing); resolves once it has been read to its end. */
  async start(): Promise<void> {
    const { kafka, logger } = this.o;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTenantsTopic(admin, this.topic);
      const ends = await admin.fetchTopicOffsets(this.topic);
      const consumer = kafka.consumer({
        groupId: `backbone-keys-${randomBytes(6).toString('hex')}`,
        maxWaitTimeInMs: 500,
        sessionTimeout: 10_000,
      });
      this.consumer = consumer;
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) this.failed = e.payload.error;
      });
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      const pending = new Map(
        ends.filter((p) => BigInt(p.high) > 0n).map((p) => [p.partition, BigInt(p.high)]),
      );
      if (pending.size === 0) this.caughtUp = true;
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) this.apply(m.key?.toString() ?? '', m.value);
          const next = BigInt(batch.lastOffset()) + 1n;
          if ((pending.get(batch.partition) ?? 0n) <= next) pending.delete(batch.partition);
          if (pending.size === 0) this.caughtUp = true;
          await Promise.resolve();
        },
      });
      logger.info({ topic: this.topic }, 'following API keys');
    } finally {
      await admin.disconnect();
    }
  }

  /** Resolves once the topic has been read to its end (as it was at start). */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ready) {
      if (this.failed) throw this.failed;
      if (Date.now() > deadline)
        throw new Error(`the topic ${this.topic} was not read to its end within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private apply(key: string, value: Buffer | null): void {
    if (key.startsWith('tenant/')) {
      const id = key.slice('tenant/'.length);
      if (value === null) this.tenants.delete(id);
      else
        try {
          this.tenants.set(id, JSON.parse(value.toString('utf8')) as TenantRecord);
        } catch {
          this.o.logger.warn({ topic: this.topic, tenant: id }, 'an unreadable tenant record');
        }
      return;
    }
    if (!key.startsWith('key/')) {
      this.o.onRecord?.(key, value);
      return;
    }
    const id = key.slice(4);
    const previous = this.hashOfId.get(id);
    if (previous) this.byHash.delete(previous);
    this.hashOfId.delete(id);
    if (value === null) return;
    try {
      const record = JSON.parse(value.toString('utf8')) as KeyRecord;
      this.byHash.set(record.hash, record);
      this.hashOfId.set(id, record.hash);
    } catch {
      this.o.logger.warn({ topic: this.topic, id }, 'an unreadable API key record; skipped');
    }
  }
}

/** Creates the compacted topic if it does not exist (idempotent). */
export async function ensureTenantsTopic(admin: Admin, topic: string): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await createTopicsReady(admin, [tenantsTopicSpec(topic)]);
}

/** Writes the API key changes to the topic: what the CLI (and an admin API) do. */
export class KeyWriter {
  constructor(
    private readonly producer: Producer,
    private readonly topic = TENANTS_TOPIC,
  ) {}

  /** A new key for a tenant's source: the key itself is returned once, and only its hash kept. */
  async create(o: {
    tenantId: string;
    source: string;
    consentPolicy?: ConsentPolicy;
    rateLimitPerMinute?: number;
    signed?: boolean;
    by: string;
  }): Promise<{ key: string; record: KeyRecord }> {
    const key = generateApiKey();
    const now = new Date().toISOString();
    const record: KeyRecord = {
      kind: 'api_key',
      id: `key_${randomBytes(6).toString('hex')}`,
      hash: hashApiKey(key),
      tenant_id: o.tenantId,
      source: o.source,
      created_at: now,
      ...(o.consentPolicy ? { consent_policy: o.consentPolicy } : {}),
      ...(o.rateLimitPerMinute ? { rate_limit_per_minute: o.rateLimitPerMinute } : {}),
      ...(o.signed ? { signed: true } : {}),
      changed_by: o.by,
      changed_at: now,
    };
    await this.write(record);
    return { key, record };
  }

  /** Refuses the key from `at` (now by default; later: the overlap of a rotation). */
  async expire(record: KeyRecord, by: string, at = new Date()): Promise<KeyRecord> {
    const next = {
      ...record,
      expires_at: at.toISOString(),
      changed_by: by,
      changed_at: new Date().toISOString(),
    };
    await this.write(next);
    return next;
  }

  /**
   * A successor to a key, with the same tenant, source and settings; the old key is refused
   * after the overlap, so senders can switch without a gap.
   */
  async rotate(
    old: KeyRecord,
    overlapSeconds: number,
    by: string,
  ): Promise<{ key: string; record: KeyRecord; old: KeyRecord }> {
    const made = await this.create({
      tenantId: old.tenant_id,
      source: old.source,
      ...(old.consent_policy ? { consentPolicy: old.consent_policy } : {}),
      ...(old.rate_limit_per_minute ? { rateLimitPerMinute: old.rate_limit_per_minute } : {}),
      ...(old.signed ? { signed: true } : {}),
      by,
    });
    const expired = await this.expire(old, by, new Date(Date.now() + overlapSeconds * 1000));
    return { ...made, old: expired };
  }

  /** Changes a key's limit or consent policy (the key itself stays). */
  async update(
    record: KeyRecord,
    change: Pick<KeyRecord, 'rate_limit_per_minute' | 'consent_policy'>,
    by: string,
  ): Promise<KeyRecord> {
    const next = { ...record, ...change, changed_by: by, changed_at: new Date().toISOString() };
    await this.write(next);
    return next;
  }

  /** Writes a tenant's record as given (every gateway and enrich instance follows it). */
  async putTenant(
    record: Omit<TenantRecord, 'kind' | 'changed_by' | 'changed_at'>,
    by: string,
  ): Promise<TenantRecord> {
    const next: TenantRecord = {
      ...record,
      kind: 'tenant',
      changed_by: by,
      changed_at: new Date().toISOString(),
    };
    await this.send(`tenant/${record.id}`, next);
    return next;
  }

  private write(record: KeyRecord): Promise<void> {
    return this.send(`key/${record.id}`, record);
  }

  /** A record of another kind, as JSON; null deletes it (a tombstone, compacted away). */
  async send(key: string, value: unknown): Promise<void> {
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key, value: value === null ? null : JSON.stringify(value) }],
    });
  }
}
