import type { Redis } from 'ioredis';
import { consentStateKey, type SubjectKind } from '@backbone/runtime';

/** A person an event or a decision is about: their id as the client sent it, in a tenant. */
export interface SubjectRef {
  tenant: string;
  kind: SubjectKind;
  id: string;
}

export const PURPOSES = ['analytics', 'marketing', 'functional'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** A decision's purposes: true granted, false refused or withdrawn, absent not decided. */
export type Purposes = Partial<Record<Purpose, boolean>>;

/**
 * Each person's latest recorded consent, as the gateway applies it: an analytics withdrawal
 * recorded through the consent stream gates the person's next event. Consulted once per
 * batch; written after Kafka acknowledged the decision (docs/privacy.md#consent-records).
 */
export interface ConsentState {
  /** For each subject, whether its latest recorded analytics decision is a withdrawal. */
  analyticsWithdrawn(subjects: readonly SubjectRef[]): Promise<boolean[]>;
  /** Records decisions, later ones over earlier ones, purpose by purpose. */
  record(decisions: readonly { subject: SubjectRef; purposes: Purposes }[]): Promise<void>;
}

const flag = (granted: boolean) => (granted ? '1' : '0');

/** Shared by every gateway instance; keys expire `ttlSeconds` after the last decision. */
export class RedisConsentState implements ConsentState {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async analyticsWithdrawn(subjects: readonly SubjectRef[]): Promise<boolean[]> {
    if (subjects.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const s of subjects) pipeline.hget(consentStateKey(s.tenant, s.kind, s.id), 'analytics');
    const results = (await pipeline.exec()) ?? [];
    return subjects.map((_, i) => {
      const [err, value] = results[i] ?? [new Error('no reply')];
      if (err) throw err;
      return value === '0';
    });
  }

  async record(decisions: readonly { subject: SubjectRef; purposes: Purposes }[]): Promise<void> {
    if (decisions.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const { subject, purposes } of decisions) {
      const fields = PURPOSES.flatMap((p) =>
        purposes[p] === undefined ? [] : [p, flag(purposes[p])],
      );
      if (fields.length === 0) continue;
      const key = consentStateKey(subject.tenant, subject.kind, subject.id);
      pipeline.hset(key, ...fields).expire(key, this.ttlSeconds);
    }
    for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
  }
}

/** One instance's memory: for a gateway without REDIS_URL, and for tests. */
export class MemoryConsentState implements ConsentState {
  private readonly state = new Map<string, Map<Purpose, string>>();

  analyticsWithdrawn(subjects: readonly SubjectRef[]): Promise<boolean[]> {
    return Promise.resolve(
      subjects.map(
        (s) => this.state.get(consentStateKey(s.tenant, s.kind, s.id))?.get('analytics') === '0',
      ),
    );
  }

  record(decisions: readonly { subject: SubjectRef; purposes: Purposes }[]): Promise<void> {
    for (const { subject, purposes } of decisions) {
      const key = consentStateKey(subject.tenant, subject.kind, subject.id);
      const entry = this.state.get(key) ?? new Map<Purpose, string>();
      for (const p of PURPOSES) if (purposes[p] !== undefined) entry.set(p, flag(purposes[p]));
      this.state.set(key, entry);
    }
    return Promise.resolve();
  }
}
