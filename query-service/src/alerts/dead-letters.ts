import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@backbone/runtime';
import type { DeadLetters } from './measure.js';

/** The header the gateway puts on every record: the tenant of the key that sent it. */
export const TENANT_HEADER = 'x-tenant-id';

/**
 * Dead letters per tenant and minute, from the dead-letter topics, which keep the original
 * record's headers (the tenant the gateway put there). Counts of the last `horizonMs` only,
 * in memory: read from the topics' beginning at start (their retention is a week), so a
 * restart loses nothing that an alert's window can still see.
 */
export class DeadLetterCounter implements DeadLetters {
  private readonly perMinute = new Map<string, Map<number, number>>();
  private consumer: Consumer | undefined;

  constructor(
    private readonly o: {
      kafka: Kafka;
      topics: readonly string[];
      logger: Logger;
      horizonMs?: number;
    },
  ) {}

  count(tenant: string, fromMs: number, toMs: number): number {
    let n = 0;
    for (const [minute, c] of this.perMinute.get(tenant) ?? [])
      if (minute >= fromMs && minute < toMs) n += c;
    return n;
  }

  async start(): Promise<void> {
    const horizon = this.o.horizonMs ?? 2 * 86_400_000;
    const admin = this.o.kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics().finally(() => admin.disconnect()));
    const topics = this.o.topics.filter((t) => existing.has(t));
    if (topics.length === 0) return;
    this.consumer = this.o.kafka.consumer({
      groupId: `backbone-dead-letters-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 500,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const oldest = Date.now() - horizon;
        for (const m of batch.messages) {
          const at = Number(m.timestamp);
          if (at < oldest) continue;
          const raw = m.headers?.[TENANT_HEADER];
          const tenant = (Array.isArray(raw) ? raw[0] : raw)?.toString();
          if (!tenant) continue;
          const minutes = this.perMinute.get(tenant) ?? new Map<number, number>();
          const minute = Math.floor(at / 60_000) * 60_000;
          minutes.set(minute, (minutes.get(minute) ?? 0) + 1);
          this.perMinute.set(tenant, minutes);
        }
        for (const minutes of this.perMinute.values())
          for (const minute of minutes.keys()) if (minute < oldest) minutes.delete(minute);
        await Promise.resolve();
      },
    });
    this.o.logger.info({ topics: topics.length }, 'counting dead letters for alerts');
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
