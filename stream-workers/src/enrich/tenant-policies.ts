import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { createTopicsReady, tenantsTopicSpec, type Logger } from '@backbone/runtime';
import type { RetentionClass } from '@backbone/warehouse';
import type { TextPolicy } from './enrich.step.js';

/**
 * A tenant's policies as the `_tenants` topic holds them (`tenant/<id>`, latest wins; written
 * by the query service's admin API, docs/operations.md § Tenants and keys).
 */
interface TenantRecord {
  kind: 'tenant';
  id: string;
  transcript_mode?: TextPolicy;
  retention_days?: Partial<Record<RetentionClass, number>>;
}

/**
 * Each tenant's transcript policy, followed from the tenants topic by every enrich instance:
 * a tenant switched from drop to redact gets redacted text for the events enriched after the
 * switch reached the instance (about a second), no restart. Tenants the topic does not name
 * keep the worker's REDACT_TENANTS default.
 */
export class TenantPolicies {
  private readonly modes = new Map<string, TextPolicy>();
  private readonly retention = new Map<string, Partial<Record<RetentionClass, number>>>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly o: {
      kafka: Kafka;
      topic: string;
      /** The policy of a tenant the topic says nothing about. */
      fallback: (tenant: string) => TextPolicy;
      logger: Logger;
    },
  ) {}

  textPolicy = (tenant: string): TextPolicy => this.modes.get(tenant) ?? this.o.fallback(tenant);

  /** The tenants with a retention policy of their own (docs/privacy.md § Retention). */
  retentionPolicies(): ReadonlyMap<string, Partial<Record<RetentionClass, number>>> {
    return this.retention;
  }

  /** Follows the topic from its beginning (created, compacted, when missing). */
  async start(): Promise<void> {
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.o.topic))
        await createTopicsReady(admin, [tenantsTopicSpec(this.o.topic)]);
    } finally {
      await admin.disconnect();
    }
    this.consumer = this.o.kafka.consumer({
      groupId: `backbone-tenant-policies-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 500,
      sessionTimeout: 10_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.o.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (!key.startsWith('tenant/')) return;
        const id = key.slice('tenant/'.length);
        this.modes.delete(id);
        this.retention.delete(id);
        if (message.value !== null)
          try {
            const record = JSON.parse(message.value.toString('utf8')) as TenantRecord;
            if (record.transcript_mode === 'drop' || record.transcript_mode === 'redact')
              this.modes.set(id, record.transcript_mode);
            if (record.retention_days) this.retention.set(id, record.retention_days);
          } catch {
            this.o.logger.warn({ topic: this.o.topic, tenant: id }, 'an unreadable tenant record');
          }
        await Promise.resolve();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
